import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { InProcessBackplane } from "../../../src/backplanes/in_process_backplane.ts";
import { SharedMessage } from "../../../src/api/topics/shared_message.ts";
import { resolveTopicOptions } from "../../../src/api/topics/topic_options.ts";
import { TopicRegistry } from "../../../src/api/topics/topic_registry.ts";
import type { Backplane } from "../../../src/api/topics/backplane.ts";
import type { Publication } from "../../../src/api/topics/publication.ts";
import { resolveServerOptions } from "../../../src/api/server_options.ts";
import { PeerSession } from "../../../src/api/peer_session.ts";
import type { PeerTransport } from "../../../src/api/peer.ts";
import { ProtocolError } from "../../../src/errors/protocol_error.ts";

/** A transport that records every message written to it, as text. */
function recorder(buffered = () => 0) {
  const written: string[] = [];
  const closes: number[] = [];
  const transport: PeerTransport = {
    send(data) {
      written.push(typeof data === "string" ? data : `[${data.length}]`);
      return buffered();
    },
    ping: () => {},
    close: (code) => void closes.push(code),
    terminate: () => {},
    get bufferedAmount() {
      return buffered();
    },
  };
  return { transport, written, closes };
}

function openPeer(topics: TopicRegistry, buffered?: () => number) {
  const { transport, written, closes } = recorder(buffered);
  const options = resolveServerOptions({
    maxBufferedAmount: 1000,
    backpressureLimit: 500,
    heartbeatInterval: 0, // no timer to keep the test process alive
  });
  const session = new PeerSession({}, transport, {
    request: new Request("http://localhost/"),
    data: undefined,
    protocol: "",
    extensions: "",
    remoteAddress: "",
  }, { options, topics });
  session.opened();
  return { session, peer: session.peer, written, closes };
}

function registry(options: Parameters<typeof resolveTopicOptions>[0] = {}) {
  return new TopicRegistry(resolveServerOptions({ topics: options }).topics);
}

/**
 * A backplane in front of the in-process one that answers and delivers a
 * few milliseconds later, as a broker over the network does: exercises the
 * registry's asynchronous path (held publications, replay merge).
 */
class DelayedBackplane implements Backplane {
  #inner = new InProcessBackplane({ history: 100 });
  #later = <T>(value: () => T) =>
    new Promise<T>((resolve) => setTimeout(() => resolve(value()), 5));
  publish(topic: string, data: string | Uint8Array, origin: string): Promise<string> {
    return this.#later(() => this.#inner.publishNow(topic, data, origin));
  }
  follow(
    topic: string,
    deliver: (publication: Publication & { origin: string }) => void,
  ): Promise<void> {
    return this.#later(() => void this.#inner.follow(topic, deliver));
  }
  unfollow(topic: string): void {
    this.#inner.unfollow(topic);
  }
  history(topic: string, since: string): Promise<Publication[] | null> {
    return this.#later(() => this.#inner.historyNow(topic, since));
  }
  offset(topic: string): Promise<string> {
    return this.#later(() => this.#inner.offsetNow(topic));
  }
  compare(a: string, b: string): number {
    return this.#inner.compare(a, b);
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
}

describe("InProcessBackplane", () => {
  test("numbers a topic's publications in one epoch and delivers them in order", async () => {
    const backplane = new InProcessBackplane({ history: 10 });
    const seen: string[] = [];
    await backplane.follow("a", (p) => seen.push(`${p.offset} ${p.data} ${p.origin}`));
    const first = await backplane.publish("a", "x", "o1");
    const second = await backplane.publish("a", "y", "o2");
    const [epoch] = first.split(":");
    assert.equal(first, `${epoch}:1`);
    assert.equal(second, `${epoch}:2`);
    assert.deepEqual(seen, [`${first} x o1`, `${second} y o2`]);
    assert.ok(backplane.compare(first, second) < 0);
    assert.equal(await backplane.offset("a"), second);
  });

  test("history returns everything after since, or null when any of it is gone", async () => {
    const backplane = new InProcessBackplane({ history: 3 });
    const offsets: string[] = [];
    for (const data of ["a", "b", "c", "d"]) offsets.push(await backplane.publish("t", data, ""));
    assert.deepEqual((await backplane.history("t", offsets[1]))?.map((p) => p.data), ["c", "d"]);
    assert.deepEqual((await backplane.history("t", offsets[0]))?.map((p) => p.data), [
      "b",
      "c",
      "d",
    ]);
    assert.deepEqual(await backplane.history("t", offsets[3]), []);
    const [epoch] = offsets[0].split(":");
    assert.equal(await backplane.history("t", `${epoch}:0`), null, "trimmed");
    assert.equal(await backplane.history("t", `${epoch}:9`), null, "in the future");
    assert.equal(await backplane.history("t", `other:1`), null, "another epoch");
    assert.equal(await backplane.history("t", "garbage"), null);
    assert.equal(await backplane.history("u", offsets[0]), null, "another topic");
  });

  test("starts a new epoch for a topic whose history was dropped", async () => {
    const backplane = new InProcessBackplane({ history: 5, maxHistoryTopics: 2 });
    const old = await backplane.publish("a", "1", "");
    await backplane.publish("b", "1", "");
    await backplane.publish("c", "1", ""); // drops a, the least recently published
    const renewed = await backplane.publish("a", "2", "");
    assert.notEqual(renewed.split(":")[0], old.split(":")[0]);
    assert.equal(await backplane.history("a", old), null);
  });
});

describe("SharedMessage", () => {
  test("builds one unmasked frame with the shortest length encoding", () => {
    assert.deepEqual([...new SharedMessage("hi", true).frame], [0x81, 2, 0x68, 0x69]);
    const medium = new SharedMessage(new Uint8Array(300), true).frame;
    assert.deepEqual([...medium.subarray(0, 4)], [0x82, 126, 1, 44]);
    assert.equal(medium.length, 304);
    const large = new SharedMessage(new Uint8Array(70_000), true).frame;
    assert.deepEqual([...large.subarray(0, 10)], [0x82, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70]);
    const message = new SharedMessage("é", false);
    assert.equal(message.frame, message.frame, "built once");
    assert.deepEqual([...message.frame], [0x81, 2, 0xc3, 0xa9]);
  });
});

describe("topic options", () => {
  test("fill in safe defaults", () => {
    const topics = resolveServerOptions({}).topics;
    assert.equal(topics.history, 0);
    assert.equal(topics.maxTopicsPerPeer, 100);
    assert.equal(topics.maxTopicLength, 256);
    assert.equal(topics.maxHistoryTopics, 10_000);
  });

  test("reject nonsense at start-up", () => {
    assert.throws(() => resolveTopicOptions({ history: -1 }), RangeError);
    assert.throws(() => resolveTopicOptions({ maxTopicsPerPeer: 1.5 }), RangeError);
    assert.throws(() => resolveTopicOptions({ maxTopicLength: 0 }), RangeError);
    // deno-lint-ignore no-explicit-any
    assert.throws(() => resolveTopicOptions({ colour: 1 } as any), /unknown topics option/);
    // deno-lint-ignore no-explicit-any
    assert.throws(() => resolveTopicOptions({ format: "x" } as any), TypeError);
    // deno-lint-ignore no-explicit-any
    assert.throws(() => resolveServerOptions({ topics: 5 as any }), TypeError);
  });
});

describe("TopicRegistry", () => {
  test("writes a publication once per subscriber, skipping the sender unless self", async () => {
    const topics = registry({ format: (p) => `${p.data}@${p.offset.split(":")[1]}` });
    const [a, b] = [openPeer(topics), openPeer(topics)];
    await a.peer.subscribe("room");
    await b.peer.subscribe("room");
    assert.deepEqual(await a.peer.publish("room", "x").then((r) => r.delivered), 1);
    const self = await a.peer.publish("room", "y", { self: true });
    assert.equal(self.delivered, 2);
    assert.deepEqual(a.written, ["y@2"]);
    assert.deepEqual(b.written, ["x@1", "y@2"]);
    assert.equal(topics.subscriberCount("room"), 2);
    assert.deepEqual([...a.peer.topics], ["room"]);
  });

  test("closes a subscriber past maxBufferedAmount with 1008 and writes to the others", async () => {
    const topics = registry();
    let slowQueue = 0;
    const slow = openPeer(topics, () => slowQueue);
    const fast = openPeer(topics);
    await slow.peer.subscribe("t");
    await fast.peer.subscribe("t");
    slowQueue = 2000;
    const result = await topics.publish("t", "big");
    assert.deepEqual({ delivered: result.delivered, overflowed: result.overflowed }, {
      delivered: 1,
      overflowed: 1,
    });
    assert.deepEqual(slow.closes, [1008]);
    assert.deepEqual(fast.written, ["big"]);
  });

  test("a closed peer leaves its topics and cannot subscribe or publish", async () => {
    const topics = registry();
    const a = openPeer(topics);
    await a.peer.subscribe("t");
    a.session.closed(1000, "", true);
    assert.equal(topics.subscriberCount("t"), 0);
    await assert.rejects(a.peer.publish("t", "x"), { code: "PEER_NOT_OPEN" });
    await assert.rejects(a.peer.subscribe("u"), { code: "PEER_NOT_OPEN" });
  });

  test("rejects invalid topics and too many topics with ProtocolError codes", async () => {
    const topics = registry({ maxTopicsPerPeer: 2, maxTopicLength: 4 });
    const a = openPeer(topics);
    await assert.rejects(a.peer.subscribe(""), { code: "INVALID_TOPIC" });
    await assert.rejects(a.peer.subscribe("ééé"), { code: "INVALID_TOPIC" }); // 6 bytes
    await assert.rejects(topics.publish("abcde", "x"), { code: "INVALID_TOPIC" });
    await a.peer.subscribe("éé");
    await a.peer.subscribe("b");
    await a.peer.subscribe("b"); // again: not a third topic
    const error = await a.peer.subscribe("c").catch((e) => e);
    assert.ok(error instanceof ProtocolError);
    assert.equal(error.code, "TOO_MANY_TOPICS");
    assert.match(error.message, /^Cannot subscribe: /);
  });

  test("merges a replay with publications that arrive meanwhile, over an asynchronous backplane", async () => {
    const topics = registry({ backplane: new DelayedBackplane() });
    const publisher = openPeer(topics);
    const early = openPeer(topics);
    await early.peer.subscribe("t");
    const first = await publisher.peer.publish("t", "m1");
    await publisher.peer.publish("t", "m2");
    const late = openPeer(topics);
    const answered: string[] = [];
    const subscribed = late.peer.subscribe("t", {
      since: first.offset,
      onReady: (result) => late.peer.send(`ready ${result.recovered}`),
    });
    // Published while the late subscription is still catching up.
    const during = publisher.peer.publish("t", "m3");
    const result = await subscribed;
    await during;
    await publisher.peer.publish("t", "m4");
    answered.push(...late.written);
    assert.equal(result.recovered, true);
    assert.deepEqual(answered, ["ready true", "m2", "m3", "m4"]);
    assert.deepEqual(early.written, ["m1", "m2", "m3", "m4"]);
  });

  test("a publish resolves when its topic is left and followed again before it is accepted", async () => {
    const topics = registry({ backplane: new DelayedBackplane() });
    const publisher = openPeer(topics);
    const first = openPeer(topics);
    await first.peer.subscribe("t");
    const published = publisher.peer.publish("t", "m1");
    // The last subscriber leaves and another arrives while the backplane has not yet answered:
    // the topic's new follow starts after m1, so m1 never comes back to this process.
    first.peer.unsubscribe("t");
    const second = openPeer(topics);
    const subscribed = second.peer.subscribe("t");
    const outcome = await Promise.race([
      published.then((result) => result.delivered),
      new Promise((resolve) => setTimeout(() => resolve("still waiting"), 500)),
    ]);
    await subscribed;
    assert.equal(outcome, 0);
    assert.deepEqual(second.written, []);
  });

  test("unsubscribe during catch-up writes nothing more of the topic", async () => {
    const topics = registry({ backplane: new DelayedBackplane() });
    const a = openPeer(topics);
    const pending = a.peer.subscribe("t", { since: "x:1" });
    a.peer.unsubscribe("t");
    await topics.publish("t", "late");
    await pending;
    assert.deepEqual(a.written, []);
    assert.equal(topics.subscriberCount("t"), 0);
  });

  test("answers a repeated subscribe again without doubling delivery", async () => {
    const topics = registry();
    const a = openPeer(topics);
    const readies: boolean[] = [];
    await a.peer.subscribe("t", { onReady: (r) => readies.push(r.recovered) });
    await a.peer.subscribe("t", { onReady: (r) => readies.push(r.recovered) });
    await topics.publish("t", "once");
    assert.deepEqual(readies, [false, false]);
    assert.deepEqual(a.written, ["once"]);
  });
});
