// The reference for the cluster benchmark: what users deploy for rooms across processes,
// Socket.IO with @socket.io/redis-adapter on Node, websocket transport only. Same job as
// examples/chat.ts --redis: "subscribe" joins a room, "publish" emits to the room on every node.
//
//   node scripts/bench/servers/socketio_redis.mjs --port N --redis URL
//
// Prints `listening on http://127.0.0.1:PORT` when ready.

import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";

const args = process.argv.slice(2);
const flag = (name) => args[args.indexOf(name) + 1];
const port = Number(flag("--port") ?? 0);
const url = flag("--redis");

const pub = createClient({ url });
const sub = pub.duplicate();
pub.on("error", () => {});
sub.on("error", () => {});
await Promise.all([pub.connect(), sub.connect()]);

const http = createServer();
const io = new Server(http, { transports: ["websocket"], serveClient: false });
io.adapter(createAdapter(pub, sub));
io.on("connection", (socket) => {
  socket.on("subscribe", (topic) => socket.join(topic));
  socket.on("publish", (message) => io.to(message.topic).emit("message", message));
});
http.listen(port, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${http.address().port}`);
});
process.on("SIGTERM", () => process.exit(0));
