// The Redis backplane against a real, private redis-server and a real, private three-master Redis
// Cluster: one order per topic for every process, interest-based routing, history and offsets,
// skipped channel messages filled or reported, connections killed, Redis (or one master) lost,
// and (on the cluster) a resharding under a publish loop.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "redis";
import { RedisBackplane } from "../../src/backplanes/redis_backplane.ts";
import type { Publication } from "../../src/api/topics/publication.ts";
import { ProtocolError } from "../../src/errors/protocol_error.ts";
import { type RedisServer, startRedisServer } from "../support/redis_server.ts";
import { type RedisCluster, startRedisCluster } from "../support/redis_cluster.ts";

type Delivered = Publication & { readonly origin: string };
type Options = Parameters<typeof RedisBackplane.connect>[0];

// Slots moved by the resharding test (the first master starts with 0-5460).
const MOVED_SLOTS = 200;

let redis: RedisServer;
let cluster: RedisCluster;
before(async () => {
  [redis, cluster] = await Promise.all([startRedisServer(), startRedisCluster()]);
});
after(async () => {
  await Promise.all([redis.stop(true), cluster.stop()]);
});

async function waitFor(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Where the suite runs: one Redis, or the cluster. */
interface Target {
  urls(): string[];
  /** Every node's URL (one for one Redis). */
  nodeUrls(): string[];
}

let prefixes = 0;

function defineSuite(name: string, target: Target) {
  const connect = (prefix: string, options: Options = {}) =>
    RedisBackplane.connect({ urls: target.urls(), prefix, ...options });

  // Runs a command on every node at once (CLIENT KILL, PUBSUB ...); resolves with their replies.
  async function onEveryNode(args: string[]): Promise<unknown[]> {
    const admins = await adminClients();
    try {
      return await Promise.all(admins.map((admin) => admin.sendCommand(args)));
    } finally {
      for (const admin of admins) admin.destroy();
    }
  }

  async function adminClients() {
    return await Promise.all(
      target.nodeUrls().map(async (url) => {
        const admin = createClient({ url, RESP: 2 });
        admin.on("error", () => {});
        await admin.connect();
        return admin;
      }),
    );
  }

  describe(`RedisBackplane on ${name}`, () => {
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
        // publish resolved only after the publisher delivered its own publication.
        const ownA = new Set(seenA.map((p) => p.offset));
        for (let i = 1; i < 200; i += 2) assert.ok(ownA.has(offsets[i]));
        await waitFor(() => seenB.length === 200, "b to see all");
        assert.equal(seenA.length, 200);
        assert.deepEqual(
          seenA.map((p) => [p.data, p.offset]),
          seenB.map((p) => [p.data, p.offset]),
        );
        for (let i = 1; i < seenA.length; i++) {
          assert.ok(a.compare(seenA[i - 1].offset, seenA[i].offset) < 0);
        }
        assert.equal(seenA.find((p) => p.data === "m1")?.origin, "o1");
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    test("subscribes a process to a topic's channel only while it follows the topic", async () => {
      const prefix = `interest${++prefixes}:`;
      const [a, b] = await Promise.all([connect(prefix), connect(prefix)]);
      const channels = async () =>
        (await onEveryNode(["PUBSUB", "SHARDNUMSUB", ...["x", "y"].map((t) => `${prefix}{t${t}}`)]))
          .map((reply) => reply as Array<string | number>)
          .flatMap((reply) => reply.filter((_, i) => i % 2 === 1).map(Number))
          .reduce((sum, n, i) => (sum[i % 2] += n, sum), [0, 0]);
      try {
        const seenB: string[] = [];
        await a.follow("x", () => {});
        await b.follow("y", (p) => seenB.push(String(p.data)));
        assert.deepEqual(await channels(), [1, 1]);
        await a.publish("x", "for a only", "a");
        await a.publish("y", "for b", "a");
        await waitFor(() => seenB.length === 1, "b to get y");
        assert.deepEqual(seenB, ["for b"]);
        b.unfollow("y");
        await waitFor(() => true, "");
        await sleep(100);
        assert.deepEqual(await channels(), [1, 0]);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    test("a process that follows during a publish loop gets every later publication once, in order", async () => {
      const prefix = `join${++prefixes}:`;
      const [a, b] = await Promise.all([connect(prefix), connect(prefix)]);
      try {
        let publishing = true;
        let n = 0;
        const loop = (async () => {
          while (publishing) await a.publish("t", String(n++), "a");
        })();
        const seen: number[][] = [];
        for (let round = 0; round < 5; round++) {
          await sleep(30);
          const got: number[] = [];
          seen.push(got);
          await b.follow("t", (p) => got.push(Number(p.data)));
          const from = Number((await b.offset("t")).split(":")[1] ?? 0);
          await sleep(30);
          b.unfollow("t");
          // Contiguous from the position `follow` resolved at: nothing lost, nothing doubled.
          assert.ok(got.length > 0, "got some");
          assert.ok(got[0] <= from, `${got[0]} delivered from the start (offset ${from})`);
          for (let i = 1; i < got.length; i++) assert.equal(got[i], got[i - 1] + 1);
        }
        publishing = false;
        await loop;
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    test("a publish accepted by Redis resolves when its topic is unfollowed before it came back", async () => {
      // The publisher waits for its own publication to come back on the channel (local order); a
      // topic's last local subscriber leaving in that window must not turn an accepted publication
      // into a failure (the storm seen in the topic client test).
      const prefix = `leave${++prefixes}:`;
      const backplane = await connect(prefix);
      try {
        const failures: string[] = [];
        for (let round = 0; round < 300; round++) {
          const topic = `t${round}`;
          await backplane.follow(topic, () => {});
          const published = backplane.publish(topic, "m", "a").catch((error: Error) => {
            failures.push(error.message);
          });
          // Unfollow at a varying point after the publish went out: some rounds land between
          // Redis' reply and the channel's delivery.
          for (let turns = round % 12; turns > 0; turns--) {
            await new Promise((resolve) => setImmediate(resolve));
          }
          backplane.unfollow(topic);
          await published;
        }
        assert.deepEqual(failures, []);
      } finally {
        await backplane.close();
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

    for (const history of [1_000_000, 10]) {
      test(
        history > 10
          ? "fills from the topic's history what its channel skipped while the connection was down"
          : "reports the loss when what its channel skipped is no longer in the topic's history",
        async () => {
          const prefix = `skip${++prefixes}:`;
          const losses: string[] = [];
          const follower = await connect(prefix, {
            history,
            onLoss: (topic, cause) => losses.push(`${topic} ${cause}`),
          });
          const publisher = await connect(prefix, { history });
          try {
            const seen: number[] = [];
            await follower.follow("burst", (p) => seen.push(Number(p.data)));
            await publisher.publish("burst", "0", "p");
            await waitFor(() => seen.length === 1, "the first");
            // The follower's subscriptions drop; what is published before it is back is skipped:
            // a burst sent at once, while its subscription comes back (within milliseconds).
            const admins = await adminClients();
            const kills = admins.map((admin) =>
              admin.sendCommand(["CLIENT", "KILL", "TYPE", "pubsub"])
            );
            const burst: Promise<string>[] = [];
            let n = 1;
            for (; n < 2000; n++) burst.push(publisher.publish("burst", String(n), "p"));
            await Promise.all([...burst, ...kills]);
            for (const admin of admins) admin.destroy();
            await sleep(300);
            await publisher.publish("burst", String(n), "p");
            await waitFor(() => seen.at(-1) === n, "the last", 15_000);
            for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], "in order");
            if (history > 10) {
              assert.deepEqual(seen, Array.from({ length: n + 1 }, (_, i) => i));
              assert.deepEqual(losses, []);
            } else {
              assert.ok(seen.length < n + 1, `${seen.length} of ${n + 1} seen: some were lost`);
              assert.deepEqual(losses.slice(0, 1), ["burst behind"]);
            }
          } finally {
            await Promise.all([follower.close(), publisher.close()]);
          }
        },
      );
    }

    test("loses and duplicates nothing Redis accepted when its connections are killed mid-stream", async () => {
      const prefix = `kill${++prefixes}:`;
      const [a, b] = await Promise.all([connect(prefix), connect(prefix)]);
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
            await sleep(2);
          }
        })();
        for (let kill = 0; kill < 3; kill++) {
          await sleep(300);
          // Every connection but the admin's: both processes' commands and subscriptions.
          await onEveryNode(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"]);
          await onEveryNode(["CLIENT", "KILL", "TYPE", "pubsub"]);
        }
        await sleep(300);
        publishing = false;
        await loop;
        await waitFor(() => accepted.every((data) => seenB.includes(data)), "b to catch up");
        await sleep(200);
        assert.ok(accepted.length > 100, `${accepted.length} accepted`);
        assert.ok(failed > 0, "the kills made some publishes fail");
        // What Redis accepted reached both, once each, in publish order.
        for (const seen of [seenA, seenB]) {
          assert.equal(new Set(seen).size, seen.length, "no duplicate");
          const numbers = seen.map(Number);
          for (let i = 1; i < numbers.length; i++) assert.ok(numbers[i] > numbers[i - 1]);
          for (const data of accepted) assert.ok(seen.includes(data), `${data} delivered`);
        }
        await waitFor(() => seenA.length === seenB.length, "a and b to agree");
        assert.deepEqual(seenA, seenB);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });
}

defineSuite("one Redis", { urls: () => [redis.url], nodeUrls: () => [redis.url] });
defineSuite("a Redis Cluster", { urls: () => cluster.urls, nodeUrls: () => cluster.urls });

describe("RedisBackplane faults", () => {
  test("rejects publishes while Redis is down and resumes, with a new epoch, once it is back", async () => {
    const prefix = `fault${++prefixes}:`;
    const losses: string[] = [];
    const backplane = await RedisBackplane.connect({
      url: redis.url,
      prefix,
      onLoss: (topic) => losses.push(topic),
    });
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
      // A topic followed while Redis is down is followed once it is back.
      const seenLate: string[] = [];
      const late = backplane.follow("late", (p) => seenLate.push(String(p.data)));
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
      // Resolved publishes were delivered here, once each, after what came before.
      for (const data of accepted) assert.ok(seen.includes(data));
      assert.equal(seen[0], "before");
      assert.equal(new Set(seen).size, seen.length, "no duplicate");
      assert.notEqual(before.split(":")[0], after.split(":")[0], "a new epoch");
      assert.equal(await backplane.history("t", before), null);
      assert.deepEqual(losses, ["t"]);
      await late;
      await backplane.publish("late", "after", "x");
      assert.deepEqual(seenLate, ["after"]);
    } finally {
      await backplane.close();
    }
  });

  test("a cluster master that dies and comes back empty changes only its own topics' epochs", async () => {
    const prefix = `master${++prefixes}:`;
    const losses: string[] = [];
    const backplane = await RedisBackplane.connect({
      urls: cluster.urls,
      prefix,
      onLoss: (topic, cause) => losses.push(`${topic} ${cause}`),
    });
    const victim = cluster.nodes[0];
    try {
      // Topics on every master: which ones the victim serves, from its own slot map.
      const admin = createClient({ url: victim.url, RESP: 2 });
      await admin.connect();
      const topics = Array.from({ length: 30 }, (_, i) => `topic${i}`);
      const onVictim = new Set<string>();
      for (const topic of topics) {
        const slot = Number(
          await admin.sendCommand(["CLUSTER", "KEYSLOT", `${prefix}{t${topic}}m`]),
        );
        const owner = await admin.sendCommand(["CLUSTER", "COUNTKEYSINSLOT", String(slot)]).then(
          () => admin.sendCommand(["CLUSTER", "SLOTS"]),
        ) as Array<[number, number, [string, number]]>;
        const range = owner.find(([from, to]) => from <= slot && slot <= to)!;
        if (range[2][1] === victim.port) onVictim.add(topic);
      }
      admin.destroy();
      assert.ok(onVictim.size > 0 && onVictim.size < topics.length, "topics on every master");
      const seen = new Map<string, string[]>();
      for (const topic of topics) {
        seen.set(topic, []);
        await backplane.follow(topic, (p) => seen.get(topic)!.push(String(p.data)));
      }
      const before = new Map<string, string>();
      for (const topic of topics) before.set(topic, await backplane.publish(topic, "before", "x"));
      await victim.restart();
      await cluster.waitOk();
      const after = new Map<string, string>();
      await waitFor(
        () => {
          for (const topic of topics) {
            if (after.has(topic)) continue;
            backplane.publish(topic, "after", "x").then(
              (offset) => after.has(topic) || after.set(topic, offset),
              () => {},
            );
          }
          return after.size === topics.length;
        },
        "every topic to publish again",
        20_000,
      );
      for (const topic of topics) {
        const changed = before.get(topic)!.split(":")[0] !== after.get(topic)!.split(":")[0];
        assert.equal(changed, onVictim.has(topic), `${topic}: epoch changed iff on the victim`);
        assert.equal(
          (await backplane.history(topic, before.get(topic)!)) === null,
          onVictim.has(topic),
        );
        await waitFor(() => seen.get(topic)!.includes("after"), `${topic} delivered`);
      }
      assert.deepEqual(
        [...new Set(losses)].sort(),
        [...onVictim].map((topic) => `${topic} reset`).sort(),
      );
    } finally {
      await backplane.close();
    }
  });

  test("a slot that moves while publishing loses and doubles nothing", async () => {
    const prefix = `reshard${++prefixes}:`;
    const [a, b] = await Promise.all([
      RedisBackplane.connect({ urls: cluster.urls, prefix }),
      RedisBackplane.connect({ urls: cluster.urls, prefix }),
    ]);
    try {
      // Twenty topics in the slots that move (the first master's lowest), twenty elsewhere.
      const admin = createClient({ url: cluster.urls[0], RESP: 2 });
      await admin.connect();
      const moving: string[] = [];
      const staying: string[] = [];
      for (let i = 0; moving.length < 20 || staying.length < 20; i++) {
        const topic = `room${i}`;
        const slot = Number(
          await admin.sendCommand(["CLUSTER", "KEYSLOT", `${prefix}{t${topic}}`]),
        );
        const list = slot < MOVED_SLOTS ? moving : staying;
        if (list.length < 20) list.push(topic);
      }
      admin.destroy();
      const topics = [...moving, ...staying];
      const seen = new Map<string, number[]>();
      for (const topic of topics) {
        seen.set(topic, []);
        await b.follow(topic, (p) => seen.get(topic)!.push(Number(p.data)));
      }
      const accepted = new Map<string, number[]>(topics.map((topic) => [topic, []]));
      let publishing = true;
      let failed = 0;
      const loop = (async () => {
        for (let n = 0; publishing; n++) {
          await Promise.all(topics.map((topic) =>
            a.publish(topic, String(n), "a").then(
              () => accepted.get(topic)!.push(n),
              () => failed++,
            )
          ));
        }
      })();
      await sleep(200);
      // Move the first master's lowest slots to the second, then back.
      const ids = (await cluster.cli("-p", String(cluster.nodes[0].port), "cluster", "nodes"))
        .trim().split("\n").map((line) => line.split(" "));
      const idOf = (port: number) =>
        ids.find((fields) => fields[1].startsWith(`127.0.0.1:${port}@`))![0];
      const [from, to] = [idOf(cluster.nodes[0].port), idOf(cluster.nodes[1].port)];
      for (const [source, target] of [[from, to], [to, from]]) {
        await cluster.cli(
          "--cluster",
          "reshard",
          `127.0.0.1:${cluster.nodes[0].port}`,
          "--cluster-from",
          source,
          "--cluster-to",
          target,
          "--cluster-slots",
          String(MOVED_SLOTS),
          "--cluster-yes",
        );
      }
      await sleep(200);
      publishing = false;
      await loop;
      for (const topic of topics) {
        const want = accepted.get(topic)!;
        await waitFor(
          () => seen.get(topic)!.length >= want.length,
          `${topic}: ${seen.get(topic)!.length} of ${want.length}`,
          15_000,
        );
        // Every publication delivered once, in order; none Redis accepted is missing.
        const got = seen.get(topic)!;
        for (let i = 1; i < got.length; i++) assert.ok(got[i] > got[i - 1], `${topic} in order`);
        for (const n of want) assert.ok(got.includes(n), `${topic} ${n} delivered`);
      }
      const total = [...accepted.values()].reduce((sum, list) => sum + list.length, 0);
      assert.ok(total > 1000, `${total} accepted (${failed} failed)`);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
