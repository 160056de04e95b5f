// One chat served by a Node, a Deno and a Bun process sharing a private redis-server
// (examples/chat.ts --redis URL), then a private three-master Redis Cluster (--redis URL,URL,URL): one order for every subscriber on every node, a slow subscriber
// closed 1008, Redis stopped and restarted mid-stream, a node killed with SIGKILL and its client
// resuming on another node. Clients are examples/chat_client.ts on Node's WebSocket.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { ChatClient, type ChatClientEvents } from "../../examples/chat_client.ts";
import { type RunningExample, type Runtime, startExample } from "../support/example_server.ts";
import { startRedisServer } from "../support/redis_server.ts";
import { startRedisCluster } from "../support/redis_cluster.ts";

const RUNTIMES: Runtime[] = ["node", "deno", "bun"];
// Small enough that the slow-subscriber test fills it quickly through Redis.
const MAX_BUFFERED = 1024 * 1024;

interface Received {
  topic: string;
  data: { from?: string; n?: number; pad?: string };
  offset: string;
}

/** A ChatClient that records what it hears. */
function recordingClient(urls: string | string[]) {
  const received: Received[] = [];
  const subscribed: Array<{ topic: string; recovered: boolean; resumed: boolean }> = [];
  const errors: string[] = [];
  const events: ChatClientEvents = {
    message: (topic, data, offset) =>
      received.push({ topic, data: data as Received["data"], offset }),
    subscribed: (topic, recovered, resumed) => subscribed.push({ topic, recovered, resumed }),
    error: (reason) => errors.push(reason),
  };
  const client = new ChatClient(urls, events, { minDelayMs: 50, maxDelayMs: 500 });
  return { client, received, subscribed, errors };
}

async function waitFor(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One Redis or one Redis Cluster, as the chat processes see it (`--redis URL[,URL...]`). */
interface Broker {
  url: string;
  /** Every node killed (SIGKILL). */
  stop(): Promise<void>;
  /** Every node started again, empty; resolves once it serves. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

async function oneRedis(): Promise<Broker> {
  const redis = await startRedisServer();
  return {
    url: redis.url,
    stop: () => redis.stop(true),
    restart: () => redis.restart(),
    close: () => redis.stop(true),
  };
}

async function redisCluster(): Promise<Broker> {
  const cluster = await startRedisCluster();
  return {
    url: cluster.url,
    stop: async () => void await Promise.all(cluster.nodes.map((node) => node.stop())),
    restart: async () => {
      await Promise.all(cluster.nodes.map((node) => node.restart()));
      await cluster.waitOk();
    },
    close: () => cluster.stop(),
  };
}

for (
  const [name, startBroker] of [["one Redis", oneRedis], ["a Redis Cluster", redisCluster]] as const
) {
  describe(`chat cluster: Node, Deno and Bun processes on ${name}`, () => {
    let redis: Broker;
    const nodes = new Map<Runtime, RunningExample>();

    before(async () => {
      redis = await startBroker();
      const started = await Promise.all(RUNTIMES.map((runtime) =>
        startExample({
          runtime,
          file: "examples/chat.ts",
          args: [
            "--redis",
            redis.url,
            "--history",
            "1000",
            "--max-buffered-amount",
            String(MAX_BUFFERED),
          ],
        })
      ));
      RUNTIMES.forEach((runtime, i) => nodes.set(runtime, started[i]));
    });

    after(async () => {
      await Promise.all([...nodes.values()].map((node) => node.stop("SIGKILL")));
      await redis?.close();
    });

    test("every subscriber on every node sees one order when each node has a publisher", async () => {
      const clients = RUNTIMES.flatMap((runtime) => [
        recordingClient(nodes.get(runtime)!.url),
        recordingClient(nodes.get(runtime)!.url),
      ]);
      try {
        for (const { client } of clients) client.subscribe("order");
        await waitFor(() => clients.every((c) => c.subscribed.length === 1), "every subscribe");
        const PER_PUBLISHER = 100;
        // The first client on each node publishes, all three at once.
        const publishers = [0, 2, 4].map((i) => clients[i]);
        for (let n = 0; n < PER_PUBLISHER; n++) {
          publishers.forEach(({ client }, p) => client.publish("order", { from: RUNTIMES[p], n }));
        }
        const total = PER_PUBLISHER * publishers.length;
        await waitFor(() => clients.every((c) => c.received.length >= total), "every delivery");
        const reference = clients[0].received.map((m) => `${m.offset} ${JSON.stringify(m.data)}`);
        assert.equal(new Set(reference).size, total, "no duplicate");
        for (const { received } of clients) {
          assert.deepEqual(received.map((m) => `${m.offset} ${JSON.stringify(m.data)}`), reference);
        }
        for (const runtime of RUNTIMES) {
          const ns = clients[0].received.filter((m) => m.data.from === runtime).map((m) =>
            m.data.n
          );
          assert.deepEqual(ns, Array.from({ length: PER_PUBLISHER }, (_, n) => n), runtime);
        }
        for (const { errors } of clients) assert.deepEqual(errors, []);
      } finally {
        for (const { client } of clients) client.close();
      }
    });

    test("a subscriber that stops reading is closed 1008 and the others get everything", async () => {
      const healthy = recordingClient(nodes.get("deno")!.url);
      const publisher = recordingClient(nodes.get("node")!.url);
      const slow = new WebSocket(nodes.get("deno")!.url);
      try {
        await new Promise((resolve, reject) => {
          slow.once("open", resolve);
          slow.once("error", reject);
        });
        const slowAnswers: string[] = [];
        slow.on("message", (data) => slowAnswers.push(String(data)));
        slow.send(JSON.stringify({ type: "subscribe", topic: "flood" }));
        healthy.client.subscribe("flood");
        await waitFor(
          () => slowAnswers.length === 1 && healthy.subscribed.length === 1,
          "subscribes",
        );
        await waitFor(() => publisher.client.connected, "the publisher");
        const closed = new Promise<number>((resolve) =>
          slow.once("close", (code) => resolve(code))
        );
        // Stop reading: the kernel buffers fill, then the server's queue passes maxBufferedAmount.
        (slow as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
        const COUNT = 300;
        const pad = "x".repeat(60 * 1024);
        for (let n = 0; n < COUNT; n++) {
          publisher.client.publish("flood", { n, pad });
          if (n % 20 === 19) await sleep(20);
        }
        await waitFor(() => healthy.received.length === COUNT, "the healthy subscriber", 30_000);
        assert.deepEqual(healthy.received.map((m) => m.data.n), [...Array(COUNT).keys()]);
        (slow as unknown as { _socket: { resume(): void } })._socket.resume();
        assert.equal(await closed, 1008);
        assert.ok(slowAnswers.length - 1 < COUNT, "the slow subscriber did not get everything");
      } finally {
        slow.terminate();
        healthy.client.close();
        publisher.client.close();
      }
    });

    test("publishes fail while Redis is down and delivery resumes within 10 s of its restart", async () => {
      const publisher = recordingClient(nodes.get("node")!.url);
      const subscribers = [
        recordingClient(nodes.get("deno")!.url),
        recordingClient(nodes.get("bun")!.url),
      ];
      let sent = 0;
      let publishing = true;
      try {
        for (const { client } of subscribers) client.subscribe("outage");
        await waitFor(() => subscribers.every((s) => s.subscribed.length === 1), "subscribes");
        await waitFor(() => publisher.client.connected, "the publisher");
        const loop = (async () => {
          while (publishing) {
            if (publisher.client.publish("outage", { n: sent })) sent++;
            await sleep(10);
          }
        })();
        await waitFor(() => subscribers[0].received.length >= 30, "deliveries before the outage");
        await redis.stop();
        await waitFor(() => publisher.errors.length >= 5, "publish errors while Redis is down");
        const errorsWhileDown = publisher.errors.length;
        await sleep(500);
        const sentBeforeRestart = sent;
        await redis.restart();
        const restarted = Date.now();
        await waitFor(
          () => subscribers.every((s) => s.received.some((m) => m.data.n! > sentBeforeRestart)),
          "deliveries after the restart",
          10_000,
        );
        const resumedAfterMs = Date.now() - restarted;
        publishing = false;
        await loop;
        await sleep(1_000);
        const [a, b] = subscribers.map((s) => s.received.map((m) => `${m.offset} ${m.data.n}`));
        assert.deepEqual(a, b, "one order on both nodes");
        const ns = subscribers[0].received.map((m) => m.data.n!);
        assert.equal(new Set(ns).size, ns.length, "no duplicate");
        for (let i = 1; i < ns.length; i++) assert.ok(ns[i] > ns[i - 1], "publish order kept");
        // Every publish was answered: delivered, or an error ("perhaps not published").
        assert.ok(
          ns.length + publisher.errors.length >= sent,
          `${ns.length} + ${publisher.errors.length} < ${sent}`,
        );
        assert.ok(errorsWhileDown >= 5);
        assert.ok(resumedAfterMs < 10_000);
      } finally {
        publishing = false;
        publisher.client.close();
        for (const { client } of subscribers) client.close();
      }
    });

    test("a client of a node killed with SIGKILL resumes on another node, no gap, no duplicate", async () => {
      const victim = nodes.get("deno")!;
      const survivor = nodes.get("node")!;
      const resumer = recordingClient([victim.url, survivor.url]);
      const publisher = recordingClient(nodes.get("bun")!.url);
      try {
        resumer.client.subscribe("resume");
        await waitFor(() => resumer.subscribed.length === 1, "the subscribe");
        await waitFor(() => publisher.client.connected, "the publisher");
        const COUNT = 300;
        const loop = (async () => {
          for (let n = 0; n < COUNT; n++) {
            publisher.client.publish("resume", { n });
            await sleep(5);
          }
        })();
        await waitFor(() => resumer.received.length >= 50, "deliveries before the kill");
        await victim.stop("SIGKILL");
        await loop;
        await waitFor(() => resumer.received.some((m) => m.data.n === COUNT - 1), "the last one");
        assert.deepEqual(resumer.received.map((m) => m.data.n), [...Array(COUNT).keys()]);
        assert.deepEqual(resumer.subscribed.slice(1), [
          { topic: "resume", recovered: true, resumed: true },
        ]);
        assert.deepEqual(publisher.errors, []);
      } finally {
        resumer.client.close();
        publisher.client.close();
      }
    });
  });
}
