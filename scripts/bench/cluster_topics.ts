// Many topics over a cluster of processes: 4 Node chat processes (examples/chat.ts --redis) and
// 1,000 topics, on one private redis-server and on a private three-master Redis Cluster, against
// Socket.IO with @socket.io/redis-adapter's sharded adapter (createShardedAdapter, dynamic
// subscriptions) on the same cluster. Delivered msgs/s at the subscribers.
//
//   node_modules/.bin/node scripts/bench/cluster_topics.ts [--topics 1000] [--subscribers 2000]
//        [--publishers 8] [--seconds 5]
//
// Each subscriber follows one topic (round-robin over topics and processes, so every topic has
// subscribers on several processes); publishers (one per process pair) publish to topics in
// turn, as fast as their socket drains. The driver is this Node process (ws clients): it reads
// every delivery, so it may be the limit; its CPU is printed with the servers'. On a shared
// machine read the ratios, not the absolute figures.

import { performance } from "node:perf_hooks";
import process from "node:process";
import WebSocket from "ws";
import { type RunningExample, startExample } from "../../tests/support/example_server.ts";
import { startRedisServer } from "../../tests/support/redis_server.ts";
import { startRedisCluster } from "../../tests/support/redis_cluster.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : Number(args[i + 1]);
};
const TOPICS = flag("--topics", 1000);
const SUBSCRIBERS = flag("--subscribers", 2000);
const PUBLISHERS = flag("--publishers", 8);
const SECONDS = flag("--seconds", 5);
const PROCESSES = 4;

interface Server {
  name: string;
  file: string;
  url(port: number): string;
  handshake(ws: WebSocket, text: string): boolean;
  subscribe(topic: string): string;
  publish(topic: string, data: unknown): string;
  isMessage(text: string): boolean;
}

const ours: Server = {
  name: "omnisocket chat.ts --redis",
  file: "examples/chat.ts",
  url: (port) => `ws://127.0.0.1:${port}/`,
  handshake: () => true,
  subscribe: (topic) => JSON.stringify({ type: "subscribe", topic }),
  publish: (topic, data) => JSON.stringify({ type: "publish", topic, data }),
  isMessage: (text) => text.startsWith('{"type":"message"'),
};

const socketio: Server = {
  name: "Socket.IO + createShardedAdapter",
  file: "scripts/bench/servers/socketio_sharded.mjs",
  url: (port) => `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`,
  handshake: (ws, text) => {
    if (text.startsWith("0")) ws.send("40");
    return text.startsWith("40");
  },
  subscribe: (topic) => `42${JSON.stringify(["subscribe", topic])}`,
  publish: (topic, data) => `42${JSON.stringify(["publish", { topic, data }])}`,
  isMessage: (text) => text.startsWith('42["message"'),
};

function connect(server: Server, port: number, onMessage: () => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(server.url(port), { perMessageDeflate: false });
    let ready = false;
    ws.on("message", (data: Buffer) => {
      const text = data.toString();
      if (text === "2") return void ws.send("3");
      if (!ready) {
        if (server.handshake(ws, text)) (ready = true, resolve(ws));
        return;
      }
      if (server.isMessage(text)) onMessage();
    });
    ws.once("open", () => {
      if (server.handshake(ws, "")) (ready = true, resolve(ws));
    });
    ws.once("error", reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function cpuSeconds(pid: number): number {
  const stat = Deno_or_fs(`/proc/${pid}/stat`);
  const fields = stat.split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

import { readFileSync } from "node:fs";
function Deno_or_fs(path: string): string {
  return readFileSync(path, "utf8");
}

async function run(server: Server, redisUrl: string, redisPids: number[]): Promise<number> {
  const nodes: RunningExample[] = [];
  try {
    for (let i = 0; i < PROCESSES; i++) {
      nodes.push(
        await startExample({ runtime: "node", file: server.file, args: ["--redis", redisUrl] }),
      );
    }
    let delivered = 0;
    const sockets: WebSocket[] = [];
    for (let i = 0; i < SUBSCRIBERS; i += 100) {
      const batch = [];
      for (let j = i; j < Math.min(SUBSCRIBERS, i + 100); j++) {
        batch.push(
          connect(server, nodes[j % PROCESSES].port, () => delivered++).then((ws) => {
            // Topic j % TOPICS on process j % PROCESSES: with 4 processes and 1,000 topics each
            // topic has its subscribers on 2 processes (SUBSCRIBERS / TOPICS = 2).
            ws.send(server.subscribe(`topic${(j >> 2) % TOPICS}`));
            return ws;
          }),
        );
      }
      sockets.push(...await Promise.all(batch));
    }
    const publishers = await Promise.all(
      Array.from(
        { length: PUBLISHERS },
        (_, i) => connect(server, nodes[i % PROCESSES].port, () => {}),
      ),
    );
    await sleep(1_000);
    let running = true;
    let published = 0;
    const pump = (ws: WebSocket, offset: number) => {
      const step = () => {
        if (!running) return;
        for (let k = 0; k < 50 && ws.bufferedAmount < 64 * 1024; k++) {
          ws.send(server.publish(`topic${(offset + published++) % TOPICS}`, { t: "x".repeat(48) }));
        }
        setTimeout(step, 1);
      };
      step();
    };
    publishers.forEach((ws, i) => pump(ws, i * 97));
    await sleep(1_000); // warm-up
    const pids = [...nodes.map((node) => node.pid!), ...redisPids, process.pid];
    const cpuBefore = pids.map(cpuSeconds);
    const before = delivered;
    const started = performance.now();
    await sleep(SECONDS * 1_000);
    const rate = (delivered - before) / ((performance.now() - started) / 1000);
    const cpu = pids.map((pid, i) => ((cpuSeconds(pid) - cpuBefore[i]) / SECONDS * 100).toFixed(0));
    running = false;
    console.log(
      `  ${server.name} on ${redisPids.length === 1 ? "one Redis" : "a 3-master cluster"}: ` +
        `${Math.round(rate)} deliveries/s; CPU % (processes, Redis, driver): ${cpu.join(" ")}`,
    );
    for (const ws of [...sockets, ...publishers]) ws.terminate();
    return rate;
  } finally {
    await Promise.all(nodes.map((node) => node.stop("SIGKILL")));
  }
}

console.log(
  `${PROCESSES} Node processes, ${TOPICS} topics, ${SUBSCRIBERS} subscribers (one topic each), ` +
    `${PUBLISHERS} publishers, ${SECONDS} s`,
);
const results: Record<string, number> = {};
{
  const redis = await startRedisServer();
  results.single = await run(ours, redis.url, [redis.pid!]);
  await redis.stop(true);
}
{
  const cluster = await startRedisCluster();
  const pids = () => cluster.nodes.map((node) => node.pid!);
  results.cluster = await run(ours, cluster.url, pids());
  results.socketio = await run(socketio, cluster.url, pids());
  await cluster.stop();
}
console.log(
  `ours on the cluster / Socket.IO sharded on the cluster: ${
    (results.cluster / results.socketio).toFixed(2)
  }x; ours on one Redis / Socket.IO: ${(results.single / results.socketio).toFixed(2)}x`,
);
