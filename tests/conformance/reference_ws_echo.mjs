// Reference echo server on the `ws` package, to validate the conformance suite itself while
// omnisocket's own echo example is being written. Not part of the product.
//
//   node tests/conformance/reference_ws_echo.mjs [--port N]
import { WebSocketServer } from "ws";

const portIndex = process.argv.indexOf("--port");
const port = portIndex >= 0 ? Number(process.argv[portIndex + 1]) : 0;
const server = new WebSocketServer({
  host: "127.0.0.1",
  port,
  maxPayload: 16 * 1024 * 1024,
  perMessageDeflate: false,
});
server.on("connection", (socket) => {
  socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
  socket.on("error", () => {});
});
server.on("listening", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
