/**
 * A histogram with fixed buckets, for durations and sizes.
 *
 * @module
 */

import type { HistogramSample } from "./metrics_snapshot.ts";

/**
 * Counts observations into fixed upper bounds (plus `+Inf`); constant memory,
 * one short scan per observation.
 *
 * @example
 * ```ts
 * import { Histogram } from "./histogram.ts";
 *
 * const histogram = new Histogram([0.1, 1]);
 * histogram.observe(0.5);
 * console.log(histogram.sample({}).buckets.map((b) => b.count)); // [0, 1, 1]
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export class Histogram {
  /** Upper bounds, increasing, without `+Inf`. */
  readonly bounds: readonly number[];
  #counts: number[];
  #sum = 0;
  #count = 0;

  /** `bounds`: the buckets' upper bounds, increasing. */
  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.#counts = new Array(bounds.length + 1).fill(0);
  }

  /** Counts one observation. */
  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    this.#counts[i]++;
    this.#sum += value;
    this.#count++;
  }

  /** The cumulative picture, with `labels`. */
  sample(labels: Readonly<Record<string, string>>): HistogramSample {
    const buckets: { le: number; count: number }[] = [];
    let cumulative = 0;
    for (let i = 0; i <= this.bounds.length; i++) {
      cumulative += this.#counts[i];
      buckets.push({ le: i < this.bounds.length ? this.bounds[i] : Infinity, count: cumulative });
    }
    return { labels, buckets, sum: this.#sum, count: this.#count };
  }
}
