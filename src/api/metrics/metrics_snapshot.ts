/**
 * The plain-data picture of a server's metrics at one instant.
 *
 * @module
 */

/**
 * One value of a counter or gauge, with its labels.
 *
 * @example
 * ```ts
 * import type { MetricSample } from "@omnisocket/core";
 *
 * const sample: MetricSample = { labels: { status: "101" }, value: 3 };
 * console.log(sample.value); // 3
 * ```
 */
export interface MetricSample {
  /** Label names to values; empty for an unlabelled metric. */
  readonly labels: Readonly<Record<string, string>>;
  /** The counter's total or the gauge's current value. */
  readonly value: number;
}

/**
 * One histogram's observations: cumulative counts per upper bound, the sum and the count.
 *
 * @example
 * ```ts
 * import type { HistogramSample } from "@omnisocket/core";
 *
 * const sample: HistogramSample = {
 *   labels: {},
 *   buckets: [{ le: 0.01, count: 2 }, { le: Infinity, count: 3 }],
 *   sum: 0.5,
 *   count: 3,
 * };
 * console.log(sample.buckets.at(-1)?.count === sample.count); // true
 * ```
 */
export interface HistogramSample {
  /** Label names to values; empty for an unlabelled metric. */
  readonly labels: Readonly<Record<string, string>>;
  /** Cumulative counts: observations <= `le`; the last bucket's `le` is `Infinity`. */
  readonly buckets: readonly { readonly le: number; readonly count: number }[];
  /** The sum of every observation. */
  readonly sum: number;
  /** How many observations. */
  readonly count: number;
}

/**
 * One metric: its name, help text, type and samples.
 *
 * @example
 * ```ts
 * import type { MetricFamily } from "@omnisocket/core";
 *
 * const family: MetricFamily = {
 *   name: "omnisocket_connections",
 *   help: "Open WebSocket connections.",
 *   type: "gauge",
 *   samples: [{ labels: {}, value: 2 }],
 * };
 * console.log(family.type); // "gauge"
 * ```
 */
export type MetricFamily =
  | {
    /** Prometheus name, e.g. `omnisocket_messages_received_total`. */
    readonly name: string;
    /** One line saying what is counted. */
    readonly help: string;
    /** A counter only grows; a gauge goes up and down. */
    readonly type: "counter" | "gauge";
    /** One sample per label set seen (one, unlabelled, for most). */
    readonly samples: readonly MetricSample[];
  }
  | {
    /** Prometheus name, e.g. `omnisocket_handshake_duration_seconds`. */
    readonly name: string;
    /** One line saying what is observed. */
    readonly help: string;
    /** Observations counted into fixed buckets. */
    readonly type: "histogram";
    /** One sample per label set seen. */
    readonly samples: readonly HistogramSample[];
  };

/**
 * Every metric of a server at one instant, in a fixed order.
 *
 * @example
 * ```ts
 * import { ServerMetrics, type MetricsSnapshot } from "@omnisocket/core";
 *
 * const snapshot: MetricsSnapshot = new ServerMetrics().snapshot();
 * console.log(snapshot.families.some((f) => f.name === "omnisocket_connections")); // true
 * ```
 */
export interface MetricsSnapshot {
  /** When it was taken, in milliseconds since the epoch. */
  readonly time: number;
  /** The metrics, counters, gauges and histograms. */
  readonly families: readonly MetricFamily[];
}
