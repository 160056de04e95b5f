/**
 * What counting costs per message, in process (no sockets, so a shared
 * machine disturbs it far less than the end-to-end run): the calls the
 * server core makes for one echoed message (received + sent), for text and
 * binary, and for one subscriber's delivery, with a `ServerMetrics`.
 *
 *   node_modules/.bin/node scripts/bench/metrics_cost.ts     (also: deno run -A, bun)
 *
 * Prints nanoseconds per message, the median of 5 runs of 5 million.
 *
 * @module
 */

import { ServerMetrics } from "../../src/api/metrics/server_metrics.ts";

const N = 5_000_000;
const metrics = new ServerMetrics();
// 64 distinct strings, as messages are: no cache of a single string helps.
const texts = Array.from({ length: 64 }, (_, i) => "x".repeat(63) + String.fromCharCode(48 + i));
const binary = new Uint8Array(64);

const cases: [string, () => void][] = [
  ["echo, 64 B text (received + sent)", () => {
    for (let i = 0; i < N; i++) {
      const text = texts[i & 63];
      metrics.received(text);
      metrics.sent(text);
    }
  }],
  ["64 B text received, another sent", () => {
    for (let i = 0; i < N; i++) {
      metrics.received(texts[i & 63]);
      metrics.sent(texts[(i + 7) & 63]);
    }
  }],
  ["echo, 64 B binary (received + sent)", () => {
    for (let i = 0; i < N; i++) {
      metrics.received(binary);
      metrics.sent(binary);
    }
  }],
  ["one delivery of a publication", () => {
    for (let i = 0; i < N; i++) metrics.sentBytes(64, 1);
  }],
];

for (const [name, run] of cases) {
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    run();
    times.push(((performance.now() - start) * 1e6) / N);
  }
  times.sort((a, b) => a - b);
  console.log(`${name}: ${times[2].toFixed(1)} ns`);
}
