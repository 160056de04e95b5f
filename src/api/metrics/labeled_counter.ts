/**
 * A counter split by one label, with a cap on how many values it keeps.
 *
 * @module
 */

import type { MetricSample } from "./metrics_snapshot.ts";

/**
 * Counts per value of one label. Past `maxValues` distinct values, further
 * new values are counted under `overflow` (e.g. `"other"`): a label value
 * that comes from the network or from user data cannot grow memory or a
 * scrape without bound.
 *
 * @example
 * ```ts
 * import { LabeledCounter } from "./labeled_counter.ts";
 *
 * const closes = new LabeledCounter("code", 2, "other");
 * closes.add("1000");
 * closes.add("1001");
 * closes.add("4001");
 * console.log(closes.get("other")); // 1
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export class LabeledCounter {
  /** The label's name, e.g. `"code"`. */
  readonly label: string;
  #values = new Map<string, number>();
  #max: number;
  #overflow: string;

  /** `maxValues` distinct values are kept; others count under `overflow`. */
  constructor(label: string, maxValues: number, overflow: string) {
    this.label = label;
    this.#max = maxValues;
    this.#overflow = overflow;
  }

  /** Adds `amount` (default 1) under `value`. */
  add(value: string, amount = 1): void {
    const values = this.#values;
    const current = values.get(value);
    if (current !== undefined) {
      values.set(value, current + amount);
      return;
    }
    const key = values.size < this.#max ? value : this.#overflow;
    values.set(key, (values.get(key) ?? 0) + amount);
  }

  /** The count under `value` (0 when never seen). */
  get(value: string): number {
    return this.#values.get(value) ?? 0;
  }

  /** One sample per value seen, in first-seen order. */
  samples(): MetricSample[] {
    const samples: MetricSample[] = [];
    for (const [value, count] of this.#values) {
      samples.push({ labels: { [this.label]: value }, value: count });
    }
    return samples;
  }
}
