/**
 * Reference for the Node fan-out rows: the `ws` package (with `bufferutil`
 * when it loads) and the usual broadcast loop, `for (const c of
 * wss.clients) c.send(data)`, the sender included.
 *
 *   node scripts/bench/servers/ws_broadcast.mjs --port 9000 [--deflate]
 *
 * `--deflate`: ws's `perMessageDeflate: true` (its defaults: context
 * takeover, 1 KiB threshold); ws compresses each send for its socket.
 *
 * Prints `listening on http://127.0.0.1:PORT`; exits on SIGTERM or SIGINT.
 *
 * @module
 */

import { WebSocketServer } from "ws";

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const hostname = flag("--host", "127.0.0.1");
const port = Number(flag("--port", "8080"));

const wss = new WebSocketServer({
  host: hostname,
  port,
  perMessageDeflate: args.includes("--deflate"),
  maxPayload: 16 * 1024 * 1024,
});

wss.on("connection", (socket) => {
  socket.on("message", (data, isBinary) => {
    for (const c of wss.clients) c.send(data, { binary: isBinary });
  });
  socket.on("error", () => {});
});

wss.on("listening", () => {
  console.log(`listening on http://${hostname}:${wss.address().port}`);
});

const shutdown = () => {
  for (const client of wss.clients) client.terminate();
  wss.close(() => process.exit(0));
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
