// The Durable Object adapter on the real workerd runtime: what survives
// hibernation (workerd evicts an idle object about 10 s after its last
// event, keeping its hibernatable sockets connected), and routing upgrades
// to instances by name. The black-box suites run in
// black_box_durable_object.test.ts (a malformed upgrade, a POST among them,
// gets our 4xx from the Worker: workerd would answer a forwarded POST
// upgrade with its own 400) and topics_durable_object.test.ts.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type WebSocket from "ws";
import { type RunningWorker, startWorker } from "../support/workerd.ts";
import { nextMessage, open } from "../support/ws_client.ts";

// Past workerd's idle time before it hibernates an object (10 s).
const HIBERNATION_WAIT_MS = 13_000;

async function ask(socket: WebSocket, command: string): Promise<Record<string, unknown>> {
  const reply = nextMessage(socket);
  socket.send(command);
  return JSON.parse((await reply).data.toString());
}

describe("durable object adapter on workerd", () => {
  let worker: RunningWorker;
  let base: string;
  before(async () => {
    worker = await startWorker({
      entry: "tests/support/probe_durable_object.ts",
      durableObjects: [
        { className: "ProbeObject", binding: "PROBE" },
        { className: "StoredProbeObject", binding: "STORED" },
      ],
      // This workerd drops in-memory storage with the evicted object; on disk it stays.
      durableObjectStorage: "disk",
    });
    base = `ws://127.0.0.1:${worker.port}`;
  });
  after(() => worker?.stop());

  test("peer id, data, request and topics survive hibernation; in-memory history does not", async () => {
    const ada = await open(`${base}/hibernating?user=ada`, [], { headers: { "X-Probe": "kept" } });
    const bob = await open(`${base}/hibernating?user=bob`);
    const before = await ask(ada, "whoami");
    await ask(ada, "sub room");
    await ask(ada, "rename grace");
    const published = nextMessage(ada);
    const { offset } = await ask(bob, "pub room first");
    assert.equal((await published).data.toString(), "first");

    await new Promise((resolve) => setTimeout(resolve, HIBERNATION_WAIT_MS));

    // Bob's message wakes the object: Ada's subscription is back before it runs.
    const woken = nextMessage(ada);
    const answer = await ask(bob, "pub room second");
    assert.equal((await woken).data.toString(), "second");
    assert.equal(answer.delivered, 1);
    const after = await ask(ada, "whoami");
    assert.ok(
      (after.constructed as number) > (before.constructed as number),
      `the object was not evicted: constructed ${before.constructed} -> ${after.constructed}`,
    );
    assert.deepEqual(
      {
        id: after.id,
        data: after.data,
        topics: after.topics,
        url: after.url,
        header: after.header,
      },
      { id: before.id, data: { user: "grace" }, topics: ["room"], url: before.url, header: "kept" },
    );
    assert.equal(after.peers, 2);
    // History lived in the evicted instance's memory: an offset from before is unknown now.
    const carol = await open(`${base}/hibernating?user=carol`);
    assert.deepEqual(await ask(carol, `since room ${offset}`), {
      subscribed: "room",
      recovered: false,
    });
    for (const socket of [ada, bob, carol]) socket.close();
  });

  test("topic history in storage recovers since across hibernation", async () => {
    const [ada, bob] = await Promise.all([
      open(`${base}/stored/room`),
      open(`${base}/stored/room`),
    ]);
    await ask(ada, "sub news");
    const first = nextMessage(ada);
    const { offset } = await ask(bob, "pub news one");
    await first;
    ada.close();
    await ask(bob, "pub news two");
    const before = await ask(bob, "whoami");

    await new Promise((resolve) => setTimeout(resolve, HIBERNATION_WAIT_MS));

    const after = await ask(bob, "whoami");
    assert.ok((after.constructed as number) > (before.constructed as number), "not evicted");
    const back = await open(`${base}/stored/room`);
    const replayed = new Promise<string[]>((resolve) => {
      const seen: string[] = [];
      back.on("message", (data: Buffer) => {
        seen.push(data.toString());
        if (seen.length === 2) resolve(seen);
      });
    });
    back.send(`since news ${offset}`);
    // The missed publication first, then the answer (sent once the replay is written).
    assert.deepEqual(await replayed, [
      "two",
      JSON.stringify({ subscribed: "news", recovered: true }),
    ]);
    const live = nextMessage(back);
    await ask(bob, "pub news three");
    assert.equal((await live).data.toString(), "three");
    for (const socket of [bob, back]) socket.close();
  });

  // Two replies: the hook's, then the error hook's once the adapter tried to save peer.data.
  async function twoReplies(socket: WebSocket, command: string): Promise<unknown[]> {
    const replies: unknown[] = [];
    const done = new Promise<void>((resolve) =>
      socket.on("message", (data: Buffer) => {
        replies.push(JSON.parse(data.toString()));
        if (replies.length === 2) resolve();
      })
    );
    socket.send(command);
    await done;
    return replies;
  }

  test("error hook reports PEER_DATA_NOT_SAVED when peer.data outgrows the socket attachment", async () => {
    const socket = await open(`${base}/attachment`);
    assert.deepEqual(await twoReplies(socket, "grow 20000"), [
      { grown: 20000 },
      { error: "PEER_DATA_NOT_SAVED" },
    ]);
    socket.close();
  });

  test("error hook reports PEER_DATA_NOT_SAVED when peer.data is not structured-cloneable", async () => {
    const socket = await open(`${base}/attachment`);
    assert.deepEqual(await twoReplies(socket, "promise"), [
      { promised: true },
      { error: "PEER_DATA_NOT_SAVED" },
    ]);
    socket.close();
  });

  test("createDurableObjectFetch routes upgrades to the instance objectName picks", async () => {
    const [a1, a2, b1] = await Promise.all([
      open(`${base}/room-a`),
      open(`${base}/room-a`),
      open(`${base}/room-b`),
    ]);
    assert.equal((await ask(a1, "whoami")).peers, 2);
    assert.equal((await ask(b1, "whoami")).peers, 1);
    await ask(a2, "sub news");
    await ask(b1, "sub news");
    // The same topic name in another instance is another topic.
    const delivered = nextMessage(a2);
    assert.equal((await ask(a1, "pub news only-a")).delivered, 1);
    assert.equal((await delivered).data.toString(), "only-a");
    assert.equal((await ask(b1, "whoami")).peers, 1, "b1 received nothing in between");
    for (const socket of [a1, a2, b1]) socket.close();
  });

  test("createDurableObjectFetch answers 426 when a request is not an upgrade", async () => {
    const response = await fetch(`${worker.url}/room-a`);
    assert.equal(response.status, 426);
    await response.body?.cancel();
  });
});
