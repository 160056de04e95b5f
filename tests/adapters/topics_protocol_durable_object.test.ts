// The topics protocol (examples/chat_handler.ts on `topicsProtocol`) in a Durable Object on the
// real workerd runtime, driven by the topic client on this runtime's WebSocket: acknowledged
// publish, the app-level ping (workerd cannot send WebSocket pings) and an idempotent retry.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type RunningWorker, startWorker } from "../support/workerd.ts";
import { TopicClient } from "../../src/adapters/topic_client.ts";

async function waitFor(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("topics protocol in a Durable Object (workerd)", () => {
  let worker: RunningWorker;

  before(async () => {
    worker = await startWorker({
      entry: "tests/support/topics_protocol_durable_object.ts",
      durableObjects: [
        { className: "ChatObject", binding: "CHAT" },
        { className: "PingingObject", binding: "PINGING" },
      ],
    });
  });

  after(async () => {
    await worker?.stop();
  });

  test("acknowledges publishes, answers pings and publishes a retried id once", async () => {
    const subscriber = new TopicClient(worker.url, { minDelay: 10 });
    const publisher = new TopicClient(worker.url);
    const received: string[] = [];
    const subscribed: boolean[] = [];
    subscriber.on("message", ({ data }) => received.push((data as { text: string }).text));
    subscriber.on("subscribed", ({ recovered }) => subscribed.push(recovered));
    subscriber.subscribe("room");
    try {
      await waitFor(() => subscribed.length === 1 && publisher.connected, "both clients");
      const offsets = [];
      for (const text of ["a", "b"]) offsets.push(await publisher.publish("room", { text }));
      assert.equal(new Set(offsets).size, 2);
      await waitFor(() => received.length === 2, "the deliveries");

      const socket = new WebSocket(worker.url);
      const replies: Array<{ type: string; id?: string; offset?: string }> = [];
      socket.onmessage = (event) => replies.push(JSON.parse(String(event.data)));
      await new Promise((resolve) => (socket.onopen = resolve));
      socket.send(JSON.stringify({ type: "ping", id: "p1" }));
      for (let i = 0; i < 2; i++) {
        socket.send(
          JSON.stringify({ type: "publish", topic: "room", data: { text: "c" }, id: "x" }),
        );
      }
      await waitFor(() => replies.filter((r) => r.type === "published").length === 2, "acks");
      assert.deepEqual(replies[0], { type: "pong", id: "p1" });
      const acked = replies.filter((r) => r.type === "published").map((r) => r.offset);
      assert.equal(acked[0], acked[1], "one offset for one id");
      socket.close();

      await waitFor(() => received.length === 3, "the idempotent publish");
      await publisher.publish("room", { text: "d" });
      await waitFor(() => received.length === 4, "a later publish");
      assert.deepEqual(received, ["a", "b", "c", "d"], "c once");
    } finally {
      subscriber.close();
      publisher.close();
    }
  });

  test("pingInterval pings a silent connection; the topic client answers and stays", async () => {
    const url = new URL("/pinging", worker.url).href;
    const silent = new WebSocket(url);
    const heard: string[] = [];
    silent.onmessage = (event) => heard.push(JSON.parse(String(event.data)).type);
    const client = new TopicClient(url, { timeout: 60_000, pingInterval: 60_000 });
    const closes: number[] = [];
    client.on("close", ({ code }) => closes.push(code));
    try {
      await waitFor(() => heard.length > 0, "the server's ping", 3_000);
      assert.deepEqual(heard, ["ping"]);
      // The object's close of the silent one is decided after two intervals, but workerd sends a
      // close started from a timer only once the object is idle (tests/e2e has the close path).
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.ok(client.connected, "the answering client is still connected");
      assert.deepEqual(closes, []);
    } finally {
      silent.close();
      client.close();
    }
  });
});
