/**
 * Drives a WebSocketConnection from byte fixtures for the protocol tests.
 *
 * @module
 */

import assert from "node:assert/strict";
import { WebSocketConnection } from "../../../src/protocol/websocket_connection.ts";
import type { ConnectionOptions } from "../../../src/protocol/connection_options.ts";
import type { MaskKeySource } from "../../../src/frame/mask_key_pool.ts";
import {
  chunkings,
  clientFrame,
  hex,
  joined,
  Recorder,
  RFC_KEY,
  serverFrame,
} from "../frame/fixtures.ts";

/** Masking keys fixed to the RFC 6455 §5.7 key, so client output is byte-exact. */
export const rfcKeys: MaskKeySource = {
  next(target, offset) {
    target.set(RFC_KEY, offset);
  },
};

/** A connection, the events it reported and the bytes it wrote. */
export interface Run {
  connection: WebSocketConnection;
  recorder: Recorder;
  events: unknown[];
  output: string;
}

/** Creates a connection with a recording listener. */
export function open(
  role: "server" | "client",
  options: Omit<ConnectionOptions, "role"> = {},
): { connection: WebSocketConnection; recorder: Recorder } {
  const recorder = new Recorder();
  const connection = new WebSocketConnection(recorder, { role, maskKeys: rfcKeys, ...options });
  return { connection, recorder };
}

/** Feeds `chunks` to a fresh connection and collects what happened. */
export function feed(
  role: "server" | "client",
  chunks: Uint8Array[],
  options: Omit<ConnectionOptions, "role"> = {},
): Run {
  const { connection, recorder } = open(role, options);
  for (const chunk of chunks) connection.receive(chunk);
  return {
    connection,
    recorder,
    events: recorder.events,
    output: hex(joined(connection.takeOutput())),
  };
}

/**
 * Feeds `bytes` whole, one byte at a time and in seeded random chunkings, and
 * asserts the same events (and output, if given) every time.
 */
export function feedEveryWay(
  role: "server" | "client",
  bytes: Uint8Array,
  expected: { events: unknown[]; output?: string },
  options: Omit<ConnectionOptions, "role"> = {},
  check?: (run: Run) => void,
): void {
  for (const { name, chunks } of chunkings(bytes)) {
    const run = feed(role, chunks, options);
    const label = `${role}, ${name}`;
    assert.deepEqual(run.events, expected.events, label);
    if (expected.output !== undefined) assert.equal(run.output, expected.output, label);
    if (check) check(run);
  }
}

/** Hex of an unmasked close frame with `code` (the form a server writes). */
export function serverClose(code?: number, reason = ""): string {
  if (code === undefined) return "88 00";
  const bytes = new TextEncoder().encode(reason);
  return hex([0x88, 2 + bytes.length, code >>> 8, code & 0xff, ...bytes]);
}

/** Hex of a close frame as `role` writes it (a client masks with the RFC key). */
export function closeFrameOf(role: "server" | "client", code?: number): string {
  if (role === "server") return serverClose(code);
  if (code === undefined) return hex([0x88, 0x80, ...RFC_KEY]);
  const payload = [code >>> 8, code & 0xff];
  return hex([0x88, 0x82, ...RFC_KEY, payload[0] ^ RFC_KEY[0], payload[1] ^ RFC_KEY[1]]);
}

/** Hex of the frame `role` itself writes (masked with the RFC key for a client). */
export function ownFrame(
  role: "server" | "client",
  first: number,
  payload: ArrayLike<number> | string = [],
): string {
  return hex(role === "server" ? serverFrame(first, payload) : clientFrame(first, payload));
}

/** Both roles, for tests that hold for each. */
export const ROLES: readonly ("server" | "client")[] = ["server", "client"];
