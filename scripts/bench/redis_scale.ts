/**
 * Two scale figures of the Redis backplane on a private redis-server (and a private three-master
 * Redis Cluster), in one Node process (each backplane is what one server process would hold):
 *
 * 1. Routing: three "processes" each follow 4 of 12 topics, a fourth follows all 12; a publisher
 *    publishes the same number of publications to every topic. Bytes each reads from Redis (a
 *    counting TCP proxy between it and Redis) against the one that follows everything: a process
 *    serving a third of the topics should read about a third.
 * 2. Redis cost per publication: Redis' CPU time (utime + stime from /proc) over N publications
 *    to 1,000 topics, with 1 and with 4 following processes: the fixed cost per publication and
 *    the cost per following process, the inputs of the saturation model in the README.
 *
 *   node_modules/.bin/node scripts/bench/redis_scale.ts [--publications N]
 *
 * @module
 */

import { createServer, type Server, type Socket } from "node:net";
import { connect as tcpConnect } from "node:net";
import { readFileSync } from "node:fs";
import process from "node:process";
import { startRedisServer } from "../../tests/support/redis_server.ts";
import { startRedisCluster } from "../../tests/support/redis_cluster.ts";
import { RedisBackplane } from "../../src/backplanes/redis_backplane.ts";

const args = process.argv.slice(2);
const flagAt = args.indexOf("--publications");
const PUBLICATIONS = flagAt < 0 ? 20_000 : Number(args[flagAt + 1]);
const PAYLOAD = JSON.stringify({ from: "alice", text: "x".repeat(100) });

/** A TCP proxy to `port` that counts the bytes Redis sends through it. */
async function countingProxy(
  port: number,
): Promise<{ url: string; read: () => number; server: Server }> {
  let read = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = tcpConnect(port, "127.0.0.1");
    sockets.add(client).add(upstream);
    upstream.on("data", (chunk) => (read += chunk.length));
    client.pipe(upstream).pipe(client);
    const end = () => (client.destroy(), upstream.destroy());
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  return { url: `redis://127.0.0.1:${address.port}`, read: () => read, server };
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks of 10 ms
}

async function publishAll(publisher: RedisBackplane, topics: string[], count: number) {
  const batch: Promise<string>[] = [];
  for (let i = 0; i < count; i++) {
    batch.push(publisher.publish(topics[i % topics.length], PAYLOAD, "bench.1"));
    if (batch.length === 500) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
}

async function settle(check: () => boolean) {
  const deadline = Date.now() + 30_000;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

// 1. Routing, on one Redis (a proxy per process is possible there: one port).
{
  const redis = await startRedisServer();
  const topics = Array.from({ length: 12 }, (_, i) => `room${i}`);
  const proxies = await Promise.all([0, 1, 2, 3].map(() => countingProxy(redis.port)));
  const followers = await Promise.all(
    proxies.map((proxy) => RedisBackplane.connect({ url: proxy.url, syncInterval: 0 })),
  );
  const received = [0, 0, 0, 0];
  for (let p = 0; p < 3; p++) {
    for (const topic of topics.slice(p * 4, p * 4 + 4)) {
      await followers[p].follow(topic, () => received[p]++);
    }
  }
  for (const topic of topics) await followers[3].follow(topic, () => received[3]++);
  const publisher = await RedisBackplane.connect({ url: redis.url });
  const before = proxies.map((proxy) => proxy.read());
  const count = PUBLICATIONS - (PUBLICATIONS % 12);
  await publishAll(publisher, topics, count);
  await settle(() => received[3] === count && received.slice(0, 3).every((n) => n === count / 3));
  const bytes = proxies.map((proxy, i) => proxy.read() - before[i]);
  console.log(
    `routing: ${count} publications of ${PAYLOAD.length} B over 12 topics, one Redis ` +
      `(syncInterval 0: reads are the deliveries only)`,
  );
  for (let p = 0; p < 4; p++) {
    console.log(
      `  process ${p + 1}: follows ${p < 3 ? 4 : 12} topics, received ${received[p]}, read ` +
        `${bytes[p]} B = ${(bytes[p] / bytes[3] * 100).toFixed(1)}% of the all-topics process ` +
        `(share ${p < 3 ? "33.3" : "100"}%; ${(bytes[p] / received[p]).toFixed(0)} B per delivery)`,
    );
  }
  await Promise.all([...followers, publisher].map((b) => b.close()));
  for (const proxy of proxies) proxy.server.close();
  await redis.stop(true);
}

// 2. Redis CPU per publication, by following processes, on one Redis and on each master of a
// three-master cluster.
async function cost(
  name: string,
  urls: string[],
  pids: () => number[],
) {
  const topics = Array.from({ length: 1000 }, (_, i) => `topic${i}`);
  for (const processes of [1, 4]) {
    const followers = await Promise.all(
      Array.from({ length: processes }, () => RedisBackplane.connect({ urls, syncInterval: 0 })),
    );
    let received = 0;
    for (const follower of followers) {
      await Promise.all(topics.map((topic) => follower.follow(topic, () => received++)));
    }
    const publisher = await RedisBackplane.connect({ urls });
    const cpuBefore = pids().map(cpuMs);
    const started = performance.now();
    await publishAll(publisher, topics, PUBLICATIONS);
    await settle(() => received === PUBLICATIONS * processes);
    const seconds = (performance.now() - started) / 1000;
    const cpu = pids().map(cpuMs).reduce((sum, ms, i) => sum + ms - cpuBefore[i], 0);
    console.log(
      `  ${name}, ${processes} following process(es): ${
        (cpu * 1000 / PUBLICATIONS).toFixed(1)
      } µs ` +
        `of Redis CPU per publication (all masters), ${received} deliveries to processes in ` +
        `${seconds.toFixed(2)} s (${
          Math.round(PUBLICATIONS / seconds)
        } publications/s, one publisher)`,
    );
    await Promise.all([...followers, publisher].map((b) => b.close()));
  }
}

console.log(`cost: ${PUBLICATIONS} publications of ${PAYLOAD.length} B over 1,000 topics`);
{
  const redis = await startRedisServer();
  await cost("one Redis", [redis.url], () => [redis.pid!]);
  await redis.stop(true);
}
{
  const cluster = await startRedisCluster();
  await cost("3-master cluster", cluster.urls, () => cluster.nodes.map((node) => node.pid!));
  await cluster.stop();
}
