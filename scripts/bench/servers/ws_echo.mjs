/**
 * Reference server for the Node row of the benchmark: the `ws` package, with
 * `bufferutil` for masking when it can be loaded (ws picks it up by itself).
 * Settings mirror omnisocket's defaults: no compression, 16 MiB messages,
 * UTF-8 checked on text.
 *
 *   node scripts/bench/servers/ws_echo.mjs --port 9000 [--deflate]
 *
 * --deflate turns permessage-deflate on with omnisocket's defaults: windows
 * of 12 bits both ways, level 6, memLevel 4, threshold 1 KiB, context
 * takeover both ways.
 *
 * Prints `listening on http://127.0.0.1:PORT` and whether bufferutil is in
 * use; exits on SIGTERM or SIGINT.
 *
 * @module
 */

import { createRequire } from "node:module";
import { WebSocketServer } from "ws";

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const hostname = flag("--host", "127.0.0.1");
const port = Number(flag("--port", "8080"));

// Resolve bufferutil the way ws itself does, from ws's own directory.
const requireFromWs = createRequire(createRequire(import.meta.url).resolve("ws"));
let bufferutil = "missing";
try {
  const native = requireFromWs("bufferutil");
  bufferutil = String(native.mask).includes("[native code]") ? "native" : "javascript fallback";
} catch {
  // ws falls back to its JavaScript masking loop; the runner reports it.
}

const deflate = args.includes("--deflate")
  ? {
    serverMaxWindowBits: 12,
    clientMaxWindowBits: 12,
    zlibDeflateOptions: { level: 6, memLevel: 4 },
    threshold: 1024,
  }
  : false;

const server = new WebSocketServer({
  host: hostname,
  port,
  perMessageDeflate: deflate,
  maxPayload: 16 * 1024 * 1024,
});

server.on("connection", (socket) => {
  socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
  // A peer that vanishes mid-benchmark must not crash the server.
  socket.on("error", () => {});
});

server.on("listening", () => {
  const address = server.address();
  console.log(`listening on http://${hostname}:${address.port}`);
  console.log(`bufferutil: ${bufferutil}`);
});

const shutdown = () => {
  for (const client of server.clients) client.terminate();
  server.close(() => process.exit(0));
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
