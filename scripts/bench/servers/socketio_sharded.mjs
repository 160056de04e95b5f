// The reference for the many-topics benchmark (scripts/bench/redis_topics_scale.ts): Socket.IO
// with @socket.io/redis-adapter's sharded adapter (createShardedAdapter: one sharded pub/sub
// channel per room, SSUBSCRIBE when a room gets its first local member) on Node, websocket
// transport only. Same job as examples/chat.ts --redis: "subscribe" joins a room (rooms = topics),
// "publish" emits to the room on every process.
//
//   node scripts/bench/servers/socketio_sharded.mjs --port N --redis URL[,URL...]
//
// One URL: one Redis (node-redis createClient); several: the seed nodes of a Redis Cluster
// (node-redis createCluster, which routes SPUBLISH/SSUBSCRIBE to each channel's master).
// Prints `listening on http://127.0.0.1:PORT` when ready.

import { createServer } from "node:http";
import { Server } from "socket.io";
import { createShardedAdapter } from "@socket.io/redis-adapter";
import { createClient, createCluster } from "redis";

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const port = Number(flag("--port") ?? 0);
const urls = (flag("--redis") ?? "redis://127.0.0.1:6379").split(",");

const pub = urls.length === 1
  ? createClient({ url: urls[0] })
  : createCluster({ rootNodes: urls.map((url) => ({ url })) });
const sub = pub.duplicate();
pub.on("error", (error) => console.error(`redis: ${error.message}`));
sub.on("error", (error) => console.error(`redis: ${error.message}`));
await Promise.all([pub.connect(), sub.connect()]);

const http = createServer();
const io = new Server(http, { transports: ["websocket"], serveClient: false });
// "dynamic": a channel per public room, subscribed while the room has members on this process.
io.adapter(createShardedAdapter(pub, sub, { subscriptionMode: "dynamic" }));
io.on("connection", (socket) => {
  socket.on("subscribe", (topic) => socket.join(topic));
  socket.on("publish", (message) => io.to(message.topic).emit("message", message));
});
http.listen(port, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${http.address().port}`);
});
process.on("SIGTERM", () => process.exit(0));
