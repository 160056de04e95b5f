/**
 * What the engine needs of a message many connections send alike.
 *
 * @module
 */

/**
 * One message written to many connections (a topic publication): its data,
 * the uncompressed frame carrying it, and a cache of frames encoded by
 * extensions, keyed by {@linkcode Extension.sharedEncoding}, so that every
 * connection with the same key writes the same bytes, encoded once.
 *
 * @example
 * ```ts ignore
 * connection.sendShared(message); // message.frame, or message.encodedFrame(key, build)
 * ```
 *
 * @internal
 */
export interface SharedOutgoingMessage {
  /** The message: text for a string, binary for bytes. */
  readonly data: string | Uint8Array;
  /** The payload bytes (UTF-8 for text). */
  readonly payload: Uint8Array;
  /**
   * The sender's wish for compressing extensions, as in
   * `send(data, compress)`: `undefined` when it expressed none.
   */
  readonly compress: boolean | undefined;
  /** The complete unmasked frame, untransformed (FIN, text or binary). */
  readonly frame: Uint8Array;
  /** The complete frame encoded as `key` says: built by `build` on first use, then cached. */
  encodedFrame(key: string, build: () => Uint8Array): Uint8Array;
}
