import assert from "node:assert/strict";
import { describe, it } from "node:test";
// @ts-ignore: the parser ships no type declarations (the npm build's tsc would call it `any`).
import parsePrometheus from "parse-prometheus-text-format";
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { prometheusText, ServerMetrics } from "../../../mod.ts";
import {
  observeWithOpenTelemetry,
  openTelemetryName,
} from "../../../src/adapters/opentelemetry.ts";
import { utf8Length } from "../../../src/api/metrics/utf8_length.ts";
import { resolveServerOptions } from "../../../src/api/server_options.ts";

interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  metrics: {
    value?: string;
    labels?: Record<string, string>;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }[];
}
const parse = parsePrometheus as unknown as (text: string) => ParsedFamily[];

describe("ServerMetrics", () => {
  it("prometheusText writes every metric with HELP and TYPE, read back by a real parser", () => {
    const metrics = new ServerMetrics();
    metrics.handshake(101, 0.0002);
    metrics.handshake(101, 0.003);
    metrics.handshake(403, 0.0001);
    metrics.opened();
    metrics.opened();
    metrics.received("héllo"); // 6 bytes
    metrics.sent(new Uint8Array(10));
    metrics.closed(1000);
    metrics.closeSent(1000);
    const families = parse(prometheusText(metrics.snapshot()));
    const byName = new Map(families.map((family) => [family.name, family]));
    for (
      const name of [
        "omnisocket_connections",
        "omnisocket_handshakes_total",
        "omnisocket_messages_received_total",
        "omnisocket_messages_sent_total",
        "omnisocket_closes_total",
        "omnisocket_publications_total",
        "omnisocket_deliveries_total",
        "omnisocket_subscriptions",
      ]
    ) {
      const family = byName.get(name);
      assert.ok(family, `${name} is exposed`);
      assert.ok(family.help.length > 0, `${name} has # HELP`);
    }
    assert.equal(byName.get("omnisocket_connections")!.type, "GAUGE");
    assert.equal(byName.get("omnisocket_connections")!.metrics[0].value, "1");
    assert.deepEqual(
      byName.get("omnisocket_handshakes_total")!.metrics.map((m) => [m.labels!.status, m.value]),
      [["101", "2"], ["403", "1"]],
    );
    assert.equal(byName.get("omnisocket_received_bytes_total")!.metrics[0].value, "6");
    assert.equal(byName.get("omnisocket_sent_bytes_total")!.metrics[0].value, "10");
    const duration = byName.get("omnisocket_handshake_duration_seconds")!;
    assert.equal(duration.type, "HISTOGRAM");
    assert.equal(duration.metrics[0].count, "3");
    assert.equal(duration.metrics[0].buckets!["0.0001"], "1");
    assert.equal(duration.metrics[0].buckets!["0.00025"], "2");
    assert.equal(duration.metrics[0].buckets!["+Inf"], "3");
  });

  it("label values past the cap are counted as other", () => {
    const metrics = new ServerMetrics({ topicNamespace: (topic) => topic, maxNamespaces: 2 });
    for (const topic of ["a", "b", "c", "d", "a"]) metrics.published(topic);
    assert.equal(metrics.value("omnisocket_topic_publications_total", { namespace: "a" }), 2);
    assert.equal(metrics.value("omnisocket_topic_publications_total", { namespace: "other" }), 2);
    assert.equal(metrics.value("omnisocket_publications_total"), 5);
    for (let code = 3000; code < 3100; code++) metrics.closed(code);
    const closes = metrics.snapshot().families.find((f) => f.name === "omnisocket_closes_total")!;
    assert.equal(closes.samples.length, 65); // 64 codes kept, then "other"
    assert.equal(metrics.value("omnisocket_closes_total"), 100);
  });

  it("a namespace function returning undefined leaves the topic out", () => {
    const metrics = new ServerMetrics({
      topicNamespace: (topic) => topic.startsWith("room:") ? "room" : undefined,
    });
    metrics.published("room:1");
    metrics.published("secret");
    metrics.delivered("room:2", 3);
    assert.equal(prometheusText(metrics.snapshot()).includes("secret"), false);
    assert.equal(metrics.value("omnisocket_topic_deliveries_total", { namespace: "room" }), 3);
  });

  it("prometheusText escapes label values", () => {
    const metrics = new ServerMetrics({ topicNamespace: () => 'a"b\\c\nd' });
    metrics.published("x");
    const family = parse(prometheusText(metrics.snapshot()))
      .find((f) => f.name === "omnisocket_topic_publications_total")!;
    assert.equal(family.metrics[0].labels!.namespace, 'a"b\\c\nd');
  });

  it("resolveServerOptions rejects a metrics option that is not a ServerMetrics", () => {
    assert.throws(
      // deno-lint-ignore no-explicit-any
      () => resolveServerOptions({ metrics: {} as any }),
      /metrics must be a ServerMetrics/,
    );
    const metrics = new ServerMetrics();
    assert.equal(resolveServerOptions({ metrics }).topics.metrics, metrics);
  });

  it("utf8Length counts UTF-8 bytes like TextEncoder", () => {
    for (const text of ["", "abc", "héllo", "€", "😀x", "\ud800", "a\udc00b", "日本語"]) {
      assert.equal(utf8Length(text), new TextEncoder().encode(text).length, JSON.stringify(text));
    }
  });
});

describe("OpenTelemetry bridge", () => {
  it("exports counters, gauges and histograms through the SDK's in-memory exporter", async () => {
    const metrics = new ServerMetrics();
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ readers: [reader] });
    const stop = observeWithOpenTelemetry(metrics, provider.getMeter("test"), {
      attributes: { "server.name": "unit" },
    });
    metrics.handshake(101, 0.002);
    metrics.handshake(426, 0.001);
    metrics.opened();
    metrics.received("hi");
    metrics.received("ho");
    metrics.sent("x");
    metrics.closed(1001);
    metrics.backplanePublish(0.004);
    await reader.forceFlush();
    const scope = exporter.getMetrics().at(-1)!.scopeMetrics[0];
    const find = (name: string) => {
      const found = scope.metrics.find((metric) => metric.descriptor.name === name);
      assert.ok(found, `${name} exported`);
      return found;
    };
    const consumed = find("messaging.client.consumed.messages");
    assert.equal(consumed.dataPoints[0].value, 2);
    assert.equal(consumed.dataPoints[0].attributes["messaging.system"], "omnisocket");
    assert.equal(consumed.dataPoints[0].attributes["server.name"], "unit");
    assert.equal(find("messaging.client.sent.messages").dataPoints[0].value, 1);
    const handshakes = find("omnisocket.handshakes").dataPoints
      .map((point) => [point.attributes.status, point.value]);
    assert.deepEqual(handshakes, [["101", 1], ["426", 1]]);
    assert.equal(find("omnisocket.connections").dataPoints[0].value, 0);
    assert.deepEqual(
      find("omnisocket.closes").dataPoints.map((point) => [point.attributes.code, point.value]),
      [["1001", 1]],
    );
    const duration = find("omnisocket.handshake.duration.seconds");
    assert.equal(duration.dataPointType, DataPointType.HISTOGRAM);
    const histogram = duration.dataPoints[0].value as { count: number; sum: number };
    assert.equal(histogram.count, 2);
    const publish = find("messaging.client.operation.duration");
    assert.equal(publish.descriptor.unit, "s");
    assert.equal((publish.dataPoints[0].value as { count: number }).count, 1);
    stop();
    await provider.shutdown();
  });

  it("names follow the messaging conventions where they fit", () => {
    assert.equal(openTelemetryName("omnisocket_deliveries_total"), "omnisocket.deliveries");
    assert.equal(
      openTelemetryName("omnisocket_messages_received_total"),
      "messaging.client.consumed.messages",
    );
  });
});
