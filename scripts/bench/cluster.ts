// Cluster benchmark: two server processes on Node sharing a private redis-server, ours
// (examples/chat.ts --redis) against Socket.IO with @socket.io/redis-adapter (websocket transport
// only; this load generator speaks its Engine.IO/Socket.IO framing).
//
//   node_modules/.bin/node scripts/bench/cluster.ts [--subscribers 1000] [--seconds 5]
//        [--only ours|socketio] [--workloads throughput,latency,catchup]
//
// Rows (issue #13): delivered msgs/s with 1,000 subscribers spread over both nodes and
// publishers on both; publish -> deliver latency across nodes at a fixed moderate rate (p50,
// p99); a subscriber resuming after missing 10,000 publications: time to catch up (ours only:
// the Redis adapter cannot recover a session).
//
// Throughput is driven by the native generator (scripts/bench/loadgen.c, chat-cluster mode) on
// core 1, with both nodes and Redis pinned together to core 0, and each process's CPU over the
// timed window is printed, so one can tell who saturated. A Node client process saturates near
// 120k deliveries/s, below what the servers deliver, so it cannot drive that row. Latency and
// catch-up are not throughput-bound: this Node process drives them with ws clients, unpinned.
// On a shared 2-core machine read the ratios, not the absolute figures.

import { cpus } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import process from "node:process";
import WebSocket from "ws";
import { buildLoadgen, loadgenBinary } from "./lib/loadgen.ts";
import { canPin, pinProcess, runPinnedLoadgen } from "./lib/pinned_loadgen.ts";
import {
  REPO_ROOT,
  type RunningExample,
  startExample,
} from "../../tests/support/example_server.ts";
import { type RedisServer, startRedisServer } from "../../tests/support/redis_server.ts";

interface Flags {
  subscribers: number;
  seconds: number;
  only: string | null;
  workloads: string[];
}

const flags = parseFlags(process.argv.slice(2));
const PUBLISHERS_PER_NODE = 2;
const WINDOW = 32;
/** Bytes of `data` in each throughput publication. */
const DATA_SIZE = 64;
const WARMUP_SECONDS = 1;
const LOADGEN_SOURCE = join(REPO_ROOT, "scripts/bench/loadgen.c");
const LOADGEN = loadgenBinary(
  join(REPO_ROOT, "node_modules/.cache/omnisocket-bench"),
  LOADGEN_SOURCE,
);
const PINNED = canPin(2, cpus().length);
const SERVERS_CORE = "0";
const LOADGEN_CORE = 1;
const LATENCY_RATE = 10; // publications per second, both nodes together (10,000 deliveries/s)
const CATCH_UP = 10_000;

/** How one server speaks: URLs, framing, and how to tell a delivered message cheaply. */
interface Dialect {
  name: string;
  file: string;
  /** The dialect argument of `loadgen chat-cluster`. */
  loadgen: "omnisocket" | "socketio";
  url(port: number): string;
  /** Frames to send once the socket is open, before it counts as ready; null: ready at once. */
  handshake(ws: WebSocket, text: string): boolean;
  subscribe(topic: string, since?: string): string;
  publish(topic: string, data: unknown): string;
  isMessage(text: string): boolean;
  /** The publication's data and offset from a delivered message. */
  parse(text: string): { data: Record<string, unknown>; offset: string };
}

const ours: Dialect = {
  name: "omnisocket chat.ts --redis (Node)",
  file: "examples/chat.ts",
  loadgen: "omnisocket",
  url: (port) => `ws://127.0.0.1:${port}/`,
  handshake: () => true,
  subscribe: (topic, since) =>
    JSON.stringify(since ? { type: "subscribe", topic, since } : { type: "subscribe", topic }),
  publish: (topic, data) => JSON.stringify({ type: "publish", topic, data }),
  isMessage: (text) => text.startsWith('{"type":"message"'),
  parse: (text) => {
    const message = JSON.parse(text);
    return { data: message.data, offset: message.offset };
  },
};

const socketio: Dialect = {
  name: "Socket.IO + @socket.io/redis-adapter (Node)",
  file: "scripts/bench/servers/socketio_redis.mjs",
  loadgen: "socketio",
  url: (port) => `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`,
  // Engine.IO open ("0{...}") -> Socket.IO connect ("40") -> connected ("40{...}"); pings ("2")
  // are answered ("3").
  handshake: (ws, text) => {
    if (text.startsWith("0")) ws.send("40");
    return text.startsWith("40");
  },
  subscribe: (topic) => `42${JSON.stringify(["subscribe", topic])}`,
  publish: (topic, data) => `42${JSON.stringify(["publish", { topic, data }])}`,
  isMessage: (text) => text.startsWith('42["message"'),
  parse: (text) => ({ data: JSON.parse(text.slice(2))[1].data, offset: "" }),
};

interface Client {
  ws: WebSocket;
  onMessage: (text: string) => void;
}

function connect(dialect: Dialect, port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(dialect.url(port), { perMessageDeflate: false });
    const client: Client = { ws, onMessage: () => {} };
    let ready = false;
    ws.on("message", (data: Buffer) => {
      const text = data.toString();
      if (text === "2") return void ws.send("3");
      if (!ready) {
        if (dialect.handshake(ws, text)) {
          ready = true;
          resolve(client);
        }
        return;
      }
      client.onMessage(text);
    });
    ws.once("open", () => {
      if (dialect.handshake(ws, "")) {
        ready = true;
        resolve(client);
      }
    });
    ws.once("error", reject);
  });
}

async function connectMany(dialect: Dialect, ports: number[], count: number): Promise<Client[]> {
  const clients: Client[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + 100); j++) {
      batch.push(connect(dialect, ports[j % ports.length]));
    }
    clients.push(...await Promise.all(batch));
  }
  return clients;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

interface Throughput {
  rate: number;
  /** CPU per process over the timed window (1.0 = one core busy). */
  cores: Record<string, number>;
  otherCores: number;
  coreBusy: number[];
}

/**
 * Delivered msgs/s from the native generator: every connection (subscribers and publishers)
 * subscribes to one room, round-robin over the nodes; each publisher keeps WINDOW publications
 * not yet delivered back to itself.
 */
async function throughput(
  dialect: Dialect,
  nodes: RunningExample[],
  redis: RedisServer,
): Promise<Throughput> {
  const pids: Record<string, number> = { redis: redis.pid! };
  nodes.forEach((node, i) => (pids[`node ${"AB"[i] ?? i}`] = node.pid!));
  const restore = PINNED ? Object.values(pids).map((pid) => pinProcess(pid, SERVERS_CORE)) : [];
  try {
    const run = await runPinnedLoadgen(
      LOADGEN,
      [
        "chat-cluster",
        dialect.loadgen,
        "127.0.0.1",
        nodes.map((node) => node.port).join(","),
        String(flags.subscribers),
        String(PUBLISHERS_PER_NODE * nodes.length),
        String(WINDOW),
        String(DATA_SIZE),
        String(flags.seconds),
        String(WARMUP_SECONDS),
      ],
      PINNED ? LOADGEN_CORE : undefined,
      pids,
    );
    if (!run.result) {
      throw new Error(`Cannot measure throughput: loadgen exited ${run.exitCode}\n${run.stderr}`);
    }
    if (run.exitCode !== 0) {
      console.log(`  warning: loadgen exited ${run.exitCode}: ${JSON.stringify(run.result)}`);
      console.log(`  ${run.stderr.trim()}`);
    }
    return {
      rate: run.result.msgs_per_s,
      cores: run.cores,
      otherCores: run.otherCores,
      coreBusy: run.coreBusy,
    };
  } finally {
    for (const put of restore) put();
  }
}

function describeCores(t: Throughput): string {
  const pct = (cores: number) => `${Math.round(cores * 100)}%`;
  const each = Object.entries(t.cores).map(([name, cores]) => `${name} ${pct(cores)}`);
  const busy = t.coreBusy.map((cores, core) => `core ${core} ${pct(cores)}`).join(", ");
  return `${each.join(", ")}; other processes ${pct(t.otherCores)}; busy: ${busy}`;
}

async function latency(dialect: Dialect, ports: number[]): Promise<{ p50: number; p99: number }> {
  const topic = "latency";
  const subscribers = await connectMany(dialect, ports, flags.subscribers);
  const publishers = await Promise.all(ports.map((port) => connect(dialect, port)));
  const samples: number[] = [];
  subscribers.forEach((client, i) => {
    const node = i % ports.length;
    client.onMessage = (text) => {
      if (!dialect.isMessage(text)) return;
      const { data } = dialect.parse(text);
      // Across nodes only: published on the other node.
      if (data.node !== node) samples.push(performance.now() - (data.t as number));
    };
    client.ws.send(dialect.subscribe(topic));
  });
  await sleep(1_000);
  const interval = 1_000 / (LATENCY_RATE / ports.length);
  const timers = publishers.map((client, node) =>
    setInterval(
      () => client.ws.send(dialect.publish(topic, { node, t: performance.now() })),
      interval,
    )
  );
  await sleep(flags.seconds * 1_000);
  timers.forEach(clearInterval);
  await sleep(500);
  for (const client of [...subscribers, ...publishers]) client.ws.terminate();
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99) };
}

async function catchUp(dialect: Dialect, ports: number[]): Promise<number> {
  const topic = "catchup";
  const first = await connect(dialect, ports[0]);
  const publisher = await connect(dialect, ports[1]);
  let offset = "";
  first.onMessage = (text) => {
    if (dialect.isMessage(text)) offset = dialect.parse(text).offset;
  };
  first.ws.send(dialect.subscribe(topic));
  await sleep(300);
  publisher.ws.send(dialect.publish(topic, { n: -1 }));
  while (offset === "") await sleep(10);
  first.ws.terminate();
  // 10,000 publications while it is away, paced by their echo to the publisher.
  let echoed = 0;
  publisher.onMessage = (text) => {
    if (dialect.isMessage(text)) echoed++;
  };
  publisher.ws.send(dialect.subscribe(topic));
  await sleep(300);
  for (let n = 0; n < CATCH_UP; n++) {
    publisher.ws.send(dialect.publish(topic, { n }));
    if (n - echoed > 256) { while (n - echoed > 64) await sleep(1); }
  }
  while (echoed < CATCH_UP) await sleep(5);
  const resumer = await connect(dialect, ports[0]);
  let received = 0;
  let done: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  resumer.onMessage = (text) => {
    if (dialect.isMessage(text) && ++received === CATCH_UP) done();
  };
  const started = performance.now();
  resumer.ws.send(dialect.subscribe(topic, offset));
  await finished;
  const elapsed = performance.now() - started;
  for (const client of [publisher, resumer]) client.ws.terminate();
  return elapsed;
}

async function runDialect(dialect: Dialect): Promise<Record<string, string>> {
  const redis = await startRedisServer();
  const nodes: RunningExample[] = [];
  const results: Record<string, string> = {};
  try {
    for (let i = 0; i < 2; i++) {
      nodes.push(
        await startExample({
          runtime: "node",
          file: dialect.file,
          args: ["--redis", redis.url, "--history", String(CATCH_UP + 1000)],
        }),
      );
    }
    const ports = nodes.map((node) => node.port);
    if (flags.workloads.includes("throughput")) {
      const t = await throughput(dialect, nodes, redis);
      results.throughput = t.rate.toFixed(0);
      results.cpu = describeCores(t);
      console.log(`  ${dialect.name}: delivered ${t.rate.toFixed(0)} msgs/s`);
      console.log(`    CPU over the window (100% = one core): ${results.cpu}`);
    }
    if (flags.workloads.includes("latency")) {
      const { p50, p99 } = await latency(dialect, ports);
      results.latency = `${p50.toFixed(2)} / ${p99.toFixed(2)} ms`;
      console.log(`  ${dialect.name}: latency p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`);
    }
    if (flags.workloads.includes("catchup")) {
      if (dialect === ours) {
        const ms = await catchUp(dialect, ports);
        results.catchup = `${ms.toFixed(0)} ms`;
        console.log(`  ${dialect.name}: caught up ${CATCH_UP} publications in ${ms.toFixed(0)} ms`);
      } else {
        results.catchup = "cannot (no recovery with the Redis adapter)";
      }
    }
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
    await redis.stop(true);
  }
  return results;
}

const dialects = [ours, socketio].filter((d) =>
  flags.only === null || (flags.only === "ours" ? d === ours : d === socketio)
);
const all: Array<[Dialect, Record<string, string>]> = [];
if (flags.workloads.includes("throughput")) {
  buildLoadgen(LOADGEN_SOURCE, LOADGEN);
  console.log(
    PINNED
      ? `throughput: loadgen chat-cluster on core ${LOADGEN_CORE}; both nodes and Redis share ` +
        `core ${SERVERS_CORE}; ${flags.subscribers} subscribers + ` +
        `${PUBLISHERS_PER_NODE * 2} publishers, ${WINDOW} publications in flight per publisher, ` +
        `${DATA_SIZE}-byte data`
      : "throughput: NOT pinned (taskset missing or fewer than 2 cores): generator and servers share the CPUs",
  );
}
for (const dialect of dialects) {
  console.log(`=== ${dialect.name}`);
  all.push([dialect, await runDialect(dialect)]);
}
console.log(
  `\n| workload (${flags.subscribers} subscribers, 2 nodes + Redis) | ${
    all.map(([d]) => d.name).join(" | ")
  } |`,
);
console.log(`|---|${all.map(() => "---").join("|")}|`);
for (const workload of flags.workloads) {
  console.log(`| ${workload} | ${all.map(([, r]) => r[workload] ?? "").join(" | ")} |`);
}
if (flags.workloads.includes("throughput")) {
  console.log(
    `\nCPU during the throughput window (100% = one core; nodes and Redis on core ${
      PINNED ? SERVERS_CORE : "any"
    }, loadgen on core ${PINNED ? LOADGEN_CORE : "any"}):`,
  );
  for (const [d, r] of all) console.log(`  ${d.name}: ${r.cpu}`);
}
if (all.length === 2 && all[0][1].throughput && all[1][1].throughput) {
  console.log(
    `\nthroughput ratio ours / Socket.IO: ${
      (Number(all[0][1].throughput) / Number(all[1][1].throughput)).toFixed(2)
    }x`,
  );
}

function parseFlags(args: string[]): Flags {
  const value = (name: string) => {
    const i = args.indexOf(name);
    return i < 0 ? undefined : args[i + 1];
  };
  return {
    subscribers: Number(value("--subscribers") ?? 1000),
    seconds: Number(value("--seconds") ?? 5),
    only: value("--only") ?? null,
    workloads: (value("--workloads") ?? "throughput,latency,catchup").split(","),
  };
}
