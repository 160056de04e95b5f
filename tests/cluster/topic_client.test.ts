// The topic client (src/client/topics/) against the topics protocol of examples/chat.ts: 1,000
// connections cut by the test (through TCP proxies) and a node killed, with nothing lost and
// nothing duplicated; a gap past the history reported as recovered: false; a frozen node
// (SIGSTOP) left within the configured time, and within 30 s by default. Clients run on
// omnisocket's client (the topic client's default) over this runtime's sockets.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { connect as netConnect } from "node:net";
import { TopicClient, type TopicClientOptions } from "../../src/adapters/topic_client.ts";
import { type RunningExample, type Runtime, startExample } from "../support/example_server.ts";
import { type RedisServer, startRedisServer } from "../support/redis_server.ts";

// A TCP proxy to one node: the test cuts every connection through it, or refuses new ones.
class CuttingProxy {
  upstream: number;
  refusing = false;
  #server: Server;
  #pairs = new Set<[Socket, Socket]>();

  constructor(upstream: number) {
    this.upstream = upstream;
    this.#server = createServer((client) => {
      if (this.refusing) return void client.destroy();
      const server = netConnect(this.upstream, "127.0.0.1");
      const pair: [Socket, Socket] = [client, server];
      this.#pairs.add(pair);
      const end = () => {
        this.#pairs.delete(pair);
        client.destroy();
        server.destroy();
      };
      client.on("error", end).on("close", end);
      server.on("error", end).on("close", end);
      client.pipe(server);
      server.pipe(client);
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve) => {
      this.#server.listen(0, "127.0.0.1", () => {
        resolve((this.#server.address() as { port: number }).port);
      });
    });
  }

  get connections(): number {
    return this.#pairs.size;
  }

  cut(): number {
    const count = this.#pairs.size;
    for (const [client, server] of [...this.#pairs]) {
      client.destroy();
      server.destroy();
    }
    return count;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

interface Recorder {
  client: TopicClient;
  opens: string[];
  received: Array<{ data: { n: number }; offset: string }>;
  subscribed: Array<{ recovered: boolean; resumed: boolean }>;
}

function recorder(urls: string[], topic: string, options: TopicClientOptions = {}): Recorder {
  const client = new TopicClient(urls, { minDelay: 10, maxDelay: 200, ...options });
  const record: Recorder = { client, opens: [], received: [], subscribed: [] };
  client.on("open", ({ url }) => record.opens.push(url));
  client.on("message", ({ data, offset }) => {
    record.received.push({ data: data as { n: number }, offset });
  });
  client.on(
    "subscribed",
    ({ recovered, resumed }) => record.subscribed.push({ recovered, resumed }),
  );
  client.subscribe(topic);
  return record;
}

async function waitFor(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("topic client on a chat cluster (Node, Deno, Bun on one Redis)", () => {
  const RUNTIMES: Runtime[] = ["node", "deno", "bun"];
  let redis: RedisServer;
  const nodes: RunningExample[] = [];
  const proxies: CuttingProxy[] = [];
  const proxyUrls: string[] = [];
  const start = (runtime: Runtime) =>
    startExample({
      runtime,
      file: "examples/chat.ts",
      args: ["--redis", redis.url, "--history", "100000"],
    });

  before(async () => {
    redis = await startRedisServer();
    nodes.push(...await Promise.all(RUNTIMES.map(start)));
    for (const node of nodes) {
      const proxy = new CuttingProxy(node.port);
      proxies.push(proxy);
      proxyUrls.push(`ws://127.0.0.1:${await proxy.listen()}/`);
    }
  });

  after(async () => {
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await Promise.all(nodes.map((node) => node.stop("SIGKILL")));
    await redis?.stop(true);
  });

  test("1,000 forced reconnections and a killed node lose nothing and duplicate nothing", async () => {
    const TOPIC = "storm";
    const CLIENTS = 12;
    // The publisher talks to the Node process directly (never cut, never killed).
    const publisher = new TopicClient(nodes[0].url, { offline: { queue: 1000 } });
    let publishing = true;
    // A topic without any publication has no offset to resume from (a resubscription says
    // recovered: false): give it one first.
    await publisher.publish(TOPIC, { n: -1 });
    // Each client starts on a different node and moves on to the next after a failure.
    const subscribers = Array.from(
      { length: CLIENTS },
      (_, i) => recorder([0, 1, 2].map((k) => proxyUrls[(i + k) % 3]), TOPIC),
    );
    try {
      await waitFor(() => subscribers.every((s) => s.subscribed.length === 1), "subscribes");
      const reconnections = () => subscribers.reduce((sum, s) => sum + s.opens.length - 1, 0);
      let sent = 0;
      const acks: Promise<string | Error>[] = [];
      const publishing_loop = (async () => {
        while (publishing) {
          // Kept, not thrown: a rejection is asserted below, after the storm, not mid-loop.
          acks.push(publisher.publish(TOPIC, { n: sent++ }).catch((error: Error) => error));
          await sleep(3);
        }
      })();
      let killed = false;
      let cuts = 0;
      let round = 0;
      while (reconnections() < 1000) {
        if (!killed && reconnections() >= 500) {
          // Kill the Deno node outright; its clients move on; restart it behind the same proxy.
          killed = true;
          await nodes[1].stop("SIGKILL");
          nodes[1] = await start("deno");
          proxies[1].upstream = nodes[1].port;
        }
        cuts += proxies[round++ % 3].cut();
        if (process.env.TOPIC_DEBUG) console.log(`# ${reconnections()} ${cuts} ${sent}`);
        await sleep(15);
      }
      publishing = false;
      await publishing_loop;
      const offsets = await Promise.all(acks);
      assert.deepEqual(offsets.filter((each) => each instanceof Error), [], "no publish failed");
      assert.equal(new Set(offsets).size, sent, "every publish acknowledged once");
      await waitFor(
        () => subscribers.every((s) => s.received.length >= sent),
        "every delivery",
        30_000,
      ).catch((error) => {
        for (const s of subscribers) {
          const ns = s.received.map((m) => m.data.n);
          const missing = Array.from({ length: sent }, (_, n) => n).filter((n) => !ns.includes(n));
          console.log(
            `# ${s.received.length}/${sent} connected=${s.client.connected} opens=${s.opens.length} subs=${s.subscribed.length} last=${
              JSON.stringify(s.subscribed.at(-1))
            } missing=${missing.slice(0, 10)} tail=${s.received.slice(-3).map((m) => m.offset)}`,
          );
        }
        throw error;
      });
      await sleep(200);
      const expected = Array.from({ length: sent }, (_, n) => n);
      for (const { received, subscribed } of subscribers) {
        assert.deepEqual(received.map((m) => m.data.n), expected, "0 lost, 0 duplicated");
        assert.ok(
          subscribed.slice(1).every((s) => s.resumed && s.recovered),
          "every resubscription recovered",
        );
      }
      assert.ok(reconnections() >= 1000, `${reconnections()} reconnections`);
      console.log(`# ${reconnections()} reconnections, ${cuts} cut connections, ${sent} messages`);
    } finally {
      // A failed assertion must not leave the loop publishing into the next tests.
      publishing = false;
      publisher.close();
      for (const { client } of subscribers) client.close();
    }
  });

  test("a publish retried under the same id on another node is not published twice", async () => {
    const subscriber = recorder([nodes[2].url], "retry");
    try {
      await waitFor(() => subscriber.subscribed.length === 1, "the subscribe");
      // The first try on the Node process, the retry (same id) on the Deno one, then the Bun one.
      const offsets = [];
      for (const node of nodes) offsets.push(await rawPublish(node.url, "retry", "once-1"));
      await rawPublish(nodes[1].url, "retry", "once-2");
      await waitFor(() => subscriber.received.length === 2, "the deliveries");
      await sleep(200);
      assert.equal(new Set(offsets).size, 1, `one offset: ${offsets}`);
      assert.deepEqual(subscriber.received.map((m) => (m.data as unknown as { id: string }).id), [
        "once-1",
        "once-2",
      ]);
    } finally {
      subscriber.client.close();
    }
  });
});

async function rawPublish(url: string, topic: string, id: string): Promise<string> {
  const socket = new WebSocket(url);
  try {
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = reject;
    });
    const reply = new Promise<{ type: string; offset?: string }>((resolve) => {
      socket.onmessage = (event) => resolve(JSON.parse(String(event.data)));
    });
    socket.send(JSON.stringify({ type: "publish", topic, data: { id }, id }));
    const answer = await reply;
    assert.equal(answer.type, "published", JSON.stringify(answer));
    return answer.offset!;
  } finally {
    socket.close();
  }
}

describe("topic client on one node", () => {
  let node: RunningExample;
  let proxy: CuttingProxy;
  let proxyUrl: string;

  before(async () => {
    node = await startExample({
      runtime: "node",
      file: "examples/chat.ts",
      args: ["--history", "5"],
    });
    proxy = new CuttingProxy(node.port);
    proxyUrl = `ws://127.0.0.1:${await proxy.listen()}/`;
  });

  after(async () => {
    await proxy.close();
    await node.stop("SIGKILL");
  });

  test("a gap within the history is recovered and one past it is reported recovered: false", async () => {
    const subscriber = recorder([proxyUrl], "gap");
    const publisher = new TopicClient(node.url);
    try {
      await waitFor(() => subscriber.subscribed.length === 1, "the subscribe");
      assert.equal(subscriber.subscribed[0].recovered, false, "false the first time");
      await waitFor(() => publisher.connected, "the publisher");
      await publisher.publish("gap", { n: 0 });
      await waitFor(() => subscriber.received.length === 1, "the first message");

      // A short gap (3 < history 5): recovered, nothing missing.
      proxy.refusing = true;
      proxy.cut();
      for (let n = 1; n <= 3; n++) await publisher.publish("gap", { n });
      proxy.refusing = false;
      await waitFor(() => subscriber.subscribed.length === 2, "the resubscription");
      assert.deepEqual(subscriber.subscribed[1], { recovered: true, resumed: true });
      await waitFor(() => subscriber.received.length === 4, "the replay");
      assert.deepEqual(subscriber.received.map((m) => m.data.n), [0, 1, 2, 3]);

      // A long gap (20 > history 5): said so, not hidden.
      proxy.refusing = true;
      proxy.cut();
      for (let n = 4; n < 24; n++) await publisher.publish("gap", { n });
      proxy.refusing = false;
      await waitFor(() => subscriber.subscribed.length === 3, "the second resubscription");
      assert.deepEqual(subscriber.subscribed[2], { recovered: false, resumed: true });
      await publisher.publish("gap", { n: 24 });
      await waitFor(() => subscriber.received.at(-1)?.data.n === 24, "live again");
    } finally {
      subscriber.client.close();
      publisher.close();
    }
  });

  test("a publish while disconnected rejects at once by default, and waits with a queue", async () => {
    proxy.refusing = true;
    proxy.cut();
    const strict = new TopicClient([proxyUrl]);
    const queued = new TopicClient([proxyUrl], { offline: { queue: 2 }, minDelay: 10 });
    try {
      await assert.rejects(strict.publish("q", { n: 1 }), /not connected/);
      const first = queued.publish("q", { n: 1 });
      const second = queued.publish("q", { n: 2 });
      await assert.rejects(queued.publish("q", { n: 3 }), /already queued/);
      proxy.refusing = false;
      const [a, b] = await Promise.all([first, second]);
      assert.ok(a < b || a.length < b.length, `${a} before ${b}`);
    } finally {
      proxy.refusing = false;
      strict.close();
      queued.close();
    }
  });

  test("messages() iterates a topic in order and an aborted signal closes the client", async () => {
    const controller = new AbortController();
    const client = new TopicClient([node.url], { signal: controller.signal });
    const publisher = new TopicClient(node.url);
    let subscribed = false;
    client.on("subscribed", () => (subscribed = true));
    const seen: number[] = [];
    const loop = (async () => {
      for await (const { data } of client.messages("iterated")) {
        seen.push((data as { n: number }).n);
      }
    })();
    try {
      await waitFor(() => subscribed && publisher.connected, "both clients");
      for (let n = 0; n < 5; n++) await publisher.publish("iterated", { n });
      await waitFor(() => seen.length === 5, "the iteration");
      assert.deepEqual(seen, [0, 1, 2, 3, 4]);
      controller.abort();
      await loop; // the iteration ends with the client
      assert.equal(client.connected, false);
      await assert.rejects(client.publish("iterated", { n: 5 }), /closed/);
    } finally {
      client.close();
      publisher.close();
    }
  });

  test("a publish retried under the same id is published once", async () => {
    const socket = new WebSocket(node.url);
    const replies: Array<{ type: string; id?: string; offset?: string }> = [];
    socket.onmessage = (event) => replies.push(JSON.parse(String(event.data)));
    await new Promise((resolve) => (socket.onopen = resolve));
    try {
      socket.send(JSON.stringify({ type: "subscribe", topic: "once" }));
      for (let i = 0; i < 3; i++) {
        socket.send(JSON.stringify({ type: "publish", topic: "once", data: "x", id: "same" }));
      }
      await waitFor(() => replies.filter((r) => r.type === "published").length === 3, "acks");
      await sleep(100);
      const offsets = replies.filter((r) => r.type === "published").map((r) => r.offset);
      assert.equal(new Set(offsets).size, 1, "one offset for one id");
      assert.equal(replies.filter((r) => r.type === "message").length, 1, "published once");
    } finally {
      socket.close();
    }
  });
});

describe("topic client leaving a frozen node", () => {
  const frozen: RunningExample[] = [];
  let spare: RunningExample;

  before(async () => {
    frozen.push(
      ...await Promise.all(
        [0, 1].map(() => startExample({ runtime: "node", file: "examples/chat.ts" })),
      ),
    );
    spare = await startExample({ runtime: "node", file: "examples/chat.ts" });
  });

  after(async () => {
    for (const node of frozen) {
      if (node.pid !== undefined) process.kill(node.pid, "SIGCONT");
      await node.stop("SIGKILL");
    }
    await spare.stop("SIGKILL");
  });

  const leaves = async (node: RunningExample, options: TopicClientOptions, limitMs: number) => {
    const client = recorder([node.url, spare.url], "frozen", options);
    try {
      await waitFor(() => client.subscribed.length === 1, "the subscribe");
      process.kill(node.pid!, "SIGSTOP");
      const stoppedAt = Date.now();
      await waitFor(() => client.opens.length === 2, "the move to the spare node", limitMs + 5_000);
      const leftAfter = Date.now() - stoppedAt;
      assert.equal(client.opens[1], spare.url);
      assert.ok(leftAfter <= limitMs, `left after ${leftAfter} ms (limit ${limitMs})`);
      await waitFor(() => client.subscribed.length === 2, "the resubscription");
      console.log(`# frozen node left after ${leftAfter} ms (limit ${limitMs})`);
    } finally {
      client.client.close();
    }
  };

  test("a client with timeout 1 s leaves a SIGSTOPped node within 2 s", async () => {
    await leaves(frozen[0], { timeout: 1_000, pingInterval: 250 }, 2_000);
  });

  test("a client with the defaults leaves a SIGSTOPped node within 30 s", async () => {
    await leaves(frozen[1], {}, 30_000);
  });
});
