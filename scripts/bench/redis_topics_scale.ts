// Many topics over four processes (issue #19, scale figure 2): deliveries/s with 4 Node processes
// and 1,000 topics on one private redis-server and on a private three-master Redis Cluster, ours
// (examples/chat.ts --redis URL, or --redis URL1,URL2,URL3 for the cluster's seeds) against
// Socket.IO with @socket.io/redis-adapter's sharded adapter (createShardedAdapter, one sharded
// channel per room; scripts/bench/servers/socketio_sharded.mjs) on the same kind of Redis.
//
//   node_modules/.bin/node scripts/bench/redis_topics_scale.ts [--topics 1000]
//        [--subscribers 4000] [--publishers 16] [--window 32] [--seconds 5]
//        [--only ours|socketio] [--brokers redis,cluster]
//
// Load: the native generator (scripts/bench/loadgen.c, chat-cluster mode with a TOPICS argument)
// on core 1; the four processes and Redis (or the cluster's three masters) pinned together to
// core 0. Each subscriber follows one topic; with 4,000 subscribers every topic has one subscriber
// on each of the four processes. Publisher j follows the topics t = j (mod publishers) and
// publishes to them in turn (1,000 / 16: 62 or 63 topics each, under the chat's 100 per connection),
// keeping `--window` publications not yet delivered back to itself.
// Each process's CPU over the timed window is printed, so one can tell who saturated. Each side
// gets a fresh Redis (or cluster). On a shared 2-core machine read the ratios, not the figures.

import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { buildLoadgen, loadgenBinary } from "./lib/loadgen.ts";
import { canPin, pinProcess, runPinnedLoadgen } from "./lib/pinned_loadgen.ts";
import {
  REPO_ROOT,
  type RunningExample,
  startExample,
} from "../../tests/support/example_server.ts";
import { startRedisServer } from "../../tests/support/redis_server.ts";
import { startRedisCluster } from "../../tests/support/redis_cluster.ts";

const args = process.argv.slice(2);
const value = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const TOPICS = Number(value("--topics") ?? 1000);
const SUBSCRIBERS = Number(value("--subscribers") ?? 4000);
const PUBLISHERS = Number(value("--publishers") ?? 16);
const WINDOW = Number(value("--window") ?? 32);
const SECONDS = Number(value("--seconds") ?? 5);
const ONLY = value("--only");
const BROKERS = (value("--brokers") ?? "redis,cluster").split(",");
const PROCESSES = 4;
/** The chat's limit of topics per connection (examples/chat_handler.ts). */
const CHAT_TOPICS_PER_CONNECTION = 100;
if (Math.ceil(TOPICS / PUBLISHERS) > CHAT_TOPICS_PER_CONNECTION) {
  throw new Error(
    `Cannot run: each publisher would follow ${Math.ceil(TOPICS / PUBLISHERS)} topics, ` +
      `over the chat's ${CHAT_TOPICS_PER_CONNECTION} per connection (raise --publishers)`,
  );
}
/** Bytes of `data` in each publication. */
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

interface Side {
  name: string;
  file: string;
  /** The dialect argument of `loadgen chat-cluster`. */
  loadgen: "omnisocket" | "socketio";
}

const ours: Side = {
  name: "omnisocket chat.ts --redis",
  file: "examples/chat.ts",
  loadgen: "omnisocket",
};
const socketio: Side = {
  name: "Socket.IO + createShardedAdapter",
  file: "scripts/bench/servers/socketio_sharded.mjs",
  loadgen: "socketio",
};

interface Broker {
  url: string;
  /** Process ids by name, measured over the window. */
  pids: Record<string, number>;
  stop(): Promise<void>;
}

async function startBroker(kind: string): Promise<Broker> {
  if (kind === "redis") {
    const redis = await startRedisServer();
    return { url: redis.url, pids: { redis: redis.pid! }, stop: () => redis.stop(true) };
  }
  const cluster = await startRedisCluster();
  const pids: Record<string, number> = {};
  cluster.nodes.forEach((node, i) => (pids[`master ${i + 1}`] = node.pid!));
  return { url: cluster.url, pids, stop: () => cluster.stop() };
}

interface Result {
  /** Share of the servers' CPU spent in the kernel (stime) over about the last window. */
  kernelShare: number;
  rate: number;
  /** Deliveries per CPU-second of the servers (the processes and Redis): the rate per core. */
  perCore: number;
  cores: Record<string, number>;
  otherCores: number;
  coreBusy: number[];
  loadgen: Record<string, number>;
}

async function measure(side: Side, brokerKind: string): Promise<Result> {
  const broker = await startBroker(brokerKind);
  const nodes: RunningExample[] = [];
  try {
    for (let i = 0; i < PROCESSES; i++) {
      nodes.push(
        await startExample({ runtime: "node", file: side.file, args: ["--redis", broker.url] }),
      );
    }
    const pids: Record<string, number> = {};
    nodes.forEach((node, i) => (pids[`process ${i + 1}`] = node.pid!));
    Object.assign(pids, broker.pids);
    const restore = PINNED ? Object.values(pids).map((pid) => pinProcess(pid, SERVERS_CORE)) : [];
    // User and kernel time of the servers, sampled; the generator exits right after its window,
    // so the last SECONDS of samples are about the window.
    const samples: Array<[number, number, number]> = [];
    const sample = () => samples.push([performance.now(), ...userSystem(Object.values(pids))]);
    const sampler = setInterval(sample, 100);
    try {
      const run = await runPinnedLoadgen(
        LOADGEN,
        [
          "chat-cluster",
          side.loadgen,
          "127.0.0.1",
          nodes.map((node) => node.port).join(","),
          String(SUBSCRIBERS),
          String(PUBLISHERS),
          String(WINDOW),
          String(DATA_SIZE),
          String(SECONDS),
          String(WARMUP_SECONDS),
          String(TOPICS),
        ],
        PINNED ? LOADGEN_CORE : undefined,
        pids,
      );
      if (!run.result) {
        throw new Error(
          `Cannot measure ${side.name}: loadgen exited ${run.exitCode}\n${run.stderr}`,
        );
      }
      if (run.exitCode !== 0) {
        console.log(`  warning: loadgen exited ${run.exitCode}: ${run.stderr.trim()}`);
      }
      clearInterval(sampler);
      sample();
      const end = samples[samples.length - 1];
      const start = samples.find(([t]) => t >= end[0] - SECONDS * 1000) ?? samples[0];
      const kernelShare = (end[2] - start[2]) / (end[1] - start[1] + end[2] - start[2]);
      const serverCores = Object.keys(pids).reduce((sum, name) => sum + run.cores[name], 0);
      return {
        kernelShare,
        rate: run.result.msgs_per_s,
        perCore: run.result.msgs_per_s / serverCores,
        cores: run.cores,
        otherCores: run.otherCores,
        coreBusy: run.coreBusy,
        loadgen: run.result,
      };
    } finally {
      clearInterval(sampler);
      for (const put of restore) put();
    }
  } finally {
    await Promise.all(nodes.map((node) => node.stop("SIGKILL")));
    await broker.stop();
  }
}

/** Summed user and system CPU ticks of `pids` (/proc/PID/stat fields 14 and 15). */
function userSystem(pids: number[]): [number, number] {
  let user = 0;
  let system = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      user += Number(fields[11]);
      system += Number(fields[12]);
    } catch {
      // Gone: counts nothing.
    }
  }
  return [user, system];
}

function describeCores(r: Result): string {
  const pct = (cores: number) => `${Math.round(cores * 100)}%`;
  const each = Object.entries(r.cores).map(([name, cores]) => `${name} ${pct(cores)}`);
  const busy = r.coreBusy.map((cores, core) => `core ${core} ${pct(cores)}`).join(", ");
  return `${each.join(", ")}; other processes ${pct(r.otherCores)}; busy: ${busy}`;
}

buildLoadgen(LOADGEN_SOURCE, LOADGEN);
console.log(
  `${PROCESSES} Node processes, ${TOPICS} topics, ${SUBSCRIBERS} subscribers (one topic each), ` +
    `${PUBLISHERS} publishers (${WINDOW} publications in flight each, ${DATA_SIZE}-byte data), ` +
    `${SECONDS} s after ${WARMUP_SECONDS} s of warm-up; ` +
    (PINNED
      ? `processes and Redis on core ${SERVERS_CORE}, loadgen on core ${LOADGEN_CORE}`
      : "NOT pinned (taskset missing or fewer than 2 cores)"),
);
const sides = [ours, socketio].filter((side) =>
  ONLY === undefined || (ONLY === "ours" ? side === ours : side === socketio)
);
const rows: Array<[string, Side, Result]> = [];
for (const broker of BROKERS) {
  const where = broker === "redis" ? "one Redis" : "a 3-master Redis Cluster";
  for (const side of sides) {
    console.log(`=== ${side.name} on ${where}`);
    const result = await measure(side, broker);
    rows.push([broker, side, result]);
    const l = result.loadgen;
    console.log(
      `  ${Math.round(result.rate)} deliveries/s (published ${l.published}, echoed ${l.echoed}, ` +
        `connections ${l.connections})`,
    );
    console.log(`  CPU over the window (100% = one core): ${describeCores(result)}`);
    console.log(
      `  ${Math.round(result.perCore)} deliveries per CPU-second of the processes and Redis; ` +
        `${Math.round(result.kernelShare * 100)}% of their CPU in the kernel`,
    );
  }
}
console.log(
  `\n| broker: deliveries/s (per server CPU-second) | ${
    sides.map((side) => side.name).join(" | ")
  } | ratio (per CPU-second) |`,
);
console.log(`|---|${sides.map(() => "---").join("|")}|---|`);
for (const broker of BROKERS) {
  const results = sides.map((side) => rows.find(([b, s]) => b === broker && s === side)?.[2]);
  const cells = results.map((r) => r ? `${Math.round(r.rate)} (${Math.round(r.perCore)})` : "");
  const ratio = results.length === 2 && results[0] && results[1]
    ? `${(results[0].rate / results[1].rate).toFixed(2)}x (${
      (results[0].perCore / results[1].perCore).toFixed(2)
    }x)`
    : "";
  console.log(`| ${broker} | ${cells.join(" | ")} | ${ratio} |`);
}
