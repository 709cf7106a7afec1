// p1-cli-as: the command surface of an AssemblyScript program under WASI
// p1, whose runtime reads every argument and variable through args_get and
// environ_get at start. One line per call: the arguments, the environment,
// a write to a descriptor nobody opened (its errno), the clock and a
// random number, then an exit status taken from argv[1] (33 when absent).
import { fd_write, iovec } from "@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1";

const argv = process.argv;
for (let i = 0; i < argv.length; i++) {
  console.log("arg " + i.toString() + ": " + argv[i]);
}
const env = process.env;
const keys = env.keys();
for (let i = 0; i < keys.length; i++) {
  console.log("env: " + keys[i] + "=" + env.get(keys[i]));
}

const text = String.UTF8.encode("x");
const iov = new iovec();
iov.buf = changetype<usize>(text);
iov.buf_len = 1;
const written = memory.data(8);
const errno = fd_write(77, changetype<usize>(iov), 1, written);
console.log("write to fd 77: errno " + errno.toString());

console.log("wall clock: " + (Date.now() / 1000).toString() + " s");
console.log("random below 1000: " + (<i32>Math.floor(Math.random() * 1000)).toString());
process.exit(argv.length > 1 ? I32.parseInt(argv[1]) : 33);
