/**
 * Redis memory per topic, by history setting: publishes one publication to each of N fresh
 * topics through the Redis backplane (as a chat with short-lived, per-user topics does) into a
 * private redis-server, and reads `used_memory` before and after.
 *
 *   node_modules/.bin/node scripts/bench/redis_topic_memory.ts [--topics N] [--bytes B]
 *
 * @module
 */

import { startRedisServer } from "../../tests/support/redis_server.ts";
import { RedisBackplane } from "../../src/backplanes/redis_backplane.ts";
import { createClient } from "redis";
import process from "node:process";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : Number(args[i + 1]);
};
const TOPICS = flag("--topics", 50_000);
const BYTES = flag("--bytes", 64);

const redis = await startRedisServer();
const admin = createClient({ url: redis.url, RESP: 2 });
await admin.connect();
const usedMemory = async () => {
  const info = String(await admin.sendCommand(["INFO", "memory"]));
  return Number(/used_memory:(\d+)/.exec(info)![1]);
};

const payload = JSON.stringify({ from: "user-123456", text: "x".repeat(BYTES) }).slice(0, BYTES);
console.log(
  `redis-server ${
    String(await admin.sendCommand(["INFO", "server"])).match(/redis_version:(\S+)/)![1]
  }, ${TOPICS} topics, one ${payload.length}-byte publication each`,
);
console.log("history  historyTtl  bytes/topic");
for (const history of [0, 1, 1000]) {
  await admin.sendCommand(["FLUSHALL"]);
  const backplane = await RedisBackplane.connect({ url: redis.url, history });
  const before = await usedMemory();
  const batch: Promise<string>[] = [];
  for (let i = 0; i < TOPICS; i++) {
    batch.push(backplane.publish(`user:${i.toString(36)}:inbox`, payload, "a1b2c3.d4e5f6.1"));
    if (batch.length === 1000) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
  const after = await usedMemory();
  console.log(
    `${String(history).padStart(7)}  ${"24 h".padStart(10)}  ${
      ((after - before) / TOPICS).toFixed(0).padStart(11)
    }`,
  );
  await backplane.close();
}
admin.destroy();
await redis.stop(true);
