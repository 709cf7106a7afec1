//! `http-handler`: an HTTP handler, no command. Routes a few paths: a
//! greeting that reads a query parameter, an echo of a POST body, a call
//! to an upstream that a mock answers, the virtual clock and random, a
//! session cookie (which a scenario redacts), a hit counter kept in
//! `/hits.json` by read-modify-write without a lock (served concurrently,
//! two hits can lose one), a panic, an error code, no
//! response at all, and a 404 for everything else. When it has a preopen, it appends
//! each request line to `/requests.log`, so the final tree shows what it
//! served.

use replay_guest::{HttpRequest, HttpResponse, Reply, os, serve};

serve!(handle);

fn text(status: u16, body: String) -> HttpResponse {
    HttpResponse { status, headers: vec![("content-type".into(), "text/plain".into())], body: body.into_bytes() }
}

/// The value of `key` in the path's query, if it is there.
fn query<'a>(path: &'a str, key: &str) -> Option<&'a str> {
    let (_, q) = path.split_once('?')?;
    q.split('&').find_map(|kv| kv.split_once('=').filter(|(k, _)| *k == key).map(|(_, v)| v))
}

async fn handle(req: HttpRequest) -> Reply {
    match req.path.as_str() {
        "/fail" => Reply::Error("the handler gave up".into()),
        "/forget" => Reply::Nothing,
        _ => Reply::Response(route(req).await),
    }
}

async fn route(req: HttpRequest) -> HttpResponse {
    if let Some((root, _)) = os::preopens().into_iter().next() {
        let line = format!("{} {}\n", req.method, req.path);
        if root.append("requests.log", line.as_bytes()).await.is_err() {
            let _ = root.write("requests.log", line.as_bytes()).await;
        }
    }
    let route = req.path.split('?').next().unwrap_or("");
    match (req.method.as_str(), route) {
        ("GET", "/hello") => text(200, format!("hello, {}\n", query(&req.path, "name").unwrap_or("world"))),
        ("POST", "/echo") => {
            let kind = req.headers.iter().find(|(k, _)| k == "content-type").map(|(_, v)| v.clone());
            HttpResponse {
                status: 200,
                headers: vec![
                    ("content-type".into(), kind.unwrap_or_else(|| "application/octet-stream".into())),
                    ("x-body-bytes".into(), req.body.len().to_string()),
                ],
                body: req.body,
            }
        }
        ("GET", "/items") => {
            let limit = query(&req.path, "limit").unwrap_or("10");
            let url = format!("https://api.example.com/v1/items?limit={limit}");
            match os::http("GET", &url, &[("accept", "application/json")], None).await {
                Ok(up) => HttpResponse {
                    status: up.status,
                    headers: vec![("content-type".into(), "application/json".into())],
                    body: up.body,
                },
                Err(e) => text(502, format!("upstream: {e}\n")),
            }
        }
        ("GET", "/now") => {
            let (secs, _) = os::wall_now();
            let bytes: String = os::random_bytes(4).iter().map(|b| format!("{b:02x}")).collect();
            text(200, format!("now {secs}, random {bytes}\n"))
        }
        ("GET", "/login") => {
            let token: String = os::random_bytes(8).iter().map(|b| format!("{b:02x}")).collect();
            HttpResponse {
                status: 204,
                headers: vec![("set-cookie".into(), format!("session={token}")), ("cache-control".into(), "no-store".into())],
                body: Vec::new(),
            }
        }
        ("GET", "/hit") => match os::preopens().into_iter().next() {
            Some((root, _)) => {
                let seen: u64 = root.read("hits.json").await.ok().and_then(|b| String::from_utf8_lossy(&b).trim().parse().ok()).unwrap_or(0);
                match root.write("hits.json", format!("{}\n", seen + 1).as_bytes()).await {
                    Ok(()) => text(200, format!("hit {}\n", seen + 1)),
                    Err(e) => text(500, format!("hits.json: {e}\n")),
                }
            }
            None => text(500, "no preopen to count hits in\n".into()),
        },
        ("GET", "/boom") => panic!("boom at {}", req.path),
        (method, _) => text(404, format!("no route for {method} {}\n", req.path)),
    }
}
