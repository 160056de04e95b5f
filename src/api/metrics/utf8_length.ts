/**
 * The UTF-8 length of a string, without encoding it.
 *
 * @module
 */

const encoder = new TextEncoder();
const scratch = new Uint8Array(12 * 1024);
// At most 3 bytes per UTF-16 unit: strings this short always fit.
const SCRATCH_CHARS = scratch.length / 3;

/**
 * Bytes `text` takes in UTF-8 (lone surrogates count 3, as TextEncoder writes U+FFFD).
 *
 * @example
 * ```ts
 * import { utf8Length } from "./utf8_length.ts";
 *
 * console.log(utf8Length("héllo €")); // 10
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function utf8Length(text: string): number {
  const length = text.length;
  // Short strings: the runtime's encoder into scratch space beats a loop in JavaScript (about
  // twice as fast for 64 ASCII characters on V8), and the bytes are simply overwritten next time.
  if (length <= SCRATCH_CHARS) return encoder.encodeInto(text, scratch).written;
  let bytes = length;
  for (let i = 0; i < length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) {
      bytes += 1;
    } else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2; // a pair: 2 units, 4 bytes
        i++;
      } else {
        bytes += 2;
      }
    } else {
      bytes += 2;
    }
  }
  return bytes;
}
