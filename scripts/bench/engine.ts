/**
 * Throughput of the framing layer and protocol engine, in process, no I/O.
 * Runs unchanged on Deno, Bun and Node 24:
 *
 *   deno run -A scripts/bench/engine.ts
 *   bun scripts/bench/engine.ts
 *   node scripts/bench/engine.ts
 *
 * Prints a markdown table. Incoming frames are masked with the all-zero key:
 * the engine still runs the full unmask loop, but the bytes stay unchanged,
 * so one prepared buffer can be fed again and again without a copy.
 *
 * @module
 */

import { applyMask, applyMaskBytewise } from "../../src/frame/apply_mask.ts";
import { WebSocketConnection } from "../../src/protocol/websocket_connection.ts";
import type { ConnectionListener } from "../../src/protocol/connection_listener.ts";

// deno-lint-ignore no-explicit-any
const runtime = globalThis as any;
const runtimeName = runtime.Deno
  ? `Deno ${runtime.Deno.version.deno}`
  : runtime.Bun
  ? `Bun ${runtime.Bun.version}`
  : `Node ${runtime.process.versions.node}`;

const MIN_DURATION_MS = 700;

interface Row {
  name: string;
  framesPerSecond: number;
  megabytesPerSecond: number;
}

/** Runs `round` (which handles `framesPerRound` frames of `bytesPerRound` bytes) repeatedly. */
function measure(
  name: string,
  framesPerRound: number,
  bytesPerRound: number,
  round: () => void,
): Row {
  // Warm up so the JIT has optimised the hot path before timing.
  const warmUntil = performance.now() + 200;
  while (performance.now() < warmUntil) round();
  let rounds = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < MIN_DURATION_MS) {
    round();
    rounds++;
    elapsed = performance.now() - start;
  }
  const seconds = elapsed / 1000;
  return {
    name,
    framesPerSecond: (rounds * framesPerRound) / seconds,
    megabytesPerSecond: (rounds * bytesPerRound) / seconds / 1e6,
  };
}

/** A client frame masked with the zero key (see the module comment). */
function zeroMaskedFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const length = payload.length;
  const lengthBytes = length < 126
    ? [0x80 | length]
    : length < 0x10000
    ? [0x80 | 126, length >>> 8, length & 0xff]
    : [
      0x80 | 127,
      0,
      0,
      0,
      0,
      length >>> 24,
      (length >>> 16) & 0xff,
      (length >>> 8) & 0xff,
      length & 0xff,
    ];
  const frame = new Uint8Array(1 + lengthBytes.length + 4 + length);
  frame[0] = 0x80 | opcode;
  frame.set(lengthBytes, 1);
  frame.set(payload, 1 + lengthBytes.length + 4);
  return frame;
}

function repeatFrames(frame: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(frame.length * count);
  for (let i = 0; i < count; i++) out.set(frame, i * frame.length);
  return out;
}

/** Cuts `bytes` into socket-sized views. */
function slices(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

let received = 0;
const countingListener: ConnectionListener = {
  onMessage() {
    received++;
  },
  onClose(code) {
    throw new Error(`benchmark connection closed with ${code}`);
  },
};

function decodeCase(
  name: string,
  opcode: number,
  payload: Uint8Array,
  frames: number,
  chunk: number,
  ownBuffers = false,
): Row {
  const connection = new WebSocketConnection(countingListener, { role: "server" });
  const frame = zeroMaskedFrame(opcode, payload);
  let chunks = slices(repeatFrames(frame, frames), chunk);
  // As Node's sockets deliver reads: each in an ArrayBuffer of its own.
  if (ownBuffers) chunks = chunks.map((piece) => piece.slice());
  return measure(name, frames, frames * payload.length, () => {
    for (const piece of chunks) connection.receive(piece);
  });
}

const rows: Row[] = [];
const text64 = new TextEncoder().encode("x".repeat(54) + "é✓ok"); // 64 bytes, not pure ASCII
const ascii64 = new TextEncoder().encode("a".repeat(64));
const binary16k = new Uint8Array(16 * 1024).map((_, i) => i);
const binary1m = new Uint8Array(1024 * 1024).map((_, i) => i * 7);

rows.push(
  decodeCase("decode 64 B ASCII text (1000 frames / 64 KiB chunks)", 1, ascii64, 1000, 65536),
);
rows.push(
  decodeCase("decode 64 B UTF-8 text (1000 frames / 64 KiB chunks)", 1, text64, 1000, 65536),
);
rows.push(
  decodeCase(
    "decode 16 B binary (1000 frames / 64 KiB chunks)",
    2,
    binary16k.subarray(0, 16),
    1000,
    65536,
  ),
);
rows.push(decodeCase("decode 16 KiB binary (64 frames / 64 KiB chunks)", 2, binary16k, 64, 65536));
rows.push(decodeCase("decode 1 MiB binary (4 frames / 64 KiB chunks)", 2, binary1m, 4, 65536));
rows.push(
  decodeCase(
    "decode 1 MiB binary (1 frame / 64 KiB reads, one buffer each)",
    2,
    binary1m,
    1,
    65536,
    true,
  ),
);
rows.push(decodeCase("decode 1 MiB binary (1 frame / 1 chunk)", 2, binary1m, 1, 2 * 1024 * 1024));
rows.push(
  decodeCase(
    "decode 1 MiB text (1 frame / 64 KiB chunks)",
    1,
    new TextEncoder().encode("abc€".repeat(174763).slice(0, 1048576)),
    1,
    65536,
  ),
);

function encodeCase(
  name: string,
  role: "server" | "client",
  data: string | Uint8Array,
  count: number,
): Row {
  const connection = new WebSocketConnection(countingListener, { role });
  const size = typeof data === "string" ? new TextEncoder().encode(data).length : data.length;
  return measure(name, count, count * size, () => {
    for (let i = 0; i < count; i++) connection.send(data);
    connection.takeOutput();
  });
}

rows.push(encodeCase("encode 64 B text, server", "server", "x".repeat(64), 1000));
rows.push(encodeCase("encode 64 B binary, server", "server", ascii64, 1000));
rows.push(encodeCase("encode 16 KiB binary, server (no copy)", "server", binary16k, 100));
rows.push(encodeCase("encode 1 MiB binary, server (no copy)", "server", binary1m, 4));
rows.push(encodeCase("encode 64 B text, client (masked)", "client", "x".repeat(64), 1000));
rows.push(encodeCase("encode 16 KiB binary, client (masked copy)", "client", binary16k, 100));

const key = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);
for (
  const [label, size] of [["64 B", 64], ["16 KiB", 16 * 1024], ["1 MiB", 1024 * 1024]] as const
) {
  const buffer = new Uint8Array(size + 1);
  // Offset 1: the unaligned case, as inside a frame after its header.
  const view = buffer.subarray(1);
  const count = Math.max(1, Math.floor((1024 * 1024) / size));
  rows.push(
    measure(
      `unmask ${label}, applyMask (unrolled < 128 B, 32-bit words above)`,
      count,
      count * size,
      () => {
        for (let i = 0; i < count; i++) applyMask(view, key, 1);
      },
    ),
  );
  rows.push(measure(`unmask ${label}, byte-wise reference`, count, count * size, () => {
    for (let i = 0; i < count; i++) applyMaskBytewise(view, key, 1);
  }));
}

const format = (value: number) =>
  value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(1);
const lines = [
  `### omnisocket engine, ${runtimeName}`,
  "",
  "| case | frames/s | MB/s |",
  "| --- | ---: | ---: |",
  ...rows.map((row) =>
    `| ${row.name} | ${format(row.framesPerSecond)} | ${format(row.megabytesPerSecond)} |`
  ),
];
console.log(lines.join("\n"));
if (received === 0) throw new Error("no message was decoded");
