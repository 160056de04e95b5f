/**
 * Times the handshake layer on adversarial inputs and prints microseconds per
 * operation, at growing sizes, so that linear scaling is visible: when the
 * input grows 10x, the time per op should grow about 10x and the time per
 * byte stay flat. A quadratic path would show the time per byte growing 10x.
 * "value vs default limits" should stay constant per op whatever the chunk
 * size: the parser gives up after scanning maxHeadSize bytes of it.
 *
 *   deno run scripts/bench/hostile_handshake.ts
 *   bun scripts/bench/hostile_handshake.ts
 *   node scripts/bench/hostile_handshake.ts        (Node >= 22.18)
 *
 * @module
 */

import { ProtocolError } from "../../src/errors/protocol_error.ts";
import { acceptUpgrade } from "../../src/handshake/accept_upgrade.ts";
import { HttpHeadParser, type RequestHead } from "../../src/handshake/http_head_parser.ts";
import { parseExtensions } from "../../src/handshake/parse_extensions.ts";
import { parseTokenList } from "../../src/handshake/parse_token_list.ts";

const SEED_REQUEST = "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n" +
  "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
  "Sec-WebSocket-Version: 13\r\n";

const encoder = new TextEncoder();

type Case = { name: string; size: number; run: () => unknown };

/** Runs `action` expecting it to throw a ProtocolError (the hostile inputs must be refused). */
function refused(action: () => unknown): () => void {
  return () => {
    try {
      action();
    } catch (error) {
      if (error instanceof ProtocolError) return;
      throw error;
    }
    throw new Error("Cannot benchmark: a hostile input was accepted");
  };
}

function byteByByte(input: Uint8Array, options: { maxHeadSize?: number; maxLineLength?: number }) {
  return () => {
    const parser = new HttpHeadParser({ kind: "request", maxHeaderCount: 100_000, ...options });
    for (let index = 0; index < input.length; index++) {
      if (parser.push(input.subarray(index, index + 1)) !== null) return;
    }
  };
}

const cases: Case[] = [];
for (const spaces of [10_000, 100_000, 1_000_000]) {
  const value = "b" + " ".repeat(spaces) + "x";
  cases.push({
    name: "parseTokenList b+spaces+x",
    size: value.length,
    run: refused(() => parseTokenList(value)),
  });
}
for (const pairs of [10_000, 100_000, 1_000_000]) {
  const value = 'permessage-deflate; a="' + "\\x".repeat(pairs);
  cases.push({
    name: "parseExtensions unclosed \\x",
    size: value.length,
    run: refused(() => parseExtensions(value)),
  });
}
for (const spaces of [10_000, 100_000, 1_000_000]) {
  // Limits raised so the whole value reaches the parser (defaults stop it at 8 KiB).
  const head = encoder.encode(
    SEED_REQUEST + "Sec-WebSocket-Protocol: b" + " ".repeat(spaces) + "x\r\n\r\n",
  );
  const limits = { maxHeadSize: 1 << 24, maxLineLength: 1 << 24 };
  cases.push({
    name: "parse+accept b+spaces+x",
    size: head.length,
    run: () => {
      const parsed = new HttpHeadParser({ kind: "request", ...limits }).push(head) as RequestHead;
      return acceptUpgrade(parsed, { protocols: ["b"] }).catch(() => {});
    },
  });
}
for (const headers of [500, 5_000, 50_000]) {
  const head = encoder.encode("GET / HTTP/1.1\r\n" + "a: b\r\n".repeat(headers) + "\r\n");
  cases.push({
    name: "headers 1 byte/push",
    size: head.length,
    run: byteByByte(head, { maxHeadSize: 1 << 24 }),
  });
}
for (const length of [10_000, 100_000, 1_000_000]) {
  const head = encoder.encode("GET / HTTP/1.1\r\nX: " + "a".repeat(length) + "\r\n\r\n");
  cases.push({
    name: "long value 1 byte/push",
    size: head.length,
    run: byteByByte(head, { maxHeadSize: 1 << 24, maxLineLength: 1 << 24 }),
  });
}
for (const size of [1 << 20, 1 << 22]) {
  const head = encoder.encode("GET / HTTP/1.1\r\nX: " + "a".repeat(size) + "\r\n\r\n");
  cases.push({
    name: "value vs default limits",
    size: head.length,
    run: refused(() => new HttpHeadParser({ kind: "request" }).push(head)),
  });
}
{
  const names = "constructor; __proto__=1; hasOwnProperty, __proto__; constructor=x, ".repeat(100);
  cases.push({
    name: "parseExtensions proto names",
    size: names.length,
    run: () => parseExtensions(names),
  });
  const head = encoder.encode(SEED_REQUEST + "\r\n");
  cases.push({
    name: "seed request parse+accept",
    size: head.length,
    run: () => acceptUpgrade(new HttpHeadParser({ kind: "request" }).push(head) as RequestHead),
  });
}

// Spend about this long per case, at least a few iterations.
const BUDGET_MS = 200;

console.log(
  `${"case".padEnd(30)}${"bytes".padStart(12)}${"ops".padStart(8)}${"us/op".padStart(14)}${
    "ns/byte".padStart(10)
  }`,
);
for (const { name, size, run } of cases) {
  await run(); // warm-up, and fail fast if the input is not refused as expected
  let iterations = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < BUDGET_MS || iterations < 3) {
    await run();
    iterations++;
    elapsed = performance.now() - start;
  }
  const microsPerOp = (elapsed * 1000) / iterations;
  console.log(
    `${name.padEnd(30)}${String(size).padStart(12)}${String(iterations).padStart(8)}${
      microsPerOp.toFixed(1).padStart(14)
    }${((microsPerOp * 1000) / size).toFixed(2).padStart(10)}`,
  );
}
