/**
 * The metrics one server keeps: counters, gauges and histograms, runtime-neutral.
 *
 * @module
 */

import { Histogram } from "./histogram.ts";
import { LabeledCounter } from "./labeled_counter.ts";
import type { MetricFamily, MetricSample, MetricsSnapshot } from "./metrics_snapshot.ts";
import { utf8Length } from "./utf8_length.ts";

/**
 * How a {@linkcode ServerMetrics} splits what it counts.
 *
 * @example Publications and deliveries per room namespace
 * ```ts
 * import { ServerMetrics } from "@omnisocket/core";
 *
 * const metrics = new ServerMetrics({
 *   // "room:42" -> "room"; a topic name is user data, never a label as it is
 *   topicNamespace: (topic) => topic.split(":", 1)[0],
 *   maxNamespaces: 20,
 * });
 * console.log(metrics.value("omnisocket_publications_total")); // 0
 * ```
 */
export interface MetricsOptions {
  /**
   * Maps a topic to the label value its publications and deliveries are
   * counted under (`omnisocket_topic_publications_total{namespace}`,
   * `omnisocket_topic_deliveries_total{namespace}`); `undefined` leaves the
   * topic out. Without it there are no per-topic metrics at all.
   */
  topicNamespace?: (topic: string) => string | undefined;
  /**
   * Distinct namespaces kept; later ones are counted as `"other"`. Default 100.
   */
  maxNamespaces?: number;
}

/** A histogram observation as the OpenTelemetry bridge hears it. */
type Observer = (name: string, value: number) => void;

const HANDSHAKE_SECONDS = [
  0.0001,
  0.00025,
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
];
const BACKPLANE_SECONDS = [
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];
const BUFFERED_BYTES = [65536, 262144, 1048576, 4194304, 16777216, 67108864];
const NO_LABELS = Object.freeze({});

/**
 * The metrics of one server, kept by the server core on every adapter; on
 * by passing one in the options (`metrics`), read with
 * {@linkcode ServerMetrics.snapshot} (or {@linkcode prometheusText} of it,
 * or the OpenTelemetry bridge, `@omnisocket/core/opentelemetry`). Counting
 * is a few additions per message: no allocation, no timer, no I/O. The
 * counting methods are the server core's; an application only reads.
 *
 * What is counted (see the README's operations section for the full list):
 * connections, handshakes by status and their duration, data messages and
 * payload bytes in and out, closes by code, backpressure and slow-consumer
 * closes, topics, subscriptions, publications, deliveries, backplane publish
 * latency and lag, resumes, broker reconnects, and deflate's bytes in and out.
 *
 * @example Serving /metrics next to the WebSocket
 * ```ts
 * import { prometheusText, ServerMetrics, type ServerOptions } from "@omnisocket/core";
 *
 * const metrics = new ServerMetrics();
 * const options: ServerOptions = { metrics };
 * const fetch = () =>
 *   new Response(prometheusText(metrics.snapshot()), {
 *     headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" },
 *   });
 * console.log(options.metrics === metrics, (await fetch().text()).includes("# TYPE")); // true true
 * ```
 */
export class ServerMetrics {
  /** The options it was made with (a Durable Object makes one per object with them). */
  readonly options: MetricsOptions;

  #connections = 0;
  #handshakes = new LabeledCounter("status", 32, "other");
  #handshakeSeconds = new Histogram(HANDSHAKE_SECONDS);
  #messagesReceived = 0;
  #bytesReceived = 0;
  #messagesSent = 0;
  #bytesSent = 0;
  #closes = new LabeledCounter("code", 64, "other");
  #closesInitiated = new LabeledCounter("code", 64, "other");
  #backpressure = 0;
  #bufferedBytes = new Histogram(BUFFERED_BYTES);
  #slowConsumerCloses = 0;
  #topics = 0;
  #subscriptions = 0;
  #publications = 0;
  #deliveries = 0;
  #topicPublications: LabeledCounter | null = null;
  #topicDeliveries: LabeledCounter | null = null;
  #namespace: ((topic: string) => string | undefined) | null;
  #backplaneSeconds = new Histogram(BACKPLANE_SECONDS);
  #lagSeconds = new Histogram(BACKPLANE_SECONDS);
  #resumes = new LabeledCounter("recovered", 2, "other");
  #brokerReconnects = 0;
  #deflateIn = 0;
  #deflateOut = 0;
  #observers: Observer[] | null = null;
  // The last text measured and its UTF-8 length: a message sent on as it came (echo, relay)
  // is measured once.
  #lastText = "";
  #lastTextBytes = 0;

  /** Starts every count at zero. */
  constructor(options: MetricsOptions = {}) {
    this.options = options;
    this.#namespace = options.topicNamespace ?? null;
    const max = options.maxNamespaces ?? 100;
    if (!(Number.isInteger(max) && max >= 1)) {
      throw new RangeError(`Cannot create metrics: maxNamespaces must be an integer >= 1`);
    }
    if (this.#namespace !== null) {
      this.#topicPublications = new LabeledCounter("namespace", max, "other");
      this.#topicDeliveries = new LabeledCounter("namespace", max, "other");
    }
  }

  // ---- counting (the server core calls these) ----

  /**
   * The server core: an upgrade was answered with `status` after `seconds`
   * (none when refused before it could be timed, e.g. a malformed head).
   */
  handshake(status: number, seconds?: number): void {
    this.#handshakes.add(String(status));
    if (seconds === undefined) return;
    this.#handshakeSeconds.observe(seconds);
    if (this.#observers !== null) this.#emit("omnisocket_handshake_duration_seconds", seconds);
  }

  /** The server core: a connection opened (or came back from hibernation). */
  opened(): void {
    this.#connections++;
  }

  /** The server core: an open connection ended with `code`. */
  closed(code: number): void {
    this.#connections--;
    this.#closes.add(String(code));
  }

  /** The server core: the server started a close handshake with `code`. */
  closeSent(code: number): void {
    this.#closesInitiated.add(String(code));
  }

  /** The server core: a data message arrived. */
  received(data: string | Uint8Array): void {
    this.#messagesReceived++;
    this.#bytesReceived += typeof data === "string" ? this.#textBytes(data) : data.length;
  }

  /** The server core: a data message was queued. */
  sent(data: string | Uint8Array): void {
    this.#messagesSent++;
    this.#bytesSent += typeof data === "string" ? this.#textBytes(data) : data.length;
  }

  #textBytes(text: string): number {
    if (text === this.#lastText) return this.#lastTextBytes;
    const bytes = utf8Length(text);
    if (text.length <= 4096) {
      this.#lastText = text;
      this.#lastTextBytes = bytes;
    }
    return bytes;
  }

  /** The server core: `count` data messages of `bytes` bytes each were queued. */
  sentBytes(bytes: number, count: number): void {
    this.#messagesSent += count;
    this.#bytesSent += bytes * count;
  }

  /** The server core: a send found `buffered` bytes queued, past the backpressure limit. */
  backpressure(buffered: number): void {
    this.#backpressure++;
    this.#bufferedBytes.observe(buffered);
  }

  /** The server core: a peer was closed with 1008 for its queue passing `maxBufferedAmount`. */
  slowConsumer(): void {
    this.#slowConsumerCloses++;
  }

  /** The server core: this process started (+1) or stopped (-1) following a topic. */
  topics(delta: 1 | -1): void {
    this.#topics += delta;
  }

  /** The server core: a subscription began (+1) or ended (-1). */
  subscriptions(delta: 1 | -1): void {
    this.#subscriptions += delta;
  }

  /** The server core: a publication to `topic` was made through this process. */
  published(topic: string): void {
    this.#publications++;
    const namespace = this.#namespace;
    if (namespace !== null) {
      const label = namespace(topic);
      if (label !== undefined) this.#topicPublications!.add(label);
    }
  }

  /** The server core: one publication of `topic` was written to `count` subscribers here. */
  delivered(topic: string, count: number): void {
    this.#deliveries += count;
    const namespace = this.#namespace;
    if (namespace !== null && count > 0) {
      const label = namespace(topic);
      if (label !== undefined) this.#topicDeliveries!.add(label, count);
    }
  }

  /** The server core: the backplane took `seconds` to accept a publication. */
  backplanePublish(seconds: number): void {
    this.#backplaneSeconds.observe(seconds);
    if (this.#observers !== null) {
      this.#emit("omnisocket_backplane_publish_duration_seconds", seconds);
    }
  }

  /** The server core: a publication made elsewhere arrived `seconds` after it was published. */
  backplaneLag(seconds: number): void {
    const lag = seconds > 0 ? seconds : 0; // clocks of two machines may disagree a little
    this.#lagSeconds.observe(lag);
    if (this.#observers !== null) this.#emit("omnisocket_backplane_lag_seconds", lag);
  }

  /** The server core: a subscribe with `since` was answered. */
  resumed(recovered: boolean): void {
    this.#resumes.add(recovered ? "true" : "false");
  }

  /** The backplane: its broker connection came back after a loss. */
  brokerReconnected(): void {
    this.#brokerReconnects++;
  }

  /** The engine: permessage-deflate turned `input` bytes into `output` bytes. */
  deflated(input: number, output: number): void {
    this.#deflateIn += input;
    this.#deflateOut += output;
  }

  /**
   * Calls `observer` with each histogram observation (name, value) as it
   * happens; returns the function that stops it. For bridges that record
   * histograms themselves (OpenTelemetry).
   */
  observe(observer: (name: string, value: number) => void): () => void {
    (this.#observers ??= []).push(observer);
    return () => {
      const observers = this.#observers ?? [];
      const index = observers.indexOf(observer);
      if (index >= 0) observers.splice(index, 1);
      if (observers.length === 0) this.#observers = null;
    };
  }

  #emit(name: string, value: number): void {
    for (const observer of this.#observers!) observer(name, value);
  }

  // ---- reading ----

  /** Every metric now, in a fixed order. */
  snapshot(): MetricsSnapshot {
    const one = (value: number): MetricSample[] => [{ labels: NO_LABELS, value }];
    const families: MetricFamily[] = [
      gauge("omnisocket_connections", "Open WebSocket connections.", one(this.#connections)),
      counter(
        "omnisocket_handshakes_total",
        "Upgrade requests answered, by HTTP status (101: accepted).",
        this.#handshakes.samples(),
      ),
      histogram(
        "omnisocket_handshake_duration_seconds",
        "Time from an upgrade request to the server's decision.",
        this.#handshakeSeconds,
      ),
      counter(
        "omnisocket_messages_received_total",
        "Data messages received (control frames excluded).",
        one(this.#messagesReceived),
      ),
      counter(
        "omnisocket_received_bytes_total",
        "Payload bytes of the data messages received (after decompression).",
        one(this.#bytesReceived),
      ),
      counter(
        "omnisocket_messages_sent_total",
        "Data messages sent, publications included (control frames excluded).",
        one(this.#messagesSent),
      ),
      counter(
        "omnisocket_sent_bytes_total",
        "Payload bytes of the data messages sent (before compression).",
        one(this.#bytesSent),
      ),
      counter(
        "omnisocket_closes_total",
        "Connections ended, by the code of the close handshake, whoever started it (1006: none).",
        this.#closes.samples(),
      ),
      counter(
        "omnisocket_closes_initiated_total",
        "Close handshakes the server started, by code.",
        this.#closesInitiated.samples(),
      ),
      counter(
        "omnisocket_backpressure_total",
        "Sends that found a peer's queue past backpressureLimit.",
        one(this.#backpressure),
      ),
      histogram(
        "omnisocket_backpressure_buffered_bytes",
        "Bytes queued for the peer at each backpressure event.",
        this.#bufferedBytes,
      ),
      counter(
        "omnisocket_slow_consumer_closes_total",
        "Peers closed with 1008 because their queue passed maxBufferedAmount.",
        one(this.#slowConsumerCloses),
      ),
      gauge("omnisocket_topics", "Topics this process follows.", one(this.#topics)),
      gauge(
        "omnisocket_subscriptions",
        "Topic subscriptions of open peers.",
        one(this.#subscriptions),
      ),
      counter(
        "omnisocket_publications_total",
        "Publications made through this process.",
        one(this.#publications),
      ),
      counter(
        "omnisocket_deliveries_total",
        "Publications written to subscribers of this process (one per subscriber).",
        one(this.#deliveries),
      ),
    ];
    if (this.#topicPublications !== null) {
      families.push(
        counter(
          "omnisocket_topic_publications_total",
          "Publications made through this process, by topic namespace.",
          this.#topicPublications.samples(),
        ),
        counter(
          "omnisocket_topic_deliveries_total",
          "Deliveries to subscribers of this process, by topic namespace.",
          this.#topicDeliveries!.samples(),
        ),
      );
    }
    families.push(
      histogram(
        "omnisocket_backplane_publish_duration_seconds",
        "Time for the backplane to accept a publication (not counted for the in-process one).",
        this.#backplaneSeconds,
      ),
      histogram(
        "omnisocket_backplane_lag_seconds",
        "Time from a publication on another process to its arrival here.",
        this.#lagSeconds,
      ),
      counter(
        "omnisocket_resumes_total",
        "Subscribes with `since`, by whether every missed publication was recovered.",
        this.#resumes.samples(),
      ),
      counter(
        "omnisocket_broker_reconnects_total",
        "Times the backplane's broker connection came back after a loss.",
        one(this.#brokerReconnects),
      ),
      counter(
        "omnisocket_deflate_input_bytes_total",
        "Bytes given to permessage-deflate to compress (where our engine compresses).",
        one(this.#deflateIn),
      ),
      counter(
        "omnisocket_deflate_output_bytes_total",
        "Bytes permessage-deflate produced from them; output / input is the compression ratio.",
        one(this.#deflateOut),
      ),
    );
    return { time: Date.now(), families };
  }

  /**
   * The current value of a counter or gauge (the sum over its label sets
   * that match `labels`), or of a histogram's count; 0 when unknown.
   */
  value(name: string, labels: Readonly<Record<string, string>> = {}): number {
    const family = this.snapshot().families.find((candidate) => candidate.name === name);
    if (family === undefined) return 0;
    let total = 0;
    for (const sample of family.samples) {
      if (!Object.entries(labels).every(([key, value]) => sample.labels[key] === value)) continue;
      total += "value" in sample ? sample.value : sample.count;
    }
    return total;
  }
}

function counter(name: string, help: string, samples: MetricSample[]): MetricFamily {
  return { name, help, type: "counter", samples };
}

function gauge(name: string, help: string, samples: MetricSample[]): MetricFamily {
  return { name, help, type: "gauge", samples };
}

function histogram(name: string, help: string, values: Histogram): MetricFamily {
  return { name, help, type: "histogram", samples: [values.sample(NO_LABELS)] };
}
