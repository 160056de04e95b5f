// The Redis backplane against a real, private redis-server: one order for every process, history
// and offsets, the live stream trimmed under a lagging reader, Redis stopped and restarted.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "redis";
import { RedisBackplane } from "../../src/backplanes/redis_backplane.ts";
import type { Publication } from "../../src/api/topics/publication.ts";
import { ProtocolError } from "../../src/errors/protocol_error.ts";
import { type RedisServer, startRedisServer } from "../support/redis_server.ts";

type Delivered = Publication & { readonly origin: string };

let redis: RedisServer;
before(async () => {
  redis = await startRedisServer();
});
after(async () => {
  await redis.stop(true);
});

let prefixes = 0;
function connect(prefix: string, options: Parameters<typeof RedisBackplane.connect>[0] = {}) {
  return RedisBackplane.connect({ url: redis.url, prefix, ...options });
}

async function waitFor(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("RedisBackplane", () => {
  test("delivers every publication in one order to every process when both publish at once", async () => {
    const prefix = `order${++prefixes}:`;
    const [a, b] = await Promise.all([connect(prefix), connect(prefix)]);
    try {
      const seenA: Delivered[] = [];
      const seenB: Delivered[] = [];
      await a.follow("room", (p) => seenA.push(p));
      await b.follow("room", (p) => seenB.push(p));
      const offsets = await Promise.all(
        Array.from(
          { length: 200 },
          (_, i) => (i % 2 ? a : b).publish("room", `m${i}`, `o${i % 2}`),
        ),
      );
      // publish resolved only after the publisher read its own publication back.
      const ownA = new Set(seenA.map((p) => p.offset));
      for (let i = 1; i < 200; i += 2) assert.ok(ownA.has(offsets[i]));
      await waitFor(() => seenB.length === 200, "b to see all");
      assert.equal(seenA.length, 200);
      assert.deepEqual(seenA.map((p) => [p.data, p.offset]), seenB.map((p) => [p.data, p.offset]));
      for (let i = 1; i < seenA.length; i++) {
        assert.ok(a.compare(seenA[i - 1].offset, seenA[i].offset) < 0);
      }
      assert.equal(seenA.find((p) => p.data === "m1")?.origin, "o1");
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test("history returns what followed an offset, all or nothing", async () => {
    const prefix = `history${++prefixes}:`;
    const backplane = await connect(prefix, { history: 10 });
    try {
      const offsets: string[] = [];
      for (let i = 0; i < 30; i++) offsets.push(await backplane.publish("t", `m${i}`, "x"));
      const bytes = new Uint8Array([0, 255, 1, 128]);
      offsets.push(await backplane.publish("t", bytes, "x"));
      const recent = await backplane.history("t", offsets[25]);
      assert.deepEqual(recent?.map((p) => p.data), ["m26", "m27", "m28", "m29", bytes]);
      assert.deepEqual(recent?.map((p) => p.offset), offsets.slice(26));
      assert.deepEqual(await backplane.history("t", offsets[30]), []);
      assert.equal(await backplane.offset("t"), offsets[30]);
      // Exactly `history` publications after an offset are recovered; one more is not.
      assert.equal((await backplane.history("t", offsets[20]))?.length, 10);
      assert.equal(await backplane.history("t", offsets[19]), null, "trimmed");
      assert.equal(await backplane.history("t", offsets[0]), null, "trimmed");
      assert.equal(await backplane.history("t", `other:${offsets[25].split(":")[1]}`), null);
      assert.equal(await backplane.history("t", "garbage"), null);
      assert.equal(await backplane.offset("never"), "");
    } finally {
      await backplane.close();
    }
  });

  test("fills from the topic history when the live stream was trimmed past a lagging reader", async () => {
    const prefix = `lag${++prefixes}:`;
    const losses: string[] = [];
    const slow = await connect(prefix, {
      liveLength: 10,
      history: 2000,
      onLoss: (topic) => losses.push(topic),
    });
    const fast = await connect(prefix, { liveLength: 10, history: 2000 });
    try {
      const seen: string[] = [];
      await slow.follow("burst", (p) => {
        seen.push(String(p.data));
        // A slow consumer: the reader falls far behind the publisher.
        const until = Date.now() + 2;
        while (Date.now() < until);
      });
      const published: string[] = [];
      for (let i = 0; i < 1000; i++) {
        const data = `m${i}`;
        published.push(data);
        void fast.publish("burst", data, "f").catch(() => {});
      }
      await fast.publish("burst", "last", "f");
      published.push("last");
      await waitFor(() => seen.length >= published.length, "the slow reader", 20_000);
      assert.deepEqual(seen, published);
      assert.deepEqual(losses, []);
    } finally {
      await Promise.all([slow.close(), fast.close()]);
    }
  });

  test("reports the loss when a lagging reader's hole is no longer in the topic's history either", async () => {
    const prefix = `loss${++prefixes}:`;
    const losses: string[] = [];
    const slow = await connect(prefix, {
      liveLength: 10,
      history: 10,
      onLoss: (topic, cause) => losses.push(`${topic} ${cause}`),
    });
    const fast = await connect(prefix, { liveLength: 10, history: 10 });
    try {
      const seen: number[] = [];
      await slow.follow("burst", (p) => {
        seen.push(Number(p.data));
        const until = Date.now() + 2;
        while (Date.now() < until);
      });
      const COUNT = 1000;
      for (let n = 0; n < COUNT - 1; n++) {
        void fast.publish("burst", String(n), "f").catch(() => {});
      }
      await fast.publish("burst", String(COUNT - 1), "f");
      await waitFor(() => seen.at(-1) === COUNT - 1, "the slow reader", 20_000);
      assert.ok(seen.length < COUNT, `${seen.length} seen: some were lost`);
      assert.deepEqual(losses.slice(0, 1), ["burst behind"]);
      // What it did get came in order, once each.
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1]);
    } finally {
      await Promise.all([slow.close(), fast.close()]);
    }
  });

  test("loses and duplicates nothing Redis accepted when its connections are killed mid-stream", async () => {
    const prefix = `kill${++prefixes}:`;
    const [a, b] = await Promise.all([connect(prefix), connect(prefix)]);
    const admin = createClient({ url: redis.url, RESP: 2 });
    admin.on("error", () => {});
    await admin.connect();
    try {
      const seenA: string[] = [];
      const seenB: string[] = [];
      await a.follow("t", (p) => seenA.push(String(p.data)));
      await b.follow("t", (p) => seenB.push(String(p.data)));
      const accepted: string[] = [];
      let failed = 0;
      let publishing = true;
      const loop = (async () => {
        for (let n = 0; publishing; n++) {
          const data = String(n);
          void a.publish("t", data, "a").then(() => accepted.push(data), () => failed++);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();
      for (let kill = 0; kill < 3; kill++) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        // Every connection but the admin's: both processes' publishers and readers.
        await admin.sendCommand(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"]);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      publishing = false;
      await loop;
      await waitFor(() => accepted.every((data) => seenB.includes(data)), "b to catch up");
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.ok(accepted.length > 100, `${accepted.length} accepted`);
      assert.ok(failed > 0, "the kills made some publishes fail");
      // What Redis accepted reached both, once each, in publish order.
      for (const seen of [seenA, seenB]) {
        assert.equal(new Set(seen).size, seen.length, "no duplicate");
        const numbers = seen.map(Number);
        for (let i = 1; i < numbers.length; i++) assert.ok(numbers[i] > numbers[i - 1]);
        for (const data of accepted) assert.ok(seen.includes(data), `${data} delivered`);
      }
      assert.deepEqual(seenA, seenB);
    } finally {
      admin.destroy();
      await Promise.all([a.close(), b.close()]);
    }
  });

  test("rejects publishes while Redis is down and resumes, with a new epoch, once it is back", async () => {
    const prefix = `fault${++prefixes}:`;
    const losses: string[] = [];
    const backplane = await connect(prefix, { onLoss: (topic) => losses.push(topic) });
    try {
      const seen: string[] = [];
      await backplane.follow("t", (p) => seen.push(String(p.data)));
      let after = "";
      const before = await backplane.publish("t", "before", "x");
      await redis.stop(true);
      const started = Date.now();
      await assert.rejects(backplane.publish("t", "while down", "x"), (error: unknown) => {
        assert.ok(error instanceof ProtocolError);
        assert.equal(error.code, "PUBLISH_FAILED");
        return true;
      });
      assert.ok(Date.now() - started < 1_000, "rejected at once");
      await redis.restart();
      const back = Date.now();
      const accepted: string[] = [];
      let attempt = 0;
      await waitFor(() => {
        const data = `after${attempt++}`;
        void backplane.publish("t", data, "x").then((offset) => {
          accepted.push(data);
          after ||= offset;
        }, () => {});
        return accepted.length > 0;
      }, "a publish to succeed");
      assert.ok(Date.now() - back < 10_000);
      // Resolved publishes were read back: delivered, once each, after what came before.
      for (const data of accepted) assert.ok(seen.includes(data));
      assert.equal(seen[0], "before");
      assert.equal(new Set(seen).size, seen.length, "no duplicate");
      assert.notEqual(before.split(":")[0], after.split(":")[0], "a new epoch");
      assert.equal(await backplane.history("t", before), null);
      assert.deepEqual(losses, ["t"]);
    } finally {
      await backplane.close();
    }
  });
});
