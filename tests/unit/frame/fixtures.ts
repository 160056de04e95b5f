/**
 * Byte builders, seeded chunkings and a recording listener shared by the
 * frame and protocol unit tests.
 *
 * @module
 */

import type { ProtocolError } from "../../../src/errors/protocol_error.ts";
import type { ConnectionListener } from "../../../src/protocol/connection_listener.ts";

/** The masking key of the RFC 6455 §5.7 examples. */
export const RFC_KEY: readonly number[] = [0x37, 0xfa, 0x21, 0x3d];

/** A small deterministic PRNG (mulberry32), so random chunkings are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Concatenates byte arrays. */
export function concat(...parts: ArrayLike<number>[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Joins chunks as written to the wire. */
export function joined(chunks: readonly Uint8Array[]): Uint8Array {
  return concat(...chunks);
}

/** Lowercase hex, space separated, for readable assertion failures. */
export function hex(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join(" ");
}

function lengthField(length: number, maskBit: number, form?: 7 | 16 | 64): number[] {
  const chosen = form ?? (length < 126 ? 7 : length < 0x10000 ? 16 : 64);
  if (chosen === 7) return [maskBit | length];
  if (chosen === 16) return [maskBit | 126, length >>> 8, length & 0xff];
  const upper = Math.floor(length / 0x1_0000_0000);
  const lower = length >>> 0;
  return [
    maskBit | 127,
    upper >>> 24,
    (upper >>> 16) & 0xff,
    (upper >>> 8) & 0xff,
    upper & 0xff,
    lower >>> 24,
    (lower >>> 16) & 0xff,
    (lower >>> 8) & 0xff,
    lower & 0xff,
  ];
}

function payloadBytes(payload: ArrayLike<number> | string): Uint8Array {
  return typeof payload === "string" ? new TextEncoder().encode(payload) : Uint8Array.from(payload);
}

/** An unmasked frame (as a server sends): `first` is the first header byte. */
export function serverFrame(
  first: number,
  payload: ArrayLike<number> | string = [],
  form?: 7 | 16 | 64,
): Uint8Array {
  const bytes = payloadBytes(payload);
  return concat([first], lengthField(bytes.length, 0, form), bytes);
}

/** A masked frame (as a client sends), masked with `key`. */
export function clientFrame(
  first: number,
  payload: ArrayLike<number> | string = [],
  key: readonly number[] = RFC_KEY,
  form?: 7 | 16 | 64,
): Uint8Array {
  const bytes = payloadBytes(payload);
  const masked = bytes.map((byte, i) => byte ^ key[i & 3]);
  return concat([first], lengthField(bytes.length, 0x80, form), key, masked);
}

/** The frame a peer of `role` would send us: masked when we are the server. */
export function peerFrame(
  role: "server" | "client",
  first: number,
  payload: ArrayLike<number> | string = [],
): Uint8Array {
  return role === "server" ? clientFrame(first, payload) : serverFrame(first, payload);
}

/** One way of cutting a byte string into chunks. */
export interface Chunking {
  name: string;
  chunks: Uint8Array[];
}

/**
 * The same bytes whole, one byte at a time, and in seeded random chunkings.
 * Every chunking gets its own copy: receivers unmask in place.
 */
export function chunkings(bytes: Uint8Array, seed: number = 6455, randomCount = 4): Chunking[] {
  const result: Chunking[] = [{ name: "whole", chunks: [bytes.slice()] }];
  const single: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i++) single.push(bytes.slice(i, i + 1));
  result.push({ name: "one byte at a time", chunks: single });
  const random = seededRandom(seed);
  for (let n = 0; n < randomCount; n++) {
    const copy = bytes.slice();
    const chunks: Uint8Array[] = [];
    let at = 0;
    while (at < copy.length) {
      const size = 1 + Math.floor(random() * Math.min(copy.length, 64));
      // Views into one buffer at odd offsets, as a socket would hand them out.
      chunks.push(copy.subarray(at, at + size));
      at += size;
    }
    result.push({ name: `random chunking ${n} (seed ${seed})`, chunks });
  }
  return result;
}

/** A listener that records every event as a plain, comparable value. */
export class Recorder implements ConnectionListener {
  events: unknown[] = [];
  errors: ProtocolError[] = [];
  messages: (string | Uint8Array)[] = [];

  onMessage(data: string | Uint8Array): void {
    this.messages.push(data);
    if (typeof data === "string") {
      this.events.push(["text", data]);
      return;
    }
    // Huge payloads are summarised: hex of 16 MiB would dominate the test's run time.
    this.events.push(["binary", data.length > 100_000 ? `${data.length} bytes` : hex(data)]);
  }
  onPing(payload: Uint8Array): void {
    this.events.push(["ping", hex(payload)]);
  }
  onPong(payload: Uint8Array): void {
    this.events.push(["pong", hex(payload)]);
  }
  onClose(code: number, reason: string, wasClean: boolean): void {
    this.events.push(["close", code, reason, wasClean]);
  }
  onError(error: ProtocolError): void {
    this.errors.push(error);
    this.events.push(["error", error.code, error.closeCode]);
  }
}
