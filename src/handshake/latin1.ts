/**
 * HTTP heads are bytes, not UTF-8: each byte maps to the char code of the same
 * value (ISO-8859-1). TextDecoder("latin1") alone cannot do this, as WHATWG
 * maps that label to windows-1252; it is used where its answer is checked.
 *
 * @module
 */

// String.fromCharCode takes its bytes as arguments; stay well under engine limits.
const SLICE = 4096;
// From this length on, a native decoder beats fromCharCode.apply, whose
// argument list costs eight bytes of garbage per byte decoded.
const NATIVE_FROM = 64;
// WHATWG's "latin1" is windows-1252: the same as ISO-8859-1 except that most
// of 0x80-0x9F become characters above U+00FF, which a result is checked for.
// (The five bytes windows-1252 leaves undefined map to the same code points.)
const windows1252 = nativeDecoder();
// deno-lint-ignore no-control-regex -- the class is every Latin-1 code, controls included
const ABOVE_LATIN1 = /[^\x00-\xff]/;

/**
 * Decodes `bytes[start, end)` one char per byte.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function decodeLatin1(bytes: Uint8Array, start = 0, end: number = bytes.length): string {
  const whole = start === 0 && end === bytes.length;
  if (end - start >= NATIVE_FROM && windows1252 !== null) {
    const text = windows1252.decode(whole ? bytes : bytes.subarray(start, end));
    if (!ABOVE_LATIN1.test(text)) return text;
  }
  // A whole short array (a head line): no view to make.
  if (whole && end <= SLICE) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let text = "";
  for (let from = start; from < end; from += SLICE) {
    const slice = bytes.subarray(from, Math.min(end, from + SLICE));
    text += String.fromCharCode.apply(null, slice as unknown as number[]);
  }
  return text;
}

function nativeDecoder(): TextDecoder | null {
  try {
    return new TextDecoder("latin1");
  } catch {
    return null; // a runtime with UTF-8 only: fromCharCode does it all
  }
}

// ASCII is the common case (every head we build ourselves): TextEncoder then
// gives the same bytes, natively. Anchored single class: linear, no backtracking.
// deno-lint-ignore no-control-regex -- the class is every ASCII code, controls included
const ASCII_ONLY = /^[\x00-\x7f]*$/;
const asciiEncoder = new TextEncoder();

/**
 * Encodes text whose char codes are all below 256 one byte per char.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function encodeLatin1(text: string): Uint8Array {
  if (ASCII_ONLY.test(text)) return asciiEncoder.encode(text);
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index++) bytes[index] = text.charCodeAt(index);
  return bytes;
}
