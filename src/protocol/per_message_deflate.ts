/**
 * permessage-deflate (RFC 7692) as an engine {@linkcode Extension}.
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";
import type { DeflateAgreement } from "../handshake/negotiate_permessage_deflate.ts";
import type { DeflateCodec } from "./deflate_codec.ts";
import type { Extension } from "./extension.ts";

/**
 * How one connection compresses, besides what was negotiated.
 *
 * @example
 * ```ts ignore
 * const settings: PerMessageDeflateSettings = {
 *   level: 6, memLevel: 4, threshold: 1024, maxMessageSize: 16 << 20,
 * };
 * ```
 */
export interface PerMessageDeflateSettings {
  /** zlib level, 0 to 9. */
  level: number;
  /** zlib memory level, 1 to 9. */
  memLevel: number;
  /** Messages shorter than this many bytes go uncompressed unless sent with `compress: true`. */
  threshold: number;
  /** Largest decompressed message, in bytes; more fails with 1009 while inflating. */
  maxMessageSize: number;
  /** Told the size before and after of every message compressed (metrics). */
  onDeflate?: (input: number, output: number) => void;
}

const RSV1 = 0x40;

/**
 * One connection's permessage-deflate: a message at a time through a
 * stateless {@linkcode DeflateCodec}, with context takeover kept as the last
 * 2^windowBits bytes of each direction (used as the preset dictionary of the
 * next message). Between messages a connection holds those windows and
 * nothing else: no zlib stream, no native memory.
 *
 * @example
 * ```ts ignore
 * const extension = new PerMessageDeflate(codec, agreement, {
 *   level: 6, memLevel: 8, threshold: 1024, maxMessageSize: 16 << 20,
 * });
 * new WebSocketConnection(listener, { role: "server", extensions: [extension] });
 * ```
 */
export class PerMessageDeflate implements Extension {
  /** The extension token. */
  readonly name: string = "permessage-deflate";
  /** RSV1 marks a compressed message. */
  readonly rsvBits: number = RSV1;
  #codec: DeflateCodec;
  #settings: PerMessageDeflateSettings;
  // Window sizes in bytes, 0 when that direction takes no context over.
  #sendWindowSize: number;
  #receiveWindowSize: number;
  // zlib cannot write an 8-bit window; asked for 9 it never reaches back
  // more than 250 bytes, so its output decodes with a 256-byte window.
  #sendWindowBits: number;
  #sendWindow: Uint8Array | undefined;
  #receiveWindow: Uint8Array | undefined;

  /** Binds a codec to what was negotiated; `role` says which side of the agreement we are. */
  constructor(
    codec: DeflateCodec,
    agreement: DeflateAgreement,
    settings: PerMessageDeflateSettings,
    role: "server" | "client" = "server",
  ) {
    this.#codec = codec;
    this.#settings = settings;
    const server = role === "server";
    const sendBits = server ? agreement.serverMaxWindowBits : agreement.clientMaxWindowBits;
    const receiveBits = server ? agreement.clientMaxWindowBits : agreement.serverMaxWindowBits;
    const sendFresh = server
      ? agreement.serverNoContextTakeover
      : agreement.clientNoContextTakeover;
    const receiveFresh = server
      ? agreement.clientNoContextTakeover
      : agreement.serverNoContextTakeover;
    this.#sendWindowBits = Math.max(9, sendBits);
    this.#sendWindowSize = sendFresh ? 0 : 1 << sendBits;
    this.#receiveWindowSize = receiveFresh ? 0 : 1 << receiveBits;
  }

  /** Inflates a message with RSV1 set; 1009 past the size limit, 1007 for invalid data. */
  decodeMessage(payload: Uint8Array): Uint8Array {
    const limit = this.#settings.maxMessageSize;
    let output: Uint8Array | null;
    try {
      output = this.#codec.inflate(payload, {
        dictionary: this.#receiveWindow,
        maxOutputLength: limit + 1,
      });
    } catch (cause) {
      throw new ProtocolError(
        "INVALID_COMPRESSED_DATA",
        "Cannot read message: the compressed data is not valid DEFLATE",
        { closeCode: 1007, cause },
      );
    }
    if (output === null || output.length > limit) {
      throw new ProtocolError(
        "MESSAGE_TOO_LARGE",
        "Cannot read message: it decompresses past the size limit",
        { closeCode: 1009 },
      );
    }
    if (this.#receiveWindowSize > 0) {
      this.#receiveWindow = slide(this.#receiveWindow, output, this.#receiveWindowSize);
    }
    return output;
  }

  /**
   * How a shared message (a topic publication) would be encoded: `""` when
   * it goes uncompressed (as {@linkcode PerMessageDeflate.encodeMessage}
   * decides), `null` when the server takes context over (the compressed
   * bytes then depend on what this connection sent before), else a key of
   * the parameters the compressed bytes depend on (window bits, level,
   * memory level).
   */
  sharedEncoding(payloadLength: number, compress?: boolean): string | null {
    const settings = this.#settings;
    if (compress === false || (compress === undefined && payloadLength < settings.threshold)) {
      return "";
    }
    if (this.#sendWindowSize > 0) return null;
    return `deflate:${this.#sendWindowBits}:${settings.level}:${settings.memLevel}`;
  }

  /**
   * Compresses an outgoing message, or returns `null` to send it as it is:
   * when `compress` is false, or when it is unset and the message is below
   * the threshold.
   */
  encodeMessage(payload: Uint8Array, _isText: boolean, compress?: boolean): Uint8Array | null {
    if (
      compress === false || (compress === undefined && payload.length < this.#settings.threshold)
    ) {
      return null;
    }
    const settings = this.#settings;
    const compressed = this.#codec.deflate(payload, {
      dictionary: this.#sendWindow,
      windowBits: this.#sendWindowBits,
      level: settings.level,
      memLevel: settings.memLevel,
    });
    if (this.#sendWindowSize > 0) {
      this.#sendWindow = slide(this.#sendWindow, payload, this.#sendWindowSize);
    }
    const output = withoutSyncTail(compressed);
    settings.onDeflate?.(payload.length, output.length);
    return output;
  }
}

// The last `size` bytes of window + bytes, in a buffer of their own (the
// message itself may be a view into a larger read buffer).
function slide(window: Uint8Array | undefined, bytes: Uint8Array, size: number): Uint8Array {
  if (bytes.length >= size) return bytes.slice(bytes.length - size);
  const kept = window === undefined ? 0 : Math.min(window.length, size - bytes.length);
  const next = new Uint8Array(kept + bytes.length);
  if (kept > 0) next.set(window!.subarray(window!.length - kept));
  next.set(bytes, kept);
  return next;
}

// §7.2.1: the sync flush's empty stored block (00 00 ff ff) is removed.
function withoutSyncTail(compressed: Uint8Array): Uint8Array {
  const end = compressed.length - 4;
  if (
    end >= 0 && compressed[end] === 0 && compressed[end + 1] === 0 &&
    compressed[end + 2] === 0xff && compressed[end + 3] === 0xff
  ) return compressed.subarray(0, end);
  throw new ProtocolError(
    "DEFLATE_FAILED",
    "Cannot compress message: the codec did not end with a sync flush",
  );
}
