"""An HTTP handler in Python (the p2 proxy world): a greeting that reads a
query parameter, an echo of a POST body, and a 404 for everything else;
the same answers the Rust http-handler gives for those routes."""

from urllib.parse import parse_qs, urlsplit

from componentize_py_types import Err, Ok
from wit_world import exports
from wit_world.imports.types import Fields, IncomingRequest, OutgoingBody, OutgoingResponse, ResponseOutparam


def method_name(m) -> str:
    name = type(m).__name__.removeprefix("Method_")
    return m.value if name == "Other" else name.upper()


def read_body(request: IncomingRequest) -> bytes:
    body = request.consume()
    data = bytearray()
    with body.stream() as stream:
        while True:
            try:
                data += stream.blocking_read(65536)
            except Err:
                break
    body.__exit__(None, None, None)
    return bytes(data)


def respond(out: ResponseOutparam, status: int, headers, body: bytes) -> None:
    response = OutgoingResponse(Fields.from_list([(k, v.encode()) for k, v in headers]))
    response.set_status_code(status)
    outgoing = response.body()
    ResponseOutparam.set(out, Ok(response))
    with outgoing.write() as stream:
        for i in range(0, len(body), 4096):
            stream.blocking_write_and_flush(body[i : i + 4096])
    OutgoingBody.finish(outgoing, None)


class IncomingHandler(exports.IncomingHandler):
    def handle(self, request: IncomingRequest, response_out: ResponseOutparam) -> None:
        method = method_name(request.method())
        path = request.path_with_query() or "/"
        headers = {k: v.decode() for k, v in request.headers().entries()}
        route = urlsplit(path).path
        text = [("content-type", "text/plain")]
        if method == "GET" and route == "/hello":
            name = parse_qs(urlsplit(path).query).get("name", ["world"])[0]
            respond(response_out, 200, text, f"hello, {name}\n".encode())
        elif method == "POST" and route == "/echo":
            body = read_body(request)
            kind = headers.get("content-type", "application/octet-stream")
            respond(response_out, 200, [("content-type", kind), ("x-body-bytes", str(len(body)))], body)
        else:
            respond(response_out, 404, text, f"no route for {method} {path}\n".encode())
