/**
 * Floods a server-role WebSocketConnection, in process, with 100 MB of 1-byte
 * fragments (masked continuation frames of 7 bytes each) and checks that the
 * fragment budget ends it with close code 1009 long before the flood is
 * consumed, printing how much memory grew compared with the budget.
 *
 *   node scripts/fragment_flood.ts [--budget BYTES]
 *   deno run -A scripts/fragment_flood.ts
 *   bun scripts/fragment_flood.ts
 *
 * Exits with status 1 if the connection is not failed with 1009 (or 1008).
 *
 * @module
 */

import { WebSocketConnection } from "../src/protocol/websocket_connection.ts";

// deno-lint-ignore no-explicit-any
const runtime = globalThis as any;

const FLOOD_BYTES = 100_000_000;
const FRAME_SIZE = 7;
const FRAMES_PER_CHUNK = 9_362; // ~64 KiB per chunk, as a socket read would deliver
const budgetFlag = (runtime.Deno?.args ?? runtime.process?.argv ?? []).indexOf("--budget");
const budget = budgetFlag >= 0
  ? Number((runtime.Deno?.args ?? runtime.process.argv)[budgetFlag + 1])
  : 1024 * 1024;

function memory(): { heap: number; rss: number } | null {
  if (runtime.process?.memoryUsage) {
    const usage = runtime.process.memoryUsage();
    return { heap: usage.heapUsed, rss: usage.rss };
  }
  if (runtime.Deno?.memoryUsage) {
    const usage = runtime.Deno.memoryUsage();
    return { heap: usage.heapUsed, rss: usage.rss };
  }
  return null;
}

function collectGarbage(): void {
  if (typeof runtime.gc === "function") runtime.gc();
  else if (runtime.Bun?.gc) runtime.Bun.gc(true);
}

/** One ~64 KiB chunk of masked 1-byte continuation frames (key 01 02 03 04). */
function floodChunk(): Uint8Array {
  const chunk = new Uint8Array(FRAMES_PER_CHUNK * FRAME_SIZE);
  for (let i = 0; i < FRAMES_PER_CHUNK; i++) {
    chunk.set([0x00, 0x81, 1, 2, 3, 4, 0x61 ^ 1], i * FRAME_SIZE);
  }
  return chunk;
}

let closeCode = 0;
const connection = new WebSocketConnection({
  onMessage() {},
  onClose(code) {
    closeCode = code;
  },
}, { role: "server", maxFragmentBudget: budget });

collectGarbage();
const before = memory();
let peak = before;
// A binary message is opened by a first, non-final fragment...
connection.receive(Uint8Array.of(0x02, 0x81, 1, 2, 3, 4, 0x61 ^ 1));
const template = floodChunk();
let consumed = FRAME_SIZE;
// ...and never finished.
while (consumed < FLOOD_BYTES && connection.state !== "closed") {
  connection.receive(template.slice());
  consumed += template.length;
  const now = memory();
  if (now && peak) peak = { heap: Math.max(now.heap, peak.heap), rss: Math.max(now.rss, peak.rss) };
}
const output = connection.takeOutput();
const bytes = output.length === 0 ? [] : [...output[output.length - 1]];
const closeFrame = bytes.map((byte) => byte.toString(16).padStart(2, "0")).join(" ");

const mib = (value: number) => `${(value / 1024 / 1024).toFixed(2)} MiB`;
console.log(`budget:                  ${mib(budget)} (maxFragmentBudget)`);
console.log(`flood consumed:          ${mib(consumed)} of ${mib(FLOOD_BYTES)}`);
console.log(`close frame written:     ${closeFrame} (code ${closeCode})`);
if (before && peak) {
  console.log(
    `peak heap growth:        ${mib(peak.heap - before.heap)} (${
      ((peak.heap - before.heap) / budget).toFixed(2)
    } x budget)`,
  );
  console.log(`peak RSS growth:         ${mib(peak.rss - before.rss)}`);
} else {
  console.log("memory:                  not measurable on this runtime");
}
const ok = (closeCode === 1009 || closeCode === 1008) && consumed < FLOOD_BYTES / 10;
console.log(
  ok ? "OK: the flood was cut off by the fragment budget" : "FAIL: the flood was not cut off",
);
if (!ok) {
  if (runtime.Deno) runtime.Deno.exit(1);
  else runtime.process.exit(1);
}
