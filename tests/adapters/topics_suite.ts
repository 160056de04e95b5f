// The black-box topic suite: tests/support/topics_handler.ts served by a real
// adapter, driven over real sockets by the `ws` client. Defined once, run
// against every runtime and engine (topics.test.ts); any other server of the
// same handler (a Durable Object on workerd) can run it too.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { closed } from "../support/ws_client.ts";
import { Inbox } from "../support/inbox.ts";

/** A running topics server (tests/support/topics_server.ts or equivalent). */
export interface TopicsServer {
  port: number;
  stop(): Promise<unknown>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Defines the suite for one target (a runtime and engine, or a Durable Object). */
export function defineTopicsSuite(target: string, start: () => Promise<TopicsServer>): void {
  describe(`topics on ${target}`, () => {
    let server: TopicsServer;
    let url: string;
    let topicCount = 0;
    // A fresh topic per test: tests share one server.
    const fresh = () => `t${++topicCount}`;
    before(async () => {
      server = await start();
      url = `ws://127.0.0.1:${server.port}/`;
    });
    after(() => server.stop());

    test("publish reaches every other subscriber of the topic, not the sender nor other topics", async () => {
      const topic = fresh();
      const [a, b, c, other] = await Promise.all([url, url, url, url].map(Inbox.open));
      for (const inbox of [a, b, c]) {
        assert.deepEqual(await inbox.ask({ cmd: "sub", topic }), {
          ready: topic,
          recovered: false,
          offset: "",
        });
      }
      assert.equal((await other.ask({ cmd: "sub", topic: fresh() })).recovered, false);
      const answer = await a.ask({ cmd: "pub", topic, data: "hello" });
      assert.equal(answer.published, topic);
      assert.equal(answer.delivered, 2);
      assert.equal(answer.overflowed, 0);
      assert.match(String(answer.offset), /^.+:.+$/);
      for (const inbox of [b, c]) {
        assert.deepEqual(await inbox.json(), { topic, offset: answer.offset, data: "hello" });
      }
      // The sender and the other topic's subscriber got nothing: a later
      // answer to each is the next thing they read.
      assert.deepEqual(await a.ask({ cmd: "topics" }), { topics: [topic] });
      assert.equal((await other.ask({ cmd: "topics" })).topics instanceof Array, true);
      for (const inbox of [a, b, c, other]) inbox.close();
    });

    test("publish with self reaches the sender too, and binary stays binary", async () => {
      const topic = fresh();
      const [a, b] = await Promise.all([url, url].map(Inbox.open));
      await a.ask({ cmd: "sub", topic });
      await b.ask({ cmd: "sub", topic });
      a.send({ cmd: "pub", topic, data: "both", self: true });
      const own = await a.json();
      assert.deepEqual({ topic: own.topic, data: own.data }, { topic, data: "both" });
      assert.equal((await a.json()).delivered, 2);
      assert.equal((await b.json()).data, "both");
      await a.ask({ cmd: "pub", topic, data: "bytes", binary: true });
      const binary = await b.next();
      assert.equal(binary.text, null);
      assert.equal(binary.bytes.toString(), "bytes");
      a.close();
      b.close();
    });

    test("publications of one topic reach every subscriber in one order, each publisher's in its order", async () => {
      const topic = fresh();
      const subscribers = await Promise.all([url, url, url].map(Inbox.open));
      for (const inbox of subscribers) await inbox.ask({ cmd: "sub", topic });
      const publishers = await Promise.all([url, url, url].map(Inbox.open));
      const count = 100;
      publishers.forEach((publisher, p) =>
        publisher.send({ cmd: "burst", topic, count, tag: `p${p}` })
      );
      for (const publisher of publishers) assert.ok((await publisher.json()).burst);
      const sequences: string[][] = [];
      for (const inbox of subscribers) {
        const seen: string[] = [];
        const offsets: string[] = [];
        while (seen.length < count * publishers.length) {
          const message = await inbox.json();
          seen.push(String(message.data));
          offsets.push(String(message.offset));
        }
        assert.equal(new Set(offsets).size, offsets.length, "every offset is distinct");
        sequences.push(seen);
      }
      assert.deepEqual(sequences[1], sequences[0]);
      assert.deepEqual(sequences[2], sequences[0]);
      for (let p = 0; p < publishers.length; p++) {
        const own = sequences[0].filter((data) => data.startsWith(`p${p}:`));
        assert.deepEqual(own, Array.from({ length: count }, (_, i) => `p${p}:${i}`));
      }
      for (const inbox of [...subscribers, ...publishers]) inbox.close();
    });

    test("a peer's own sends and the publications reaching it keep their order", async () => {
      const topic = fresh();
      const a = await Inbox.open(url);
      await a.ask({ cmd: "sub", topic });
      a.send({ cmd: "sandwich", topic });
      assert.equal((await a.next()).text, "before");
      assert.equal((await a.json()).data, "middle");
      assert.equal((await a.next()).text, "after");
      a.close();
    });

    test("unsubscribe stops delivery at once and subscribing again never doubles it", async () => {
      const [topic, marker] = [fresh(), fresh()];
      const [a, publisher] = await Promise.all([url, url].map(Inbox.open));
      await a.ask({ cmd: "sub", topic });
      await a.ask({ cmd: "sub", topic: marker });
      // Again: answered again, one delivery only.
      assert.equal((await a.ask({ cmd: "sub", topic })).ready, topic);
      await publisher.ask({ cmd: "pub", topic, data: "once" });
      assert.equal((await a.json()).data, "once");
      assert.deepEqual(await a.ask({ cmd: "unsub", topic }), { unsubscribed: topic });
      assert.deepEqual(await a.ask({ cmd: "unsub", topic: fresh() }), {
        unsubscribed: `t${topicCount}`,
      });
      assert.equal((await publisher.ask({ cmd: "pub", topic, data: "gone" })).delivered, 0);
      await publisher.ask({ cmd: "pub", topic: marker, data: "marker" });
      const next = await a.json();
      assert.equal(next.data, "marker", "nothing of the left topic came before the marker");
      assert.deepEqual(await a.ask({ cmd: "topics" }), { topics: [marker] });
      a.close();
      publisher.close();
    });

    test("subscribe with since replays what was missed, then live ones, without gap or duplicate", async () => {
      const topic = fresh();
      const [a, publisher] = await Promise.all([url, url].map(Inbox.open));
      await a.ask({ cmd: "sub", topic });
      const first = await publisher.ask({ cmd: "pub", topic, data: "m1" });
      assert.equal((await a.json()).offset, first.offset);
      a.close();
      for (const data of ["m2", "m3", "m4"]) await publisher.ask({ cmd: "pub", topic, data });
      const b = await Inbox.open(url);
      b.send({ cmd: "sub", topic, since: first.offset });
      publisher.send({ cmd: "pub", topic, data: "m5" });
      const ready = await b.json();
      assert.equal(ready.ready, topic);
      assert.equal(ready.recovered, true);
      const data: unknown[] = [];
      while (data.length < 4) data.push((await b.json()).data);
      assert.deepEqual(data, ["m2", "m3", "m4", "m5"]);
      assert.equal(b.unread().length, 0);
      b.close();
      publisher.close();
    });

    test("subscribe with since recovers nothing for an unknown offset or a trimmed history", async () => {
      const topic = fresh();
      const [a, publisher] = await Promise.all([url, url].map(Inbox.open));
      const first = await publisher.ask({ cmd: "pub", topic, data: "old" });
      // History holds 5: six more trim the one after `first`.
      for (let i = 0; i < 6; i++) await publisher.ask({ cmd: "pub", topic, data: `n${i}` });
      const trimmed = await a.ask({ cmd: "sub", topic, since: first.offset });
      assert.equal(trimmed.recovered, false);
      await publisher.ask({ cmd: "pub", topic, data: "live" });
      assert.equal((await a.json()).data, "live", "only live publications follow");
      const b = await Inbox.open(url);
      for (const since of ["nonsense", "x:1", `${String(first.offset).split(":")[0]}:999`]) {
        const answer = await b.ask({ cmd: "sub", topic: fresh(), since });
        assert.equal(answer.recovered, false, since);
      }
      // The latest offset: nothing missed, recovered with nothing to replay.
      const latest = await publisher.ask({ cmd: "pub", topic, data: "last" });
      assert.equal((await a.json()).data, "last");
      const c = await Inbox.open(url);
      assert.equal((await c.ask({ cmd: "sub", topic, since: latest.offset })).recovered, true);
      await publisher.ask({ cmd: "pub", topic, data: "after" });
      assert.equal((await c.json()).data, "after");
      for (const inbox of [a, b, c, publisher]) inbox.close();
    });

    test("rejects bad topics and too many topics with their codes, keeping the connection", async () => {
      const a = await Inbox.open(url);
      assert.deepEqual(await a.ask({ cmd: "sub", topic: "" }), {
        error: "INVALID_TOPIC",
        topic: "",
      });
      const long = "é".repeat(9); // 18 bytes of UTF-8, 9 units
      assert.equal((await a.ask({ cmd: "sub", topic: long })).error, "INVALID_TOPIC");
      assert.equal((await a.ask({ cmd: "pub", topic: long, data: "x" })).error, "INVALID_TOPIC");
      assert.equal((await a.ask({ cmd: "sub", topic: "é".repeat(8) })).ready, "é".repeat(8));
      await a.ask({ cmd: "sub", topic: fresh() });
      await a.ask({ cmd: "sub", topic: fresh() });
      assert.equal((await a.ask({ cmd: "sub", topic: fresh() })).error, "TOO_MANY_TOPICS");
      assert.equal((await a.ask({ cmd: "topics" }) as { topics: string[] }).topics.length, 3);
      const nobody = await a.ask({ cmd: "pub", topic: fresh(), data: "void" });
      assert.equal(nobody.delivered, 0);
      assert.equal(nobody.overflowed, 0);
      assert.equal(a.socket.readyState, WebSocket.OPEN);
      a.close();
    });

    test("rejects a topic that is not valid Unicode (a lone surrogate) with INVALID_TOPIC", async () => {
      const a = await Inbox.open(url);
      // "\ud800x" has no UTF-8 form: it could not reach Redis or storage unchanged.
      assert.equal((await a.ask({ cmd: "sub", topic: "\ud800x" })).error, "INVALID_TOPIC");
      assert.equal(
        (await a.ask({ cmd: "pub", topic: "\ud800x", data: "x" })).error,
        "INVALID_TOPIC",
      );
      assert.deepEqual(await a.ask({ cmd: "topics" }), { topics: [] });
      assert.equal(a.socket.readyState, WebSocket.OPEN);
      a.close();
    });

    test("a closing peer leaves its topics, and its publish after close rejects", async () => {
      const topic = fresh();
      const [a, b, watcher] = await Promise.all([url, url, url].map(Inbox.open));
      await a.ask({ cmd: "sub", topic });
      await b.ask({ cmd: "sub", topic });
      assert.deepEqual(await watcher.ask({ cmd: "count", topic }), { count: 2 });
      const aClosed = closed(a.socket);
      a.close();
      await aClosed;
      const bClosed = closed(b.socket);
      b.send({ cmd: "closepub", topic });
      await bClosed;
      await pause(100);
      assert.deepEqual(await watcher.ask({ cmd: "count", topic }), { count: 0 });
      const { log } = await watcher.ask({ cmd: "log" }) as { log: string[] };
      assert.ok(log.includes("closepub: PEER_NOT_OPEN"), JSON.stringify(log));
      watcher.close();
    });

    test("server publish reaches subscribers and reports the count", async () => {
      const topic = fresh();
      const [a, b] = await Promise.all([url, url].map(Inbox.open));
      await a.ask({ cmd: "sub", topic });
      const answer = await b.ask({ cmd: "serverpub", topic, data: "from server" });
      const [result] = answer.serverpub as { delivered: number; offset: string }[];
      assert.equal(result.delivered, 1);
      assert.deepEqual(await a.json(), { topic, offset: result.offset, data: "from server" });
      a.close();
      b.close();
    });

    test("a subscriber that stops reading is closed with 1008 and the others get everything", async () => {
      const topic = fresh();
      const [slow, fast, publisher] = await Promise.all([url, url, url].map(Inbox.open));
      await slow.ask({ cmd: "sub", topic });
      await fast.ask({ cmd: "sub", topic });
      const raw = (slow.socket as unknown as { _socket: import("node:net").Socket })._socket;
      raw.pause();
      const slowClosed = closed(slow.socket);
      // 64 × 256 KiB = 16 MiB: far past the server's 1 MiB maxBufferedAmount
      // plus what the kernel's socket buffers absorb. Each publication waits
      // until the reading subscriber is at most 2 behind: its queue stays
      // small however slow the machine is, and only the stalled one overflows.
      const count = 64;
      const data = "x".repeat(256 * 1024);
      let overflowed = 0;
      let received = 0;
      for (let i = 0; i < count; i++) {
        while (received < i - 2) {
          const message = await fast.json();
          if (message.topic === topic) received++;
        }
        const answer = await publisher.ask({ cmd: "pub", topic, data });
        overflowed += answer.overflowed as number;
      }
      while (received < count) {
        const message = await fast.json();
        if (message.topic === topic) received++;
      }
      assert.equal(overflowed, 1);
      raw.resume();
      assert.equal((await slowClosed).code, 1008);
      fast.close();
      publisher.close();
    });
  });
}
