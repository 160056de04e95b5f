/**
 * The permessage-deflate codec on `node:zlib`, which Node, Deno and Bun all
 * provide: one-shot synchronous calls on the event loop (no thread-pool
 * round trip per message, no zlib stream kept per connection).
 *
 * @module
 */

import zlib from "node:zlib";
import type { DeflateCodec } from "../protocol/deflate_codec.ts";

const SYNC_FLUSH = zlib.constants.Z_SYNC_FLUSH;

let shared: DeflateCodec | undefined;

/**
 * The process's codec (it holds no state). `supportsDictionary` is probed
 * once: Deno's `node:zlib` ignores the `dictionary` option of raw streams
 * both ways, Node's and Bun's honour it.
 *
 * @example
 * ```ts ignore
 * const options = { ...resolved, deflateCodec: nodeDeflateCodec() };
 * ```
 */
export function nodeDeflateCodec(): DeflateCodec {
  return shared ??= {
    supportsDictionary: probeDictionary(),
    deflate: (data, options) =>
      zlib.deflateRawSync(data, {
        dictionary: options.dictionary,
        windowBits: options.windowBits,
        level: options.level,
        memLevel: options.memLevel,
        finishFlush: SYNC_FLUSH,
      }),
    inflate: (data, options) => {
      try {
        return zlib.inflateRawSync(data, {
          dictionary: options.dictionary,
          windowBits: 15,
          finishFlush: SYNC_FLUSH,
          maxOutputLength: options.maxOutputLength,
        });
      } catch (error) {
        // zlib stops at maxOutputLength with this error: past the limit, not invalid data.
        if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") return null;
        throw error;
      }
    },
  };
}

// "Hello" compressed as a back-reference into the dictionary "Hello".
function probeDictionary(): boolean {
  const dictionary = new TextEncoder().encode("Hello");
  try {
    const compressed = zlib.deflateRawSync(dictionary, { dictionary, finishFlush: SYNC_FLUSH });
    const plain = zlib.deflateRawSync(dictionary, { finishFlush: SYNC_FLUSH });
    if (compressed.length >= plain.length) return false;
    const back = zlib.inflateRawSync(compressed, { dictionary, finishFlush: SYNC_FLUSH });
    return back.length === 5 && back[0] === 0x48;
  } catch {
    return false;
  }
}
