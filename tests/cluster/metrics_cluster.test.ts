// Backplane metrics across processes: two `examples/chat.ts --metrics --redis URL` processes
// (Node and Deno) on a private redis-server. A publication made on one is delivered on the other:
// the publisher's process times the publish through Redis, the subscriber's measures the lag from
// Redis' append to its delivery; a Redis restart counts as a broker reconnect.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import parsePrometheus from "parse-prometheus-text-format";
import { type RunningExample, startExample } from "../support/example_server.ts";
import { Inbox } from "../support/inbox.ts";
import { type RedisServer, startRedisServer } from "../support/redis_server.ts";
import { open } from "../support/ws_client.ts";

interface Parsed {
  name: string;
  metrics: { value?: string; count?: string; sum?: string; labels?: Record<string, string> }[];
}
const parse = parsePrometheus as unknown as (text: string) => Parsed[];

async function metric(
  server: RunningExample,
  name: string,
  field: "value" | "count" | "sum" = "value",
) {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  const family = parse(text).find((candidate) => candidate.name === name);
  assert.ok(family, `${name} is exposed`);
  return family.metrics.reduce((total, sample) => total + Number(sample[field] ?? 0), 0);
}

let redis: RedisServer;
let publisher: RunningExample;
let subscriber: RunningExample;

before(async () => {
  redis = await startRedisServer();
  [publisher, subscriber] = await Promise.all([
    startExample({
      runtime: "node",
      file: "examples/chat.ts",
      args: ["--metrics", "--redis", redis.url],
    }),
    startExample({
      runtime: "deno",
      file: "examples/chat.ts",
      args: ["--metrics", "--redis", redis.url],
    }),
  ]);
});
after(async () => {
  await Promise.all([publisher?.stop(), subscriber?.stop()]);
  await redis?.stop();
});

test("a publication on one process is timed there and its lag measured on the other", async () => {
  const listener = new Inbox(await open(subscriber.url));
  listener.send({ type: "subscribe", topic: "news" });
  assert.equal((await listener.json()).type, "subscribed");
  const talker = new Inbox(await open(publisher.url));
  for (let i = 0; i < 5; i++) talker.send({ type: "publish", topic: "news", data: i });
  for (let i = 0; i < 5; i++) assert.equal((await listener.json()).data, i);
  // The publisher follows no topic: its publishes resolve once Redis has taken them.
  const deadline = Date.now() + 5_000;
  while (await metric(publisher, "omnisocket_backplane_publish_duration_seconds", "count") < 5) {
    assert.ok(Date.now() < deadline, "the publisher timed its 5 publishes");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.equal(await metric(publisher, "omnisocket_publications_total"), 5);
  assert.equal(await metric(publisher, "omnisocket_deliveries_total"), 0);
  assert.equal(await metric(subscriber, "omnisocket_publications_total"), 0);
  assert.equal(await metric(subscriber, "omnisocket_deliveries_total"), 5);
  assert.equal(await metric(subscriber, "omnisocket_backplane_lag_seconds", "count"), 5);
  const lag = await metric(subscriber, "omnisocket_backplane_lag_seconds", "sum");
  assert.ok(lag >= 0 && lag < 5, `5 lags sum to ${lag} s`);
  listener.close();
  talker.close();
});

test("a Redis restart counts as a broker reconnect", async () => {
  const before = await metric(subscriber, "omnisocket_broker_reconnects_total");
  await redis.stop();
  await redis.restart();
  const deadline = Date.now() + 10_000;
  while (await metric(subscriber, "omnisocket_broker_reconnects_total") === before) {
    assert.ok(Date.now() < deadline, "a reconnect was counted");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(await metric(subscriber, "omnisocket_broker_reconnects_total"), before + 1);
});
