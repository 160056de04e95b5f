/**
 * The conformance suite's own frame builder and parser (RFC 6455 §5.2), written apart from src/
 * so the suite does not trust the code under test. The builder can produce any frame, valid or
 * not; the parser reads server frames and reports anything a server must never send.
 *
 * @module
 */

import { randomBytes } from "node:crypto";

/** Opcodes by name (RFC 6455 §5.2). */
export const OP = { cont: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** Everything a client frame can say, including what it must not. */
export interface FrameSpec {
  opcode: number;
  payload?: Uint8Array;
  /** FIN bit; true unless given. */
  fin?: boolean;
  /** RSV1..3 as a 3-bit number (4 = RSV1, 2 = RSV2, 1 = RSV3). */
  rsv?: number;
  /** Client frames must be masked; false builds an illegal unmasked frame. */
  masked?: boolean;
  /** Length to announce instead of the payload's (for lying or withheld payloads). */
  announcedLength?: bigint;
}

/** Builds one frame with a fresh random mask key. */
export function encodeFrame(spec: FrameSpec): Uint8Array {
  const payload = spec.payload ?? new Uint8Array(0);
  const masked = spec.masked ?? true;
  const length = spec.announcedLength ?? BigInt(payload.length);
  const lengthBytes = length > 0xffffn ? 8 : length > 125n ? 2 : 0;
  const headerLength = 2 + lengthBytes + (masked ? 4 : 0);
  const frame = new Uint8Array(headerLength + payload.length);
  frame[0] = ((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | spec.opcode;
  const view = new DataView(frame.buffer);
  if (lengthBytes === 0) frame[1] = Number(length);
  else if (lengthBytes === 2) {
    frame[1] = 126;
    view.setUint16(2, Number(length));
  } else {
    frame[1] = 127;
    view.setBigUint64(2, length);
  }
  if (!masked) {
    frame.set(payload, headerLength);
    return frame;
  }
  frame[1] |= 0x80;
  const key = randomBytes(4);
  frame.set(key, headerLength - 4);
  for (let i = 0; i < payload.length; i++) frame[headerLength + i] = payload[i] ^ key[i & 3];
  return frame;
}

/** Payload of a close frame: the code, then the reason (a string or raw bytes). */
export function closePayload(code: number, reason: string | Uint8Array = ""): Uint8Array {
  const reasonBytes = typeof reason === "string" ? new TextEncoder().encode(reason) : reason;
  const payload = new Uint8Array(2 + reasonBytes.length);
  payload[0] = code >> 8;
  payload[1] = code & 0xff;
  payload.set(reasonBytes, 2);
  return payload;
}

/** A frame as the server sent it. */
export interface ServerFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  payload: Uint8Array;
}

/**
 * Incremental parser of server frames. `push` bytes in any chunking, then `next()` until it
 * returns undefined. Throws when the server breaks a rule a client must enforce.
 */
export class FrameParser {
  /** Set once permessage-deflate is agreed: RSV1 may then start a data message. */
  allowRsv1 = false;
  #chunks: Uint8Array[] = [];
  #buffered = 0;

  push(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
  }

  get buffered(): number {
    return this.#buffered;
  }

  next(): ServerFrame | undefined {
    if (this.#buffered < 2) return undefined;
    const head = this.#peek(Math.min(this.#buffered, 10));
    const fin = (head[0] & 0x80) !== 0;
    const rsv = (head[0] >> 4) & 7;
    const opcode = head[0] & 0x0f;
    if ((head[1] & 0x80) !== 0) throw new Error("server sent a masked frame (RFC 6455 §5.1)");
    let length = head[1] & 0x7f;
    let headerLength = 2;
    if (length === 126) {
      if (head.length < 4) return undefined;
      length = (head[2] << 8) | head[3];
      headerLength = 4;
    } else if (length === 127) {
      if (head.length < 10) return undefined;
      const big = new DataView(head.buffer, head.byteOffset).getBigUint64(2);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new Error(`server announced an absurd frame length ${big}`);
      }
      length = Number(big);
      headerLength = 10;
    }
    if (this.#buffered < headerLength + length) return undefined;
    this.#take(headerLength);
    const payload = this.#take(length);
    const frame = { fin, rsv, opcode, payload };
    checkServerFrame(
      this.allowRsv1 && opcode >= 1 && opcode <= 2 ? { ...frame, rsv: rsv & 3 } : frame,
    );
    return frame;
  }

  #peek(count: number): Uint8Array {
    if (this.#chunks[0].length >= count) return this.#chunks[0].subarray(0, count);
    const out = new Uint8Array(count);
    let filled = 0;
    for (const chunk of this.#chunks) {
      const part = chunk.subarray(0, count - filled);
      out.set(part, filled);
      filled += part.length;
      if (filled === count) break;
    }
    return out;
  }

  #take(count: number): Uint8Array {
    if (count === 0) return new Uint8Array(0);
    const out = this.#peek(count).slice();
    this.#buffered -= count;
    let left = count;
    while (left > 0) {
      const first = this.#chunks[0];
      if (first.length <= left) {
        left -= first.length;
        this.#chunks.shift();
      } else {
        this.#chunks[0] = first.subarray(left);
        left = 0;
      }
    }
    return out;
  }
}

function checkServerFrame(frame: ServerFrame): void {
  const name = `server frame (opcode ${frame.opcode})`;
  if (frame.rsv !== 0) throw new Error(`${name} has RSV bits ${frame.rsv} with no extension`);
  const known = frame.opcode <= 2 || (frame.opcode >= 8 && frame.opcode <= 10);
  if (!known) throw new Error(`${name} uses a reserved opcode`);
  if (frame.opcode >= 8 && !frame.fin) throw new Error(`${name} is a fragmented control frame`);
  if (frame.opcode >= 8 && frame.payload.length > 125) {
    throw new Error(`${name} is a control frame with ${frame.payload.length} bytes (> 125)`);
  }
}
