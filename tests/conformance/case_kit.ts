/**
 * Building blocks of conformance cases: payload makers, frame shorthands and the expectation
 * steps a case lists after its bytes are sent.
 *
 * @module
 */

import { closePayload, encodeFrame, type FrameSpec, OP } from "./frame_codec.ts";
import type { Delivery, RawClient } from "./raw_client.ts";

/** One expectation, checked in order after the case's bytes are sent. */
export type Step = (client: RawClient) => Promise<void>;

/** A black-box check of one server behaviour. */
export interface ConformanceCase {
  id: string;
  description: string;
  /** Sends the case's bytes with the given delivery, then checks every expectation. */
  run(client: RawClient, delivery: Delivery): Promise<void>;
  /** False for cases too large to send one byte per write in reasonable time. */
  byteDelivery: boolean;
  /** Deadline for the whole case, connection included. */
  timeoutMs: number;
  /** `Sec-WebSocket-Extensions` to offer (permessage-deflate cases); the server must accept. */
  offer?: string;
}

/** Largest payload still sent one byte per write. */
export const BYTE_DELIVERY_MAX = 65_536;
const DEFAULT_TIMEOUT_MS = 5_000;

/** What a case is made of: chunks to send (built lazily) and steps to check. */
export interface CaseSpec {
  id: string;
  description: string;
  /** Chunks to send, normally one per frame. Built per run so large ones are not kept. */
  send: () => Uint8Array[];
  steps: Step[];
  /** Payload bytes the case sends, when above {@linkcode BYTE_DELIVERY_MAX}. */
  size?: number;
  timeoutMs?: number;
}

/** Turns a spec into a runnable case. */
export function defineCase(spec: CaseSpec): ConformanceCase {
  return {
    id: spec.id,
    description: spec.description,
    byteDelivery: (spec.size ?? 0) <= BYTE_DELIVERY_MAX,
    timeoutMs: spec.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    async run(client, delivery) {
      await client.send(spec.send(), delivery);
      for (const step of spec.steps) await step(client);
    },
  };
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Bytes from numbers. */
export function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

/** Joins byte arrays. */
export function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Valid UTF-8 of exactly `size` bytes mixing 1- to 4-byte sequences, padded with ASCII. */
export function textOfSize(size: number): Uint8Array {
  const unit = utf8("Hello κόσμε ∑ 😀 ");
  const out = new Uint8Array(size);
  let offset = 0;
  while (offset + unit.length <= size) {
    out.set(unit, offset);
    offset += unit.length;
  }
  out.fill(0x2a, offset);
  return out;
}

/** Binary bytes of exactly `size`, all byte values present. */
export function binaryOfSize(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

/** Frame shorthands; options override FIN, RSV, masking and the announced length. */
export const frame = {
  text: (payload: Uint8Array, options: Partial<FrameSpec> = {}): Uint8Array =>
    encodeFrame({ opcode: OP.text, payload, ...options }),
  binary: (payload: Uint8Array, options: Partial<FrameSpec> = {}): Uint8Array =>
    encodeFrame({ opcode: OP.binary, payload, ...options }),
  cont: (payload: Uint8Array, options: Partial<FrameSpec> = {}): Uint8Array =>
    encodeFrame({ opcode: OP.cont, payload, ...options }),
  ping: (payload: Uint8Array = new Uint8Array(0), options: Partial<FrameSpec> = {}): Uint8Array =>
    encodeFrame({ opcode: OP.ping, payload, ...options }),
  pong: (payload: Uint8Array = new Uint8Array(0), options: Partial<FrameSpec> = {}): Uint8Array =>
    encodeFrame({ opcode: OP.pong, payload, ...options }),
  close: (code?: number, reason: string | Uint8Array = "", options: Partial<FrameSpec> = {}) =>
    encodeFrame({
      opcode: OP.close,
      payload: code === undefined ? new Uint8Array(0) : closePayload(code, reason),
      ...options,
    }),
  raw: (spec: FrameSpec): Uint8Array => encodeFrame(spec),
};

/** Splits a payload into fragments at the given lengths (the last takes the rest). */
export function fragments(opcode: number, payload: Uint8Array, cuts: number[]): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let offset = 0;
  const sizes = [...cuts, payload.length - cuts.reduce((sum, cut) => sum + cut, 0)];
  sizes.forEach((size, index) => {
    frames.push(encodeFrame({
      opcode: index === 0 ? opcode : OP.cont,
      fin: index === sizes.length - 1,
      payload: payload.subarray(offset, offset + size),
    }));
    offset += size;
  });
  return frames;
}

/** Fragment lengths of `count` even pieces of `length` bytes. */
export function evenCuts(length: number, count: number): number[] {
  const piece = Math.floor(length / count);
  return Array.from({ length: count - 1 }, () => piece);
}

/** The server echoes one message of this type and payload. */
export function echoed(opcode: number, payload: Uint8Array, label = ""): Step {
  return (client) => client.expectMessage(opcode, payload, label);
}

/** The server answers a ping with this payload. */
export function ponged(payload: Uint8Array): Step {
  return (client) => client.expectPong(payload);
}

/** The server fails the connection with `code` (close frame, then TCP closed, nothing else). */
export function failsWith(code: 1002 | 1007, why: string, reply = true): Step {
  return (client) => client.expectFailure(code, why, reply);
}

/** The server answers the client's close with one of `codes` and closes TCP. */
export function closesWith(codes: (number | undefined)[], why: string): Step {
  return async (client) => {
    await client.expectClose(codes, why);
    await client.expectTcpClose("after echoing the client's close");
  };
}

/** Ends a case cleanly: nothing else may arrive before the close echo. */
export const closeHandshake: Step = (client) => client.closeHandshake();
