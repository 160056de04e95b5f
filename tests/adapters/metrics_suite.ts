/**
 * The black-box metrics suite: a known workload against a running server,
 * then the exact change of its counters, read from its GET /metrics with a
 * real Prometheus text parser. Shared by every adapter (Node, Deno and Bun
 * with both engines, a workerd Worker and a Durable Object).
 *
 * @module
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import parsePrometheus from "parse-prometheus-text-format";
import { Inbox } from "../support/inbox.ts";
import { METRICS_SUITE_ORIGIN } from "../support/metrics_handler.ts";
import { closed, open, rawExchange } from "../support/ws_client.ts";

/** What the server under test can do. */
export interface MetricsSuiteCapabilities {
  /** It has topics (not a plain Worker). */
  topics: boolean;
  /**
   * Malformed upgrades (400, 426) reach the counting server; a Durable
   * Object's Worker refuses them before they reach an object.
   */
  malformedReachServer: boolean;
  /**
   * A subscriber's queue is seen growing past backpressureLimit before it
   * overflows (not where the runtime fans out by itself: Bun's publish).
   */
  backpressureSeen: boolean;
}

interface Parsed {
  name: string;
  type: string;
  help: string;
  metrics: { value?: string; labels?: Record<string, string>; count?: string }[];
}
const parse = parsePrometheus as unknown as (text: string) => Parsed[];

/** A scrape: `value(name, labels)` sums the samples matching `labels`. */
class Scrape {
  readonly families: Map<string, Parsed>;
  constructor(text: string) {
    this.families = new Map(parse(text).map((family) => [family.name, family]));
  }
  value(name: string, labels: Record<string, string> = {}): number {
    const family = this.families.get(name);
    assert.ok(family, `${name} is exposed`);
    let total = 0;
    for (const sample of family.metrics) {
      if (Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value)) {
        total += Number(sample.value ?? sample.count);
      }
    }
    return total;
  }
}

async function scrape(port: number): Promise<Scrape> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return new Scrape(await response.text());
}

// Polls until the server has seen what the clients did (closes arrive asynchronously).
async function settle(port: number, done: (now: Scrape) => boolean): Promise<Scrape> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const now = await scrape(port);
    if (done(now) || Date.now() > deadline) return now;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function upgradeLines(extra: string[]): string[] {
  return [
    "GET / HTTP/1.1",
    "Host: 127.0.0.1",
    "Upgrade: websocket",
    "Connection: Upgrade",
    ...extra,
  ];
}

/** Defines the suite for one server; `start` runs once before its tests. */
export function defineMetricsSuite(
  name: string,
  start: () => Promise<{ port: number; stop: () => Promise<unknown> }>,
  capabilities: MetricsSuiteCapabilities,
): void {
  describe(`metrics on ${name}`, () => {
    let server: { port: number; stop: () => Promise<unknown> };
    before(async () => {
      server = await start();
    });
    after(() => server.stop());

    it("the counters move by exactly the known workload", async () => {
      const { port } = server;
      const url = `ws://127.0.0.1:${port}/`;
      const start = await scrape(port);
      const key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";
      // Three refusals: no key (400), another version (426), a foreign origin (403).
      const origin = `Origin: ${METRICS_SUITE_ORIGIN}`;
      const noKey = await rawExchange(port, upgradeLines(["Sec-WebSocket-Version: 13", origin]));
      assert.equal(noKey.status, 400);
      const oldVersion = await rawExchange(
        port,
        upgradeLines(["Sec-WebSocket-Version: 8", key, origin]),
      );
      assert.equal(oldVersion.status, 426);
      const foreign = await rawExchange(
        port,
        upgradeLines(["Sec-WebSocket-Version: 13", key, "Origin: http://evil.test"]),
      );
      assert.equal(foreign.status, 403);

      const a = new Inbox(await open(url, [], { origin: METRICS_SUITE_ORIGIN }));
      const b = new Inbox(await open(url, [], { origin: METRICS_SUITE_ORIGIN }));
      let received = 0;
      let sent = 0;
      if (capabilities.topics) {
        assert.equal((await a.ask({ cmd: "sub", topic: "room" })).ready, "room");
        assert.equal((await b.ask({ cmd: "sub", topic: "room" })).ready, "room");
        const during = await scrape(port);
        assert.equal(
          during.value("omnisocket_subscriptions") - start.value("omnisocket_subscriptions"),
          2,
        );
        assert.equal(during.value("omnisocket_topics") - start.value("omnisocket_topics"), 1);
        assert.equal((await a.ask({ cmd: "pub", topic: "room", data: "hello" })).delivered, 1);
        assert.equal((await b.json()).data, "hello");
        assert.equal((await b.ask({ cmd: "pub", topic: "room", data: "again" })).delivered, 1);
        assert.equal((await a.json()).data, "again");
        received += 4; // 2 sub, 2 pub
        sent += 6; // 2 ready, 2 published, 2 deliveries
      }
      for (let i = 0; i < 2; i++) assert.ok(Array.isArray((await a.ask({ cmd: "topics" })).topics));
      received += 2;
      sent += 2;
      const open2 = await scrape(port);
      assert.equal(
        open2.value("omnisocket_connections") - start.value("omnisocket_connections"),
        2,
      );

      // The server closes A with 4001; B closes with 1000.
      const aClosed = closed(a.socket);
      a.send({ cmd: "close", code: 4001 });
      received += 1;
      assert.equal((await aClosed).code, 4001);
      const bClosed = closed(b.socket);
      b.socket.close(1000);
      assert.equal((await bClosed).code, 1000);

      const baseline = start.value("omnisocket_connections");
      const end = await settle(
        port,
        (now) =>
          now.value("omnisocket_connections") === baseline &&
          now.value("omnisocket_closes_total", { code: "1000" }) >
            start.value("omnisocket_closes_total", { code: "1000" }),
      );
      const delta = (metric: string, labels: Record<string, string> = {}) =>
        end.value(metric, labels) - start.value(metric, labels);
      const refusedEarly = capabilities.malformedReachServer ? 1 : 0;
      assert.deepEqual(
        {
          connections: delta("omnisocket_connections"),
          handshakes101: delta("omnisocket_handshakes_total", { status: "101" }),
          handshakes400: delta("omnisocket_handshakes_total", { status: "400" }),
          handshakes403: delta("omnisocket_handshakes_total", { status: "403" }),
          handshakes426: delta("omnisocket_handshakes_total", { status: "426" }),
          received: delta("omnisocket_messages_received_total"),
          sent: delta("omnisocket_messages_sent_total"),
          publications: delta("omnisocket_publications_total"),
          deliveries: delta("omnisocket_deliveries_total"),
          subscriptions: delta("omnisocket_subscriptions"),
          closes1000: delta("omnisocket_closes_total", { code: "1000" }),
          closes4001: delta("omnisocket_closes_total", { code: "4001" }),
          closesAll: delta("omnisocket_closes_total"),
          initiated4001: delta("omnisocket_closes_initiated_total", { code: "4001" }),
        },
        {
          connections: 0,
          handshakes101: 2,
          handshakes400: refusedEarly,
          handshakes403: 1,
          handshakes426: refusedEarly,
          received,
          sent,
          publications: capabilities.topics ? 2 : 0,
          deliveries: capabilities.topics ? 2 : 0,
          subscriptions: 0,
          closes1000: 1,
          closes4001: 1,
          closesAll: 2,
          initiated4001: 1,
        },
      );
      // Every family has its # HELP and # TYPE (the parser keeps both).
      for (const family of end.families.values()) {
        assert.ok(family.help.length > 0, `${family.name} has # HELP`);
        assert.ok(family.type.length > 0, `${family.name} has # TYPE`);
      }
      assert.ok(delta("omnisocket_handshake_duration_seconds") >= 3);
    });

    it("resumes are counted by outcome and a stalled subscriber as a slow-consumer close", {
      skip: !capabilities.topics,
    }, async () => {
      const { port } = server;
      const url = `ws://127.0.0.1:${port}/`;
      const start = await scrape(port);
      const [reader, publisher] = await Promise.all(
        [url, url].map(async (u) => new Inbox(await open(u, [], { origin: METRICS_SUITE_ORIGIN }))),
      );
      // Resumes: one with an offset still held (recovered), one with an unknown offset.
      const published = await publisher.ask({ cmd: "pub", topic: "history", data: "kept" });
      const first = await reader.ask({ cmd: "sub", topic: "history", since: published.offset });
      assert.equal(first.recovered, true);
      const second = await reader.ask({ cmd: "sub", topic: "other", since: "nope:1" });
      assert.equal(second.recovered, false);

      // A subscriber that stops reading: publications of 256 KiB until it is closed with 1008.
      const slow = new Inbox(await open(url, [], { origin: METRICS_SUITE_ORIGIN }));
      assert.equal((await slow.ask({ cmd: "sub", topic: "flood" })).ready, "flood");
      const raw = (slow.socket as unknown as { _socket: import("node:net").Socket })._socket;
      raw.pause();
      const slowClosed = closed(slow.socket);
      const data = "x".repeat(256 * 1024);
      let overflowed = 0;
      for (let i = 0; i < 200 && overflowed === 0; i++) {
        overflowed += (await publisher.ask({ cmd: "pub", topic: "flood", data }))
          .overflowed as number;
      }
      assert.equal(overflowed, 1);
      raw.resume();
      assert.equal((await slowClosed).code, 1008);
      reader.close();
      publisher.close();
      const baseline = start.value("omnisocket_connections");
      const end = await settle(port, (now) => now.value("omnisocket_connections") === baseline);
      const delta = (metric: string, labels: Record<string, string> = {}) =>
        end.value(metric, labels) - start.value(metric, labels);
      assert.deepEqual(
        {
          recovered: delta("omnisocket_resumes_total", { recovered: "true" }),
          notRecovered: delta("omnisocket_resumes_total", { recovered: "false" }),
          slowConsumers: delta("omnisocket_slow_consumer_closes_total"),
          initiated1008: delta("omnisocket_closes_initiated_total", { code: "1008" }),
          closes1008: delta("omnisocket_closes_total", { code: "1008" }),
          connections: delta("omnisocket_connections"),
        },
        {
          recovered: 1,
          notRecovered: 1,
          slowConsumers: 1,
          initiated1008: 1,
          closes1008: 1,
          connections: 0,
        },
      );
      if (capabilities.backpressureSeen) {
        assert.ok(delta("omnisocket_backpressure_total") >= 1, "backpressure was counted");
        assert.ok(delta("omnisocket_backpressure_buffered_bytes") >= 1);
      }
    });
  });
}
