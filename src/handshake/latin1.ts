/**
 * HTTP heads are bytes, not UTF-8: each byte maps to the char code of the same
 * value (ISO-8859-1). TextDecoder("latin1") cannot do this, as WHATWG maps that
 * label to windows-1252.
 *
 * @module
 */

// String.fromCharCode takes its bytes as arguments; stay well under engine limits.
const SLICE = 4096;

/** Decodes `bytes[start, end)` one char per byte. */
export function decodeLatin1(bytes: Uint8Array, start = 0, end: number = bytes.length): string {
  let text = "";
  for (let from = start; from < end; from += SLICE) {
    const slice = bytes.subarray(from, Math.min(end, from + SLICE));
    text += String.fromCharCode.apply(null, slice as unknown as number[]);
  }
  return text;
}

// ASCII is the common case (every head we build ourselves): TextEncoder then
// gives the same bytes, natively. Anchored single class: linear, no backtracking.
// deno-lint-ignore no-control-regex -- the class is every ASCII code, controls included
const ASCII_ONLY = /^[\x00-\x7f]*$/;
const asciiEncoder = new TextEncoder();

/** Encodes text whose char codes are all below 256 one byte per char. */
export function encodeLatin1(text: string): Uint8Array {
  if (ASCII_ONLY.test(text)) return asciiEncoder.encode(text);
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index++) bytes[index] = text.charCodeAt(index);
  return bytes;
}
