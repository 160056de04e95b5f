// The reference for the many-topics cluster benchmark: Socket.IO with @socket.io/redis-adapter's
// sharded adapter (createShardedAdapter: one sharded pub/sub channel per room) on Node, websocket
// transport only. "subscribe" joins a room, "publish" emits to the room on every node.
//
//   node scripts/bench/servers/socketio_sharded.mjs --port N --redis URL[,URL...]
//
// One URL: one Redis; several: the seed nodes of a Redis Cluster. Prints
// `listening on http://127.0.0.1:PORT` when ready.

import { createServer } from "node:http";
import { Server } from "socket.io";
import { createShardedAdapter } from "@socket.io/redis-adapter";
import { createClient, createCluster } from "redis";

const args = process.argv.slice(2);
const flag = (name) => args[args.indexOf(name) + 1];
const port = Number(flag("--port") ?? 0);
const urls = flag("--redis").split(",");

const pub = urls.length === 1
  ? createClient({ url: urls[0] })
  : createCluster({ rootNodes: urls.map((url) => ({ url })) });
const sub = pub.duplicate();
pub.on("error", () => {});
sub.on("error", () => {});
await Promise.all([pub.connect(), sub.connect()]);

const http = createServer();
const io = new Server(http, { transports: ["websocket"], serveClient: false });
io.adapter(createShardedAdapter(pub, sub, { subscriptionMode: "dynamic" }));
io.on("connection", (socket) => {
  socket.on("subscribe", (topic) => socket.join(topic));
  socket.on("publish", (message) => io.to(message.topic).emit("message", message));
});
http.listen(port, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${http.address().port}`);
});
process.on("SIGTERM", () => process.exit(0));
