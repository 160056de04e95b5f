/**
 * Reads a flood slowly with WebSocketStream: `backpressure_driver.ts URL MS`.
 * Reads one message every MS milliseconds for 1.5 s, then prints JSON with
 * the bytes consumed and the largest growth of heap + array buffers since
 * the start (after a collection, every 25 reads).
 *
 * @module
 */

import { WebSocketStream } from "../../src/adapters/client.ts";
import { commandLineArgs, exit } from "../../examples/support/runtime.ts";

const [url, pauseMs] = commandLineArgs();

// Garbage (messages already consumed) is not growth: collect before each sample when the
// runtime lets us (node --expose-gc, deno --v8-flags=--expose-gc, Bun.gc).
function collect(): void {
  const global = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (global.Bun) global.Bun.gc(true);
  else global.gc?.();
}

function memory(): number {
  collect();
  const global = globalThis as {
    Deno?: { memoryUsage(): { heapUsed: number; external: number } };
    process?: { memoryUsage(): { heapUsed: number; arrayBuffers: number } };
  };
  if (global.Deno) {
    const usage = global.Deno.memoryUsage();
    return usage.heapUsed + usage.external;
  }
  const usage = global.process!.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

const stream = new WebSocketStream(url, { readableHighWaterMark: 256 * 1024 });
const { readable } = await stream.opened;
const reader = readable.getReader();
// Warm-up: the code of the read path is compiled (and its heap with it) before the baseline, so
// the growth measured is what the flood holds, not the engine's first use of the functions.
let warmUpBytes = 0;
const warmUpEnd = Date.now() + 300;
while (Date.now() < warmUpEnd) {
  const { value, done } = await reader.read();
  if (done) break;
  warmUpBytes += (value as Uint8Array).byteLength;
  await new Promise((resolve) => setTimeout(resolve, Number(pauseMs)));
}
const baseline = memory();
let peak = 0;
let consumed = warmUpBytes;
let reads = 0;
const end = Date.now() + 1_500;
while (Date.now() < end) {
  const { value, done } = await reader.read();
  if (done) break;
  consumed += (value as Uint8Array).byteLength;
  if (++reads % 25 === 0) peak = Math.max(peak, memory() - baseline);
  await new Promise((resolve) => setTimeout(resolve, Number(pauseMs)));
}
console.log(JSON.stringify({ consumed, peakGrowth: peak }));
stream.close({ closeCode: 1000 });
exit(0);
