// The chat contract's extension `examples/chat.ts --metrics`: GET /metrics in
// Prometheus text format with the names the contract lists (each with # HELP
// and # TYPE, read by a real parser) counting a chat workload, GET /stats;
// without --metrics neither exists.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import parsePrometheus from "parse-prometheus-text-format";
import { type RunningExample, runtimesUnderTest, startExample } from "../support/example_server.ts";
import { Inbox } from "../support/inbox.ts";
import { closed, open } from "../support/ws_client.ts";

interface Parsed {
  name: string;
  help: string;
  type: string;
  metrics: { value?: string; labels?: Record<string, string> }[];
}
const parse = parsePrometheus as unknown as (text: string) => Parsed[];

const CONTRACT: Record<string, string> = {
  omnisocket_connections: "GAUGE",
  omnisocket_handshakes_total: "COUNTER",
  omnisocket_messages_received_total: "COUNTER",
  omnisocket_messages_sent_total: "COUNTER",
  omnisocket_closes_total: "COUNTER",
  omnisocket_publications_total: "COUNTER",
  omnisocket_deliveries_total: "COUNTER",
  omnisocket_subscriptions: "GAUGE",
};

async function scrape(port: number): Promise<Map<string, Parsed>> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(response.status, 200);
  const text = await response.text();
  for (const name of Object.keys(CONTRACT)) {
    assert.match(text, new RegExp(`^# HELP ${name} \\S`, "m"), `# HELP ${name}`);
    assert.match(text, new RegExp(`^# TYPE ${name} \\w`, "m"), `# TYPE ${name}`);
  }
  return new Map(parse(text).map((family) => [family.name, family]));
}

function value(families: Map<string, Parsed>, name: string, labels: Record<string, string> = {}) {
  let total = 0;
  for (const sample of families.get(name)?.metrics ?? []) {
    if (Object.entries(labels).every(([k, v]) => sample.labels?.[k] === v)) {
      total += Number(sample.value);
    }
  }
  return total;
}

for (const runtime of runtimesUnderTest()) {
  describe(`chat --metrics on ${runtime}`, () => {
    let server: RunningExample;
    before(async () => {
      server = await startExample({ runtime, file: "examples/chat.ts", args: ["--metrics"] });
    });
    after(() => server.stop());

    it("GET /metrics names every contract metric and counts a chat workload", async () => {
      const start = await scrape(server.port);
      for (const [name, type] of Object.entries(CONTRACT)) {
        assert.equal(start.get(name)?.type, type, `${name} is a ${type.toLowerCase()}`);
      }
      const alice = new Inbox(await open(server.url));
      const bob = new Inbox(await open(server.url));
      for (const inbox of [alice, bob]) {
        inbox.send({ type: "subscribe", topic: "lobby" });
        assert.equal((await inbox.json()).type, "subscribed");
      }
      alice.send({ type: "publish", topic: "lobby", data: "hi" });
      for (const inbox of [alice, bob]) assert.equal((await inbox.json()).data, "hi");
      const during = await scrape(server.port);
      assert.equal(
        value(during, "omnisocket_connections") - value(start, "omnisocket_connections"),
        2,
      );
      assert.equal(
        value(during, "omnisocket_subscriptions") - value(start, "omnisocket_subscriptions"),
        2,
      );
      for (const inbox of [alice, bob]) {
        const done = closed(inbox.socket);
        inbox.socket.close(1000);
        await done;
      }
      let end = await scrape(server.port);
      for (
        let i = 0;
        i < 100 && value(end, "omnisocket_connections") !== value(start, "omnisocket_connections");
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        end = await scrape(server.port);
      }
      const delta = (name: string, labels?: Record<string, string>) =>
        value(end, name, labels) - value(start, name, labels);
      assert.deepEqual(
        {
          connections: delta("omnisocket_connections"),
          handshakes101: delta("omnisocket_handshakes_total", { status: "101" }),
          received: delta("omnisocket_messages_received_total"),
          sent: delta("omnisocket_messages_sent_total"),
          publications: delta("omnisocket_publications_total"),
          deliveries: delta("omnisocket_deliveries_total"),
          subscriptions: delta("omnisocket_subscriptions"),
          closes1000: delta("omnisocket_closes_total", { code: "1000" }),
        },
        {
          connections: 0,
          handshakes101: 2,
          received: 3, // 2 subscribes, 1 publish
          sent: 4, // 2 "subscribed", 2 deliveries (the publisher is subscribed)
          publications: 1,
          deliveries: 2,
          subscriptions: 0,
          closes1000: 2,
        },
      );
    });

    it("GET /stats serves the live page", async () => {
      const response = await fetch(`http://127.0.0.1:${server.port}/stats`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
      assert.match(await response.text(), /omnisocket stats/);
    });
  });

  it(`chat without --metrics on ${runtime} has no /metrics and no /stats`, async () => {
    const server = await startExample({ runtime, file: "examples/chat.ts" });
    try {
      for (const path of ["/metrics", "/stats"]) {
        const response = await fetch(`http://127.0.0.1:${server.port}${path}`);
        assert.equal(response.status, 404, path);
        await response.body?.cancel();
      }
    } finally {
      await server.stop();
    }
  });
}
