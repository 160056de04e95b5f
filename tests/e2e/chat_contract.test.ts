// The chat example's contract (examples/chat.ts), black-box, on Node, Deno
// and Bun: a real process per runtime, driven over real sockets.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Inbox } from "../support/inbox.ts";
import { type RunningExample, runtimesUnderTest, startExample } from "../support/example_server.ts";
import { closed } from "../support/ws_client.ts";

type Reply = Record<string, unknown>;

const subscribe = (topic: string, since?: string) =>
  since === undefined ? { type: "subscribe", topic } : { type: "subscribe", topic, since };
const publish = (topic: string, data: unknown) => ({ type: "publish", topic, data });

/** Reads JSON replies until `count` messages of `topic` arrived; returns them. */
async function messages(inbox: Inbox, topic: string, count: number): Promise<Reply[]> {
  const seen: Reply[] = [];
  while (seen.length < count) {
    const reply = await inbox.json();
    if (reply.type === "message" && reply.topic === topic) seen.push(reply);
    else assert.fail(`unexpected ${JSON.stringify(reply)}`);
  }
  return seen;
}

for (const runtime of runtimesUnderTest()) {
  describe(`chat example on ${runtime}`, () => {
    let server: RunningExample;
    let url: string;
    let rooms = 0;
    const room = () => `room-${++rooms}`;
    before(async () => {
      server = await startExample({
        runtime,
        file: "examples/chat.ts",
        args: ["--history", "20", "--max-buffered-amount", String(1024 * 1024)],
      });
      url = `ws://127.0.0.1:${server.port}/`;
    });
    after(() => server.stop());

    test("prints its address and serves the chat page at GET /", async () => {
      assert.match(server.output(), /listening on http:\/\/127\.0\.0\.1:\d+/);
      const response = await fetch(`http://127.0.0.1:${server.port}/`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
      assert.match(await response.text(), /omnisocket chat/);
    });

    test("answers subscribe, delivers to every subscriber with the publisher, then unsubscribe stops it", async () => {
      const topic = room();
      const [a, b, outsider] = await Promise.all([url, url, url].map(Inbox.open));
      for (const inbox of [a, b]) {
        assert.deepEqual(await inbox.ask(subscribe(topic)), {
          type: "subscribed",
          topic,
          recovered: false,
        });
      }
      a.send(publish(topic, { text: "hi", n: [1, 2] }));
      const [mine] = await messages(a, topic, 1);
      const [theirs] = await messages(b, topic, 1);
      assert.deepEqual(mine.data, { text: "hi", n: [1, 2] });
      assert.equal(typeof mine.offset, "string");
      assert.deepEqual(theirs, mine, "the same publication carries the same offset");
      outsider.send(publish(topic, "from outside"));
      assert.equal((await messages(a, topic, 1))[0].data, "from outside");
      await messages(b, topic, 1);
      // Unsubscribing (and unsubscribing again) is not answered; nothing more arrives.
      b.send({ type: "unsubscribe", topic });
      b.send({ type: "unsubscribe", topic });
      const marker = room();
      await b.ask(subscribe(marker));
      a.send(publish(topic, "after"));
      await messages(a, topic, 1);
      a.send(publish(marker, "marker"));
      assert.equal((await messages(b, marker, 1))[0].data, "marker");
      assert.equal(b.unread().length, 0);
      assert.equal(outsider.unread().length, 0);
      for (const inbox of [a, b, outsider]) inbox.close();
    });

    test("subscribing again is answered again and never doubles delivery", async () => {
      const topic = room();
      const a = await Inbox.open(url);
      await a.ask(subscribe(topic));
      assert.deepEqual(await a.ask(subscribe(topic)), {
        type: "subscribed",
        topic,
        recovered: false,
      });
      a.send(publish(topic, 1));
      a.send(publish(topic, 2));
      assert.deepEqual((await messages(a, topic, 2)).map((m) => m.data), [1, 2]);
      await a.ask(subscribe(room())); // a later answer: nothing else was queued
      assert.equal(a.unread().length, 0);
      a.close();
    });

    test("every subscriber sees one order, each publisher's in the order it sent", async () => {
      const topic = room();
      const subscribers = await Promise.all([url, url, url].map(Inbox.open));
      for (const inbox of subscribers) await inbox.ask(subscribe(topic));
      const publishers = await Promise.all([url, url, url, url].map(Inbox.open));
      const count = 150;
      for (let i = 0; i < count; i++) {
        publishers.forEach((publisher, p) => publisher.send(publish(topic, { p, i })));
      }
      const total = count * publishers.length;
      const seen = await Promise.all(subscribers.map((inbox) => messages(inbox, topic, total)));
      const order = seen.map((list) => list.map((m) => m.offset));
      assert.deepEqual(order[1], order[0]);
      assert.deepEqual(order[2], order[0]);
      assert.equal(new Set(order[0]).size, total);
      for (let p = 0; p < publishers.length; p++) {
        const own = seen[0].map((m) => m.data as { p: number; i: number }).filter((d) => d.p === p);
        assert.deepEqual(own.map((d) => d.i), Array.from({ length: count }, (_, i) => i));
      }
      for (const inbox of [...subscribers, ...publishers]) inbox.close();
    });

    test("since resumes right after the given offset, or says it cannot", async () => {
      const topic = room();
      const [a, publisher] = await Promise.all([url, url].map(Inbox.open));
      await a.ask(subscribe(topic));
      publisher.send(publish(topic, "m0"));
      const [first] = await messages(a, topic, 1);
      a.close();
      for (let i = 1; i <= 5; i++) publisher.send(publish(topic, `m${i}`));
      await publisher.ask(subscribe(room())); // the publishes above are handled
      const b = await Inbox.open(url);
      b.send(subscribe(topic, first.offset as string));
      publisher.send(publish(topic, "live"));
      assert.deepEqual(await b.json(), { type: "subscribed", topic, recovered: true });
      const resumed = await messages(b, topic, 6);
      assert.deepEqual(resumed.map((m) => m.data), ["m1", "m2", "m3", "m4", "m5", "live"]);
      // Unknown offsets: not recovered, live ones only.
      for (const since of ["nope", "0:0", `${first.offset}9`]) {
        const c = await Inbox.open(url);
        assert.deepEqual(await c.ask(subscribe(topic, since)), {
          type: "subscribed",
          topic,
          recovered: false,
        }, since);
        c.close();
      }
      // Trimmed: the server keeps 20 (--history 20).
      for (let i = 0; i < 25; i++) publisher.send(publish(topic, `t${i}`));
      await messages(b, topic, 25);
      const d = await Inbox.open(url);
      assert.equal((await d.ask(subscribe(topic, first.offset as string))).recovered, false);
      publisher.send(publish(topic, "newest"));
      assert.equal((await messages(d, topic, 1))[0].data, "newest");
      for (const inbox of [b, d, publisher]) inbox.close();
    });

    test("answers bad input with an error reply and keeps the connection", async () => {
      const a = await Inbox.open(url);
      const bad: (string | Uint8Array)[] = [
        "not json",
        "[1,2]",
        "42",
        JSON.stringify({ type: "shout", topic: "x" }),
        JSON.stringify({ type: "subscribe" }),
        JSON.stringify({ type: "subscribe", topic: "" }),
        JSON.stringify({ type: "subscribe", topic: 7 }),
        JSON.stringify({ type: "subscribe", topic: "é".repeat(129) }), // 258 bytes
        JSON.stringify({ type: "subscribe", topic: "\ud800x" }), // a lone surrogate: no UTF-8 form
        JSON.stringify(publish("\ud800x", "y")),
        JSON.stringify({ type: "unsubscribe" }),
        JSON.stringify({ type: "publish", topic: "x" }),
        JSON.stringify({ type: "publish", data: 1 }),
        JSON.stringify(publish("x", "y".repeat(1024 * 1024 + 1))),
        new Uint8Array([1, 2, 3]),
      ];
      for (const input of bad) {
        a.socket.send(input);
        const reply = await a.json();
        assert.equal(reply.type, "error", String(input).slice(0, 60));
        assert.equal(typeof reply.reason, "string");
      }
      // A topic of exactly 256 bytes, 64 KiB of data, and extra fields are fine.
      const topic = "é".repeat(128);
      assert.deepEqual(await a.ask({ ...subscribe(topic), extra: true }), {
        type: "subscribed",
        topic,
        recovered: false,
      });
      const big = "z".repeat(64 * 1024 - 2); // its JSON text is 64 KiB
      a.send({ ...publish(topic, big), note: "ignored" });
      assert.equal((await messages(a, topic, 1))[0].data, big);
      a.close();
    });

    test("refuses a subscription past 100 topics with an error reply", async () => {
      const a = await Inbox.open(url);
      for (let i = 0; i < 100; i++) a.send(subscribe(`many-${i}`));
      for (let i = 0; i < 100; i++) assert.equal((await a.json()).type, "subscribed");
      const reply = await a.ask(subscribe("one-too-many"));
      assert.equal(reply.type, "error");
      assert.equal((await a.ask(subscribe("many-0"))).type, "subscribed");
      a.close();
    });

    test("closes a subscriber that stops reading with 1008, not holding back the others", async () => {
      const topic = room();
      const [slow, fast, publisher] = await Promise.all([url, url, url].map(Inbox.open));
      await slow.ask(subscribe(topic));
      await fast.ask(subscribe(topic));
      const raw = (slow.socket as unknown as { _socket: import("node:net").Socket })._socket;
      raw.pause();
      const slowClosed = closed(slow.socket);
      // 400 × 48 KiB ≈ 19 MiB against a 1 MiB limit plus the kernel's buffers.
      // Each publish waits until the reading subscriber is at most 8 behind:
      // its queue stays small however slow the machine is (a fixed pace had
      // Deno's native server close the reader too on a loaded machine).
      const data = "x".repeat(48 * 1024);
      const count = 400;
      let received = 0;
      for (let i = 0; i < count; i++) {
        while (received < i - 8) {
          await messages(fast, topic, 1);
          received++;
        }
        publisher.send(publish(topic, data));
      }
      while (received < count) {
        await messages(fast, topic, 1);
        received++;
      }
      assert.equal(received, count);
      raw.resume();
      assert.equal((await slowClosed).code, 1008);
      fast.close();
      publisher.close();
    });
  });

  test(`chat example on ${runtime} closes its peers with 1001 and exits 0 on SIGINT`, async () => {
    const chat = await startExample({ runtime, file: "examples/chat.ts" });
    const a = await Inbox.open(`ws://127.0.0.1:${chat.port}/`);
    await a.ask(subscribe("lobby"));
    const closing = closed(a.socket);
    const started = Date.now();
    const code = await chat.stop("SIGINT");
    assert.equal((await closing).code, 1001);
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 5_000);
  });

  test(`chat example on ${runtime} exits with status 1 when --redis names a Redis that does not answer`, async () => {
    await assert.rejects(
      startExample({
        runtime,
        file: "examples/chat.ts",
        args: ["--redis", "redis://127.0.0.1:1"],
        startTimeoutMs: 15_000,
      }),
      /exited early \(code 1,[^]*Cannot connect the Redis backplane/,
    );
  });
}
