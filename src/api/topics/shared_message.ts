/**
 * One publication's outgoing message, encoded at most once however many
 * subscribers it is written to.
 *
 * @module
 */

import { utf8Length } from "../metrics/utf8_length.ts";

const textEncoder = new TextEncoder();

/**
 * What a topic fan-out hands every subscriber's transport: the formatted
 * data, and the unmasked server frame carrying it, built on first use and
 * then shared (the same bytes go to every raw-engine subscriber). Transports
 * that cannot write frame bytes (native WebSockets) send `data` instead.
 *
 * Compression seam: a subscriber with a message-transforming extension
 * (permessage-deflate) cannot take `frame`; its transport sends `data`
 * through its own extension. `compress` carries `PublishOptions.compress`
 * down to it; a frame compressed once for every subscriber that can share
 * one (no context takeover, same parameters) would be cached here too.
 *
 * @example
 * ```ts ignore
 * const message = new SharedMessage("hi", true);
 * message.frame; // Uint8Array [0x81, 0x02, 0x68, 0x69]
 * ```
 */
export class SharedMessage {
  /** The message as formatted for subscribers: text for a string, binary for bytes. */
  readonly data: string | Uint8Array;
  /** Whether subscribers that negotiated compression should get it compressed. */
  readonly compress: boolean;
  #frame: Uint8Array | null = null;
  #size = -1;

  /** Wraps formatted data; nothing is encoded until {@linkcode SharedMessage.frame} is read. */
  constructor(data: string | Uint8Array, compress: boolean) {
    this.data = data;
    this.compress = compress;
  }

  /** The payload's length in bytes (UTF-8 for text), computed once. */
  get size(): number {
    if (this.#size < 0) {
      const data = this.data;
      this.#size = typeof data === "string" ? utf8Length(data) : data.length;
    }
    return this.#size;
  }

  /** The complete unmasked, uncompressed frame (FIN, text or binary), built once. */
  get frame(): Uint8Array {
    return this.#frame ??= encodeFrame(this.data);
  }
}

function encodeFrame(data: string | Uint8Array): Uint8Array {
  const payload = typeof data === "string" ? textEncoder.encode(data) : data;
  const length = payload.length;
  const header = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = new Uint8Array(header + length);
  frame[0] = typeof data === "string" ? 0x81 : 0x82;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 0x10000) {
    frame[1] = 126;
    frame[2] = length >>> 8;
    frame[3] = length & 0xff;
  } else {
    frame[1] = 127;
    const upper = Math.floor(length / 0x1_0000_0000);
    const view = new DataView(frame.buffer);
    view.setUint32(2, upper);
    view.setUint32(6, length >>> 0);
  }
  frame.set(payload, header);
  return frame;
}
