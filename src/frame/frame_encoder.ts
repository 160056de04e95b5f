/**
 * Encoding of RFC 6455 frames (§5.2) into an output queue that batches small
 * frames into shared chunks, ready for one vectored write.
 *
 * @module
 */

import { applyMask, maskInto } from "./apply_mask.ts";
import { MaskKeyPool, type MaskKeySource } from "./mask_key_pool.ts";

/**
 * How a {@linkcode FrameEncoder} writes frames.
 *
 * @example A client encoder (masks every frame)
 * ```ts
 * import { FrameEncoder, type FrameEncoderOptions } from "@omnisocket/core/protocol";
 *
 * const options: FrameEncoderOptions = { role: "client" };
 * const encoder = new FrameEncoder(options);
 * encoder.writeText("hi");
 * console.log(encoder.take()[0][1] & 0x80); // 128: the mask bit
 * ```
 */
export interface FrameEncoderOptions {
  /** Which side writes: a client masks every frame with a fresh key (RFC 6455 §5.3). */
  role: "server" | "client";
  /** Where client masking keys come from. Default: a `crypto.getRandomValues` pool. */
  maskKeys?: MaskKeySource;
  /** Memory for a client's masked copy of a large payload, written over in full (default zeroed). */
  allocate?: (size: number) => Uint8Array;
}

// Small frames are carved one after another out of a slab, so a burst of them
// leaves as a single chunk and costs no allocation per frame.
const SLAB_SIZE = 16 * 1024;
const EMPTY = new Uint8Array(0);

// One slab shared by every encoder in the process, carved front to back, as
// Node's Buffer pool does: an idle connection holds no output memory, and
// bytes once carved are never written again, so views handed to a socket
// stay valid until it has sent them.
const sharedSlab: { bytes: Uint8Array; end: number } = { bytes: new Uint8Array(SLAB_SIZE), end: 0 };
// Up to this size a binary payload is copied next to its header: cheaper than
// a second chunk in the write.
const COPY_THRESHOLD = 1024;
// Up to this many UTF-16 units a string is encoded straight into the slab
// (3 bytes per unit at most).
const INLINE_TEXT_UNITS = 4096;

const textEncoder = new TextEncoder();
const zeroedBytes = (size: number) => new Uint8Array(size);
const sharedKeys = new MaskKeyPool();
// A frame's masking key lives from its header's writing to its payload's masking, within one
// synchronous call: one buffer serves every client encoder (an idle connection holds none).
const sharedKey = new Uint8Array(4);

/** Size of the header for a payload of `length` bytes, minimal length encoding. */
function headerSize(length: number, masked: boolean): number {
  return (length < 126 ? 2 : length < 0x10000 ? 4 : 10) + (masked ? 4 : 0);
}

/**
 * Encodes frames and queues them for writing. Server frames are unmasked and
 * large binary payloads are queued as they are, without a copy (the caller
 * must not change them until written); client frames are masked into a copy,
 * never touching the caller's bytes.
 *
 * @example Encoding a text frame, as in RFC 6455 §5.7
 * ```ts
 * import { FrameEncoder } from "@omnisocket/core/protocol";
 *
 * const encoder = new FrameEncoder({ role: "server" });
 * encoder.writeText("Hello");
 * encoder.take(); // [Uint8Array [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]]
 * ```
 */
export class FrameEncoder {
  #masked: boolean;
  #keys: MaskKeySource;
  // Only a client masks; a server's encoder holds no key.
  #key: Uint8Array;
  // Null while nothing is queued: idle connections hold no array.
  #chunks: Uint8Array[] | null = null;
  // This encoder's current run: bytes [#runStart, #slabEnd) of #slab, not yet in #chunks.
  #slab: Uint8Array = EMPTY;
  #slabEnd = 0;
  #runStart = 0;
  #allocate: (size: number) => Uint8Array = zeroedBytes;

  /** Creates an encoder for frames written by `options.role`. */
  constructor(options: FrameEncoderOptions) {
    this.#masked = options.role === "client";
    this.#keys = options.maskKeys ?? sharedKeys;
    this.#key = this.#masked ? sharedKey : EMPTY;
    if (options.allocate) this.#allocate = options.allocate;
  }

  /** True when frames are queued and not yet taken. */
  get hasOutput(): boolean {
    return this.#chunks !== null || this.#slabEnd > this.#runStart;
  }

  /** Returns every queued chunk, in order, and empties the queue. */
  take(): Uint8Array[] {
    this.#closeRun();
    const chunks = this.#chunks;
    if (chunks === null) return [];
    this.#chunks = null;
    return chunks;
  }

  /**
   * Queues one frame. `rsv` holds RSV bits as in the first header byte
   * (0x40 for RSV1). The caller guarantees control-frame rules.
   */
  writeFrame(opcode: number, payload: Uint8Array, fin: boolean = true, rsv: number = 0): void {
    const length = payload.length;
    const masked = this.#masked;
    const header = headerSize(length, masked);
    if (length <= COPY_THRESHOLD) {
      const at = this.#reserve(header + length);
      const slab = this.#slab;
      this.#writeHeader(slab, at, fin, rsv, opcode, length);
      slab.set(payload, at + header);
      if (masked) applyMask(slab.subarray(at + header, at + header + length), this.#key);
      this.#slabEnd = at + header + length;
      this.#commit();
      return;
    }
    if (masked) {
      // The caller's bytes stay as they were: masked, in one pass, into a copy that carries its
      // header (one chunk, one write). The pad puts the payload on a 4-byte boundary, where
      // masking goes word by word.
      const pad = (4 - (header & 3)) & 3;
      const frame = this.#allocate(pad + header + length);
      this.#writeHeader(frame, pad, fin, rsv, opcode, length);
      maskInto(payload, frame.subarray(pad + header), this.#key);
      this.#pushChunk(frame.subarray(pad));
      return;
    }
    const at = this.#reserve(header);
    this.#writeHeader(this.#slab, at, fin, rsv, opcode, length);
    this.#slabEnd = at + header;
    this.#commit();
    this.#pushChunk(payload);
  }

  /**
   * Queues bytes that already form complete frames (built once, written to
   * many connections). Small ones are copied into the current run, so a
   * burst leaves as one chunk; larger ones, and any with `byReference` (a
   * connection with a backlog: copies would multiply what many slow
   * connections hold), are queued as they are and must not change until
   * written.
   */
  writeEncoded(frames: Uint8Array, byReference: boolean = false): void {
    const length = frames.length;
    if (length > COPY_THRESHOLD || byReference) {
      this.#pushChunk(frames);
      return;
    }
    const at = this.#reserve(length);
    this.#slab.set(frames, at);
    this.#slabEnd = at + length;
    this.#commit();
  }

  /** Queues a complete text message as one frame (opcode 1, FIN set). */
  writeText(text: string): void {
    const units = text.length;
    if (units > INLINE_TEXT_UNITS) {
      // Exact-size encoding; the bytes are ours, so a client masks them in place.
      const bytes = textEncoder.encode(text);
      const header = headerSize(bytes.length, this.#masked);
      const at = this.#reserve(header);
      this.#writeHeader(this.#slab, at, true, 0, 1, bytes.length);
      this.#slabEnd = at + header;
      this.#commit();
      if (this.#masked) applyMask(bytes, this.#key);
      this.#pushChunk(bytes);
      return;
    }
    const masked = this.#masked;
    const bound = units * 3;
    const boundHeader = headerSize(bound, masked);
    const at = this.#reserve(boundHeader + bound);
    const slab = this.#slab;
    let payloadAt = at + boundHeader;
    const length = textEncoder.encodeInto(text, slab.subarray(payloadAt, payloadAt + bound))
      .written;
    const header = headerSize(length, masked);
    if (header < boundHeader) {
      // The bound over-estimated the header: slide the payload back so the run stays contiguous.
      slab.copyWithin(at + header, payloadAt, payloadAt + length);
      payloadAt = at + header;
    }
    this.#writeHeader(slab, at, true, 0, 1, length);
    if (masked) applyMask(slab.subarray(payloadAt, payloadAt + length), this.#key);
    this.#slabEnd = payloadAt + length;
    this.#commit();
  }

  // Returns where `size` bytes may be written in #slab; the caller moves
  // #slabEnd and then publishes it with #commit().
  #reserve(size: number): number {
    const shared = sharedSlab;
    // The run grows in place while no other encoder has carved after it.
    if (
      shared.bytes === this.#slab && shared.end === this.#slabEnd &&
      shared.end + size <= shared.bytes.length
    ) {
      return this.#slabEnd;
    }
    this.#closeRun();
    if (shared.end + size > shared.bytes.length) {
      // Views already handed out keep the old slab alive until they are written.
      shared.bytes = new Uint8Array(size > SLAB_SIZE ? size : SLAB_SIZE);
      shared.end = 0;
    }
    this.#slab = shared.bytes;
    this.#slabEnd = shared.end;
    this.#runStart = shared.end;
    return shared.end;
  }

  // Tells the shared slab how far this encoder has written.
  #commit(): void {
    if (sharedSlab.bytes === this.#slab) sharedSlab.end = this.#slabEnd;
  }

  #closeRun(): void {
    if (this.#slabEnd > this.#runStart) {
      (this.#chunks ??= []).push(this.#slab.subarray(this.#runStart, this.#slabEnd));
      this.#runStart = this.#slabEnd;
    }
  }

  #pushChunk(chunk: Uint8Array): void {
    this.#closeRun();
    (this.#chunks ??= []).push(chunk);
  }

  #writeHeader(
    target: Uint8Array,
    at: number,
    fin: boolean,
    rsv: number,
    opcode: number,
    length: number,
  ): void {
    target[at] = (fin ? 0x80 : 0) | rsv | opcode;
    const maskBit = this.#masked ? 0x80 : 0;
    let keyAt: number;
    if (length < 126) {
      target[at + 1] = maskBit | length;
      keyAt = at + 2;
    } else if (length < 0x10000) {
      target[at + 1] = maskBit | 126;
      target[at + 2] = length >>> 8;
      target[at + 3] = length & 0xff;
      keyAt = at + 4;
    } else {
      target[at + 1] = maskBit | 127;
      const upper = Math.floor(length / 0x1_0000_0000);
      const lower = length >>> 0;
      target[at + 2] = upper >>> 24;
      target[at + 3] = (upper >>> 16) & 0xff;
      target[at + 4] = (upper >>> 8) & 0xff;
      target[at + 5] = upper & 0xff;
      target[at + 6] = lower >>> 24;
      target[at + 7] = (lower >>> 16) & 0xff;
      target[at + 8] = (lower >>> 8) & 0xff;
      target[at + 9] = lower & 0xff;
      keyAt = at + 10;
    }
    if (maskBit !== 0) {
      const key = this.#key;
      this.#keys.next(key, 0);
      target[keyAt] = key[0];
      target[keyAt + 1] = key[1];
      target[keyAt + 2] = key[2];
      target[keyAt + 3] = key[3];
    }
  }
}
