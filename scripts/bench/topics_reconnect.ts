// Topic client benchmarks (issue #18), on a private redis-server and chat nodes (examples/chat.ts):
//
//   node_modules/node24/bin/node scripts/bench/topics_reconnect.ts [--clients 1000]
//
// 1. Reconnect storm: CLIENTS topic clients (src/client/topics/, on Node's WebSocket), all on
//    node A of three Node processes sharing Redis, subscribed to 10 rooms with traffic; node A is
//    killed (SIGKILL) and every client moves to B or C and resubscribes with its last offset. Prints
//    the time until all are subscribed again (and all recovered), the Redis commands and the CPU
//    time of B and C it cost.
// 2. Publish-acknowledgement latency (one publish in flight, 2,000 of them): a chat process on its
//    own (in-process backplane), and across processes (publisher on B, subscriber on C, Redis).
//
// One JSON line per result on stdout. The machine may be shared: compare runs made together.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { TopicClient } from "../../src/adapters/topic_client.ts";
import { type RunningExample, startExample } from "../../tests/support/example_server.ts";
import { startRedisServer } from "../../tests/support/redis_server.ts";

const argv = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const CLIENTS = flag("--clients", 1000);
const ROOMS = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => boolean, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function redisCommands(port: number): number {
  const info = spawnSync("redis-cli", ["-p", String(port), "info", "stats"], { encoding: "utf8" });
  return Number(/total_commands_processed:(\d+)/.exec(info.stdout)?.[1] ?? NaN);
}

// utime + stime of a process, in ms (clock ticks of 10 ms).
function cpuMs(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function ackLatency(publishUrl: string, subscribeUrl: string, count = 2000) {
  const subscriber = new TopicClient(subscribeUrl);
  let received = 0;
  subscriber.on("message", () => received++);
  let ready = false;
  subscriber.on("subscribed", () => (ready = true));
  subscriber.subscribe("latency");
  const publisher = new TopicClient(publishUrl, { offline: { queue: 1 } });
  await waitFor(() => ready, "the subscriber");
  for (let i = 0; i < 100; i++) await publisher.publish("latency", { i }); // warm-up
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await publisher.publish("latency", { i });
    times.push(performance.now() - started);
  }
  await waitFor(() => received === count + 100, "every delivery");
  publisher.close();
  subscriber.close();
  times.sort((a, b) => a - b);
  return {
    p50_ms: +percentile(times, 0.5).toFixed(3),
    p99_ms: +percentile(times, 0.99).toFixed(3),
  };
}

const redis = await startRedisServer();
const nodes: RunningExample[] = [];
const start = () =>
  startExample({ runtime: "node", file: "examples/chat.ts", args: ["--redis", redis.url] });
try {
  nodes.push(...await Promise.all([start(), start(), start()]));
  const [a, b, c] = nodes;

  // 1. Reconnect storm.
  const clients = Array.from({ length: CLIENTS }, (_, i) => {
    // All start on A; half list B next, half C, as a load balancer would spread them.
    const urls = i % 2 === 0 ? [a.url, b.url, c.url] : [a.url, c.url, b.url];
    const client = new TopicClient(urls, { minDelay: 100, maxDelay: 2_000 });
    const state = { client, subscribed: 0, recovered: true, opens: 0 };
    client.on("open", () => state.opens++);
    client.on("subscribed", ({ recovered, resumed }) => {
      state.subscribed++;
      if (resumed && !recovered) state.recovered = false;
    });
    client.subscribe(`room-${i % ROOMS}`);
    return state;
  });
  await waitFor(() => clients.every((s) => s.subscribed === 1), "every subscribe");
  const publisher = new TopicClient(b.url, { offline: { queue: 100 } });
  for (let r = 0; r < ROOMS; r++) await publisher.publish(`room-${r}`, { r });
  await sleep(500);
  const commandsBefore = redisCommands(redis.port);
  const cpuBefore = cpuMs(b.pid) + cpuMs(c.pid);
  const killedAt = performance.now();
  await a.stop("SIGKILL");
  await waitFor(() => clients.every((s) => s.subscribed === 2), "every resubscription");
  const allLiveMs = performance.now() - killedAt;
  const commands = redisCommands(redis.port) - commandsBefore;
  const cpu = cpuMs(b.pid) + cpuMs(c.pid) - cpuBefore;
  console.log(JSON.stringify({
    bench: "topics reconnect storm",
    clients: CLIENTS,
    all_live_ms: Math.round(allLiveMs),
    all_recovered: clients.every((s) => s.recovered),
    redis_commands: commands,
    redis_commands_per_client: +(commands / CLIENTS).toFixed(2),
    server_cpu_ms: cpu,
  }));
  for (const { client } of clients) client.close();
  publisher.close();

  // 2. Publish-acknowledgement latency.
  const alone = await startExample({ runtime: "node", file: "examples/chat.ts" });
  nodes.push(alone);
  console.log(JSON.stringify({
    bench: "publish ack latency, one process (in-process backplane)",
    ...await ackLatency(alone.url, alone.url),
  }));
  console.log(JSON.stringify({
    bench: "publish ack latency, across processes (Redis)",
    ...await ackLatency(b.url, c.url),
  }));
} finally {
  await Promise.all(nodes.map((node) => node.stop("SIGKILL")));
  await redis.stop(true);
}
