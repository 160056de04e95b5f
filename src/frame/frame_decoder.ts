/**
 * Incremental decoding of RFC 6455 frames (§5.2) from bytes in any chunking.
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";
import type { ErrorCode } from "../errors/error_code.ts";
import { applyMask } from "./apply_mask.ts";

const EMPTY = new Uint8Array(0);

/**
 * How a {@linkcode FrameDecoder} checks the frames it reads.
 *
 * @example A server that lets an extension use RSV1
 * ```ts
 * import { FrameDecoder, type FrameDecoderOptions } from "@omnisocket/core/protocol";
 *
 * const options: FrameDecoderOptions = { role: "server", allowedRsv: 0x40 };
 * console.log(new FrameDecoder(options) instanceof FrameDecoder); // true
 * ```
 */
export interface FrameDecoderOptions {
  /**
   * Which side reads the frames: a server requires masked frames, a client
   * refuses them (RFC 6455 §5.1).
   */
  role: "server" | "client";
  /**
   * RSV bits (as in the first header byte: 0x40, 0x20, 0x10) that negotiated
   * extensions own on data frames. Any other RSV bit fails with 1002. Default 0.
   */
  allowedRsv?: number;
}

/**
 * What {@linkcode FrameDecoder.next} found: see the class's static constants.
 *
 * @example
 * ```ts
 * import { FrameDecoder, type FrameDecoderEvent } from "@omnisocket/core/protocol";
 *
 * const decoder = new FrameDecoder({ role: "client" });
 * decoder.feed(new Uint8Array([0x81, 0x00]));
 * const event: FrameDecoderEvent = decoder.next();
 * console.log(event === FrameDecoder.FRAME_START); // true
 * ```
 */
export type FrameDecoderEvent = 0 | 1 | 2;

function protocolError(code: ErrorCode, reason: string): ProtocolError {
  return new ProtocolError(code, `Cannot read frame: ${reason}`, { closeCode: 1002 });
}

function headerSize(secondByte: number): number {
  const length7 = secondByte & 0x7f;
  return 2 + (length7 === 126 ? 2 : length7 === 127 ? 8 : 0) + (secondByte & 0x80 ? 4 : 0);
}

/**
 * A pull-style frame decoder: {@linkcode FrameDecoder.feed} it a chunk, then
 * call {@linkcode FrameDecoder.next} until it returns
 * {@linkcode FrameDecoder.NEED_MORE}. Each frame yields one `FRAME_START`
 * (header fields readable on the decoder) and one or more `PAYLOAD` events
 * whose `payload` is an unmasked view into the fed chunk (unmasked in place:
 * the decoder owns the chunks it is fed) and `frameEnd` tells whether the
 * frame's payload is complete. A zero-length frame yields one empty `PAYLOAD`.
 *
 * Pulling instead of calling back keeps the hot loop free of closures and
 * lets the caller stop mid-chunk (e.g. after failing the connection). Header
 * errors throw a {@linkcode ProtocolError} with close code 1002, as soon as the
 * offending byte is in; the decoder is unusable afterwards.
 *
 * @example Reading the RFC 6455 §5.7 masked "Hello"
 * ```ts
 * import { FrameDecoder } from "@omnisocket/core/protocol";
 *
 * const decoder = new FrameDecoder({ role: "server" });
 * decoder.feed(new Uint8Array([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]));
 * decoder.next(); // FrameDecoder.FRAME_START; decoder.opcode === 1, decoder.length === 5
 * decoder.next(); // FrameDecoder.PAYLOAD; decoder.payload holds "Hello", decoder.frameEnd
 * decoder.next(); // FrameDecoder.NEED_MORE
 * ```
 */
export class FrameDecoder {
  /** Every byte fed so far is consumed. */
  static readonly NEED_MORE: 0 = 0;
  /** A frame header was read: `fin`, `rsv`, `opcode`, `length` describe it. */
  static readonly FRAME_START: 1 = 1;
  /** Some (or all) of the current frame's payload: `payload`, `frameEnd`. */
  static readonly PAYLOAD: 2 = 2;

  /** FIN bit of the current frame. */
  fin: boolean = false;
  /** RSV bits of the current frame, masked in place (0x40 | 0x20 | 0x10). */
  rsv: number = 0;
  /** Opcode of the current frame. */
  opcode: number = 0;
  /** Declared payload length of the current frame (as sent, not yet received). */
  length: number = 0;
  /** The payload bytes of the last `PAYLOAD` event, already unmasked. */
  payload: Uint8Array = EMPTY;
  /** True when the last `PAYLOAD` event completed its frame. */
  frameEnd: boolean = false;

  #requireMask: boolean;
  #forbiddenRsv: number;
  #chunk: Uint8Array = EMPTY;
  #position = 0;
  // Allocated on first use: most connections never see a header split across reads.
  #header: Uint8Array | null = null;
  #headerFill = 0;
  #inPayload = false;
  #remaining = 0;
  #masked = false;
  // Allocated with the first masked frame: an idle connection holds none.
  #key: Uint8Array | null = null;
  #phase = 0;

  /** Creates a decoder for frames read by `options.role`. */
  constructor(options: FrameDecoderOptions) {
    this.#requireMask = options.role === "server";
    this.#forbiddenRsv = 0x70 & ~(options.allowedRsv ?? 0);
  }

  /** Hands the decoder the next chunk; any unconsumed rest of the previous one is dropped. */
  feed(chunk: Uint8Array): void {
    this.#chunk = chunk;
    this.#position = 0;
  }

  /** Decodes up to the next event; see the class description. */
  next(): FrameDecoderEvent {
    const chunk = this.#chunk;
    const position = this.#position;
    const available = chunk.length - position;
    if (this.#inPayload) {
      const remaining = this.#remaining;
      if (remaining === 0) {
        this.#inPayload = false;
        this.payload = chunk.subarray(position, position);
        this.frameEnd = true;
        return 2;
      }
      if (available === 0) return 0;
      const count = available < remaining ? available : remaining;
      const end = position + count;
      const view = chunk.subarray(position, end);
      if (this.#masked) {
        applyMask(view, this.#key!, this.#phase);
        this.#phase = (this.#phase + count) & 3;
      }
      this.#position = end;
      this.#remaining = remaining - count;
      this.payload = view;
      const frameEnd = remaining === count;
      this.frameEnd = frameEnd;
      if (frameEnd) this.#inPayload = false;
      return 2;
    }
    if (available === 0) return 0;
    if (this.#headerFill === 0 && available >= 2) {
      const size = headerSize(chunk[position + 1]);
      if (available >= size) {
        this.#checkStart(chunk[position], chunk[position + 1]);
        this.#parseHeader(chunk, position);
        this.#position = position + size;
        return 1;
      }
    }
    return this.#collectHeader();
  }

  // The header straddles chunks: gather it in a 14-byte buffer.
  #collectHeader(): FrameDecoderEvent {
    const chunk = this.#chunk;
    const header = this.#header ??= new Uint8Array(14);
    let position = this.#position;
    let fill = this.#headerFill;
    if (fill < 2) {
      while (fill < 2 && position < chunk.length) header[fill++] = chunk[position++];
      if (fill === 2) this.#checkStart(header[0], header[1]);
    }
    if (fill >= 2) {
      const size = headerSize(header[1]);
      while (fill < size && position < chunk.length) header[fill++] = chunk[position++];
      if (fill === size) {
        this.#position = position;
        this.#headerFill = 0;
        this.#parseHeader(header, 0);
        return 1;
      }
    }
    this.#position = position;
    this.#headerFill = fill;
    return 0;
  }

  // Everything that can be judged from the first two bytes, judged as soon as they are in.
  #checkStart(first: number, second: number): void {
    const opcode = first & 0x0f;
    if ((opcode > 2 && opcode < 8) || opcode > 10) {
      throw protocolError("RESERVED_OPCODE", `opcode ${opcode} is reserved`);
    }
    const rsv = first & 0x70;
    if (opcode >= 8) {
      if (rsv !== 0) throw protocolError("RESERVED_BITS", "RSV bits set on a control frame");
      if ((first & 0x80) === 0) {
        throw protocolError("FRAGMENTED_CONTROL_FRAME", "control frames must not be fragmented");
      }
      if ((second & 0x7f) > 125) {
        throw protocolError(
          "CONTROL_FRAME_TOO_LONG",
          "control frame payloads are at most 125 bytes",
        );
      }
    } else if ((rsv & this.#forbiddenRsv) !== 0) {
      throw protocolError("RESERVED_BITS", "RSV bits set without an extension that owns them");
    }
    const masked = (second & 0x80) !== 0;
    if (masked !== this.#requireMask) {
      throw masked
        ? protocolError("MASKED_FRAME", "a server must not mask its frames")
        : protocolError("UNMASKED_FRAME", "a client must mask its frames");
    }
  }

  #parseHeader(bytes: Uint8Array, at: number): void {
    const first = bytes[at];
    const second = bytes[at + 1];
    this.fin = (first & 0x80) !== 0;
    this.rsv = first & 0x70;
    this.opcode = first & 0x0f;
    let length = second & 0x7f;
    let keyAt = at + 2;
    if (length === 126) {
      length = (bytes[at + 2] << 8) | bytes[at + 3];
      keyAt = at + 4;
    } else if (length === 127) {
      const high = bytes[at + 2];
      if (high & 0x80) {
        throw protocolError("INVALID_FRAME_LENGTH", "the most significant length bit is set");
      }
      const upper =
        ((high << 24) | (bytes[at + 3] << 16) | (bytes[at + 4] << 8) | bytes[at + 5]) >>>
        0;
      const lower = ((bytes[at + 6] << 24) | (bytes[at + 7] << 16) | (bytes[at + 8] << 8) |
        bytes[at + 9]) >>> 0;
      length = upper * 0x1_0000_0000 + lower;
      keyAt = at + 10;
    }
    this.length = length;
    this.#masked = (second & 0x80) !== 0;
    if (this.#masked) {
      const key = this.#key ??= new Uint8Array(4);
      key[0] = bytes[keyAt];
      key[1] = bytes[keyAt + 1];
      key[2] = bytes[keyAt + 2];
      key[3] = bytes[keyAt + 3];
    }
    this.#phase = 0;
    this.#remaining = length;
    this.#inPayload = true;
  }
}
