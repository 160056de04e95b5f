/**
 * One publication's outgoing message, encoded at most once however many
 * subscribers it is written to.
 *
 * @module
 */

import { encodeUnmaskedFrame } from "../../frame/encode_unmasked_frame.ts";
import type { SharedOutgoingMessage } from "../../protocol/shared_outgoing_message.ts";
import { utf8Length } from "../metrics/utf8_length.ts";

const textEncoder = new TextEncoder();

/**
 * What a topic fan-out hands every subscriber's transport: the formatted
 * data, and the unmasked server frames carrying it, built on first use and
 * then shared. Like uWebSockets' topic tree, which keeps an inflated and a
 * deflated copy of each message, it holds the uncompressed frame (for
 * subscribers without compression) and one compressed frame per set of
 * deflate parameters (for every subscriber whose server side takes no
 * context over: its compressed bytes do not depend on what it was sent
 * before). A subscriber with context takeover compresses `data` itself.
 * Transports that cannot write frame bytes (native WebSockets) send `data`.
 *
 * @example
 * ```ts ignore
 * const message = new SharedMessage("hi", undefined);
 * message.frame; // Uint8Array [0x81, 0x02, 0x68, 0x69]
 * ```
 *
 * @internal
 */
export class SharedMessage implements SharedOutgoingMessage {
  /** The message as formatted for subscribers: text for a string, binary for bytes. */
  readonly data: string | Uint8Array;
  /**
   * `PublishOptions.compress`: false never compresses, true compresses even
   * below the threshold, `undefined` compresses from the threshold up.
   */
  readonly compress: boolean | undefined;
  #payload: Uint8Array | null = null;
  #frame: Uint8Array | null = null;
  // Frames encoded by extensions, by key (one key in practice: the server's deflate settings).
  #encodedKey: string | null = null;
  #encoded: Uint8Array | null = null;
  #more: Map<string, Uint8Array> | null = null;
  #size = -1;

  /** Wraps formatted data; nothing is encoded until a frame is asked for. */
  constructor(data: string | Uint8Array, compress: boolean | undefined) {
    this.data = data;
    this.compress = compress;
  }

  /** The payload bytes (UTF-8 for text), encoded once. */
  get payload(): Uint8Array {
    const data = this.data;
    return this.#payload ??= typeof data === "string" ? textEncoder.encode(data) : data;
  }

  /** The payload's length in bytes (UTF-8 for text), computed once (without encoding it). */
  get size(): number {
    if (this.#size < 0) {
      const data = this.data;
      this.#size = typeof data === "string"
        ? (this.#payload?.length ?? utf8Length(data))
        : data.length;
    }
    return this.#size;
  }

  /** The complete unmasked, uncompressed frame (FIN, text or binary), built once. */
  get frame(): Uint8Array {
    return this.#frame ??= encodeUnmaskedFrame(
      typeof this.data === "string" ? 0x01 : 0x02,
      this.payload,
    );
  }

  /** The frame encoded as `key` says (e.g. compressed), built by `build` once per key. */
  encodedFrame(key: string, build: () => Uint8Array): Uint8Array {
    if (this.#encodedKey === key) return this.#encoded!;
    if (this.#encodedKey === null) {
      this.#encoded = build();
      this.#encodedKey = key;
      return this.#encoded;
    }
    const more = this.#more ??= new Map();
    let frame = more.get(key);
    if (frame === undefined) more.set(key, frame = build());
    return frame;
  }
}
