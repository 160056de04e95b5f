// Echo server on the `ws` package, for the client interop tests; over TLS with --cert/--key.
//
//   node tests/client/servers/ws_echo.mjs [--deflate] [--cert FILE --key FILE]
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import { WebSocketServer } from "ws";

const arg = (name) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const deflate = process.argv.includes("--deflate");
const cert = arg("--cert");
const tls = cert === undefined
  ? undefined
  : createServer({ cert: readFileSync(cert), key: readFileSync(arg("--key")) });
const server = new WebSocketServer({
  ...(tls ? { server: tls } : { host: "127.0.0.1", port: 0 }),
  maxPayload: 16 * 1024 * 1024,
  perMessageDeflate: deflate,
});
server.on("connection", (socket) => {
  socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
  socket.on("error", () => {});
});
const announce = (port) => console.log(`listening on http://127.0.0.1:${port}`);
if (tls) tls.listen(0, "127.0.0.1", () => announce(tls.address().port));
else server.on("listening", () => announce(server.address().port));
process.on("SIGTERM", () => process.exit(0));
