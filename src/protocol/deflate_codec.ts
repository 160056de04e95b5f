/**
 * The one-shot DEFLATE primitives permessage-deflate needs, supplied by an
 * adapter: no Web API can flush a deflate stream (`CompressionStream` has no
 * flush and no window size), and the core uses no runtime global.
 *
 * @module
 */

/**
 * Raw DEFLATE (RFC 1951) of one whole message at a time. Context takeover
 * is had by passing the previous messages' last bytes as a preset
 * dictionary, so a codec holds no state between calls.
 *
 * @example An adapter's codec over `node:zlib`
 * ```ts ignore
 * const codec: DeflateCodec = {
 *   supportsDictionary: true,
 *   deflate: (data, o) => zlib.deflateRawSync(data, { ...o, finishFlush: Z_SYNC_FLUSH }),
 *   inflate: (data, o) => zlib.inflateRawSync(data, { ...o, finishFlush: Z_SYNC_FLUSH }),
 * };
 * ```
 */
export interface DeflateCodec {
  /**
   * False when the runtime's zlib ignores preset dictionaries (Deno's
   * `node:zlib`): the server then asks for no context takeover both ways.
   */
  readonly supportsDictionary: boolean;
  /**
   * Compresses `data`, ending with a sync flush (an empty stored block,
   * `00 00 ff ff`) and no final block.
   */
  deflate(data: Uint8Array, options: DeflateCallOptions): Uint8Array;
  /**
   * Decompresses `data` (which need not end a stream) and returns what it
   * decodes to, or `null` as soon as that would exceed `maxOutputLength`
   * bytes, before producing more. Throws when the data is not valid DEFLATE.
   */
  inflate(data: Uint8Array, options: InflateCallOptions): Uint8Array | null;
}

/**
 * Options of {@linkcode DeflateCodec.deflate}.
 *
 * @example
 * ```ts ignore
 * codec.deflate(bytes, { dictionary: lastSent, windowBits: 12, level: 6, memLevel: 4 });
 * ```
 */
export interface DeflateCallOptions {
  /** Bytes the compressor may refer back to (the last ones sent), if any. */
  dictionary: Uint8Array | undefined;
  /** zlib window size in bits, 9 to 15. */
  windowBits: number;
  /** zlib compression level, 0 to 9. */
  level: number;
  /** zlib memory level, 1 to 9. */
  memLevel: number;
}

/**
 * Options of {@linkcode DeflateCodec.inflate}.
 *
 * @example
 * ```ts ignore
 * codec.inflate(payload, { dictionary: lastReceived, maxOutputLength: limit + 1 });
 * ```
 */
export interface InflateCallOptions {
  /** Bytes the sender's compressor may refer back to (the last ones received), if any. */
  dictionary: Uint8Array | undefined;
  /** Largest output accepted, in bytes. */
  maxOutputLength: number;
}
