/**
 * The OpenTelemetry bridge (`@omnisocket/core/opentelemetry`): a server's
 * {@linkcode ServerMetrics} as OpenTelemetry instruments on a `Meter` of
 * `@opentelemetry/api` (an optional peer dependency: only those who use
 * this subpath need it; the bridge takes the meter and never loads the API
 * itself, so its types are restated here, structurally).
 *
 * Counters become observable counters and gauges observable up-down
 * counters, read from one snapshot per collection; histograms are recorded
 * as they happen, with the same bucket boundaries. Names follow the
 * OpenTelemetry messaging conventions where they fit
 * (`messaging.client.sent.messages`, `messaging.client.consumed.messages`,
 * `messaging.client.operation.duration` for the backplane's publish, with
 * `messaging.system` = `"omnisocket"` and `messaging.operation.name`);
 * everything else is `omnisocket.` and the Prometheus name, dotted, without
 * `_total` (`omnisocket_closes_total{code}` →
 * `omnisocket.closes{code}`).
 *
 * @module
 */

import type { ServerMetrics } from "../api/metrics/server_metrics.ts";

/**
 * Attributes of a data point, as in `@opentelemetry/api`.
 *
 * @example
 * ```ts
 * import type { OpenTelemetryAttributes } from "@omnisocket/core/opentelemetry";
 *
 * const attributes: OpenTelemetryAttributes = { "service.name": "chat" };
 * console.log(attributes["service.name"]); // "chat"
 * ```
 */
export type OpenTelemetryAttributes = Record<string, string | number | boolean>;

/**
 * An asynchronous instrument, opaque to the bridge.
 *
 * @example
 * ```ts ignore
 * const observable: OpenTelemetryObservable = meter.createObservableCounter("x");
 * ```
 */
export type OpenTelemetryObservable = object;

/**
 * Options of an instrument, as in `@opentelemetry/api`.
 *
 * @example
 * ```ts
 * import type { OpenTelemetryInstrumentOptions } from "@omnisocket/core/opentelemetry";
 *
 * const options: OpenTelemetryInstrumentOptions = { unit: "s", description: "time" };
 * console.log(options.unit); // "s"
 * ```
 */
export interface OpenTelemetryInstrumentOptions {
  /** What it measures. */
  description?: string;
  /** UCUM unit, e.g. `s`, `By`. */
  unit?: string;
  /** Hints to the SDK: the histogram's bucket boundaries. */
  advice?: { explicitBucketBoundaries?: number[] };
}

/**
 * The part of `@opentelemetry/api`'s `Meter` the bridge uses: pass the
 * meter of your SDK (`metrics.getMeter(name)`, `meterProvider.getMeter(name)`).
 *
 * @example
 * ```ts ignore
 * import { metrics } from "@opentelemetry/api";
 *
 * const meter: OpenTelemetryMeter = metrics.getMeter("chat");
 * ```
 */
export interface OpenTelemetryMeter {
  /** A synchronous histogram. */
  createHistogram(
    name: string,
    options?: OpenTelemetryInstrumentOptions,
  ): { record(value: number, attributes?: OpenTelemetryAttributes): void };
  /** An asynchronous monotonic counter. */
  createObservableCounter(
    name: string,
    options?: OpenTelemetryInstrumentOptions,
  ): OpenTelemetryObservable;
  /** An asynchronous up-down counter. */
  createObservableUpDownCounter(
    name: string,
    options?: OpenTelemetryInstrumentOptions,
  ): OpenTelemetryObservable;
  /** Calls `callback` once per collection for all of `observables`. */
  addBatchObservableCallback(
    callback: (result: OpenTelemetryBatchResult) => void,
    observables: OpenTelemetryObservable[],
  ): void;
  /** Undoes {@linkcode OpenTelemetryMeter.addBatchObservableCallback}. */
  removeBatchObservableCallback(
    callback: (result: OpenTelemetryBatchResult) => void,
    observables: OpenTelemetryObservable[],
  ): void;
}

/**
 * What a batch callback reports values to, as in `@opentelemetry/api`.
 *
 * @example
 * ```ts ignore
 * meter.addBatchObservableCallback((result) => result.observe(counter, 1), [counter]);
 * ```
 */
export interface OpenTelemetryBatchResult {
  /** Reports `value` of `observable` with `attributes`. */
  observe(
    observable: OpenTelemetryObservable,
    value: number,
    attributes?: OpenTelemetryAttributes,
  ): void;
}

/**
 * Options of {@linkcode observeWithOpenTelemetry}.
 *
 * @example
 * ```ts
 * import type { OpenTelemetryBridgeOptions } from "@omnisocket/core/opentelemetry";
 *
 * const options: OpenTelemetryBridgeOptions = { attributes: { "server.name": "chat-1" } };
 * console.log(options.attributes?.["server.name"]); // "chat-1"
 * ```
 */
export interface OpenTelemetryBridgeOptions {
  /** Attributes added to every data point (e.g. which server or Durable Object). */
  attributes?: OpenTelemetryAttributes;
}

// Prometheus name -> OpenTelemetry name and fixed attributes, where the messaging conventions fit.
const CONVENTIONS: Record<
  string,
  { name: string; attributes: OpenTelemetryAttributes; unit: string }
> = {
  omnisocket_messages_sent_total: {
    name: "messaging.client.sent.messages",
    attributes: { "messaging.system": "omnisocket", "messaging.operation.name": "send" },
    unit: "{message}",
  },
  omnisocket_messages_received_total: {
    name: "messaging.client.consumed.messages",
    attributes: { "messaging.system": "omnisocket", "messaging.operation.name": "receive" },
    unit: "{message}",
  },
  omnisocket_backplane_publish_duration_seconds: {
    name: "messaging.client.operation.duration",
    attributes: {
      "messaging.system": "omnisocket",
      "messaging.operation.name": "publish",
      "messaging.operation.type": "send",
    },
    unit: "s",
  },
};

/**
 * The OpenTelemetry name of a Prometheus metric name of omnisocket.
 *
 * @example
 * ```ts
 * import { openTelemetryName } from "@omnisocket/core/opentelemetry";
 *
 * console.log(openTelemetryName("omnisocket_closes_total")); // "omnisocket.closes"
 * console.log(openTelemetryName("omnisocket_messages_sent_total")); // "messaging.client.sent.messages"
 * ```
 */
export function openTelemetryName(name: string): string {
  const convention = CONVENTIONS[name];
  if (convention !== undefined) return convention.name;
  return "omnisocket." +
    name.slice("omnisocket_".length).replace(/_total$/, "").replaceAll("_", ".");
}

function unitOf(name: string): string | undefined {
  if (CONVENTIONS[name] !== undefined) return CONVENTIONS[name].unit;
  if (name.endsWith("_seconds")) return "s";
  if (name.endsWith("_bytes") || name.includes("_bytes_")) return "By";
  return undefined;
}

/**
 * Makes `metrics` readable through `meter`: call once per server (or per
 * Durable Object, with its `context.metrics`); returns the function that
 * detaches it again.
 *
 * @example With the SDK's in-memory exporter
 * ```ts ignore
 * import { metrics as otel } from "@opentelemetry/api";
 * import { ServerMetrics } from "@omnisocket/core";
 * import { serve } from "@omnisocket/core/node";
 * import { observeWithOpenTelemetry } from "@omnisocket/core/opentelemetry";
 *
 * const metrics = new ServerMetrics();
 * observeWithOpenTelemetry(metrics, otel.getMeter("chat"));
 * await serve({ message: (peer, m) => void peer.send(m.data) }, { port: 8080, metrics });
 * ```
 */
export function observeWithOpenTelemetry(
  metrics: ServerMetrics,
  meter: OpenTelemetryMeter,
  options: OpenTelemetryBridgeOptions = {},
): () => void {
  const base = options.attributes ?? {};
  type Recorder = ReturnType<OpenTelemetryMeter["createHistogram"]>;
  type Attributes = OpenTelemetryAttributes;
  const observables = new Map<
    string,
    { instrument: OpenTelemetryObservable; attributes: Attributes }
  >();
  const histograms = new Map<string, { instrument: Recorder; attributes: Attributes }>();
  for (const family of metrics.snapshot().families) {
    const name = openTelemetryName(family.name);
    const attributes = { ...base, ...CONVENTIONS[family.name]?.attributes };
    const description = family.help;
    const unit = unitOf(family.name);
    if (family.type === "histogram") {
      const boundaries = family.samples[0]?.buckets.map((bucket) => bucket.le)
        .filter((le) => le !== Infinity);
      const instrument = meter.createHistogram(name, {
        description,
        unit,
        advice: { explicitBucketBoundaries: boundaries },
      });
      histograms.set(family.name, { instrument, attributes });
    } else {
      const instrument = family.type === "counter"
        ? meter.createObservableCounter(name, { description, unit })
        : meter.createObservableUpDownCounter(name, { description, unit });
      observables.set(family.name, { instrument, attributes });
    }
  }
  const callback = (result: OpenTelemetryBatchResult) => {
    for (const family of metrics.snapshot().families) {
      const observable = observables.get(family.name);
      if (observable === undefined || family.type === "histogram") continue;
      for (const sample of family.samples) {
        result.observe(observable.instrument, sample.value, {
          ...observable.attributes,
          ...sample.labels,
        });
      }
    }
  };
  const instruments = [...observables.values()].map((observable) => observable.instrument);
  meter.addBatchObservableCallback(callback, instruments);
  const stop = metrics.observe((name, value) => {
    const histogram = histograms.get(name);
    histogram?.instrument.record(value, histogram.attributes);
  });
  return () => {
    stop();
    meter.removeBatchObservableCallback(callback, instruments);
  };
}
