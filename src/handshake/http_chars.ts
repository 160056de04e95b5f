/**
 * Character classes of the HTTP grammar (RFC 9110 §5.6.2, §5.5), as lookups
 * on char codes so every grammar in this layer is checked in one linear pass.
 *
 * @module
 */

// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
const TOKEN_CODES: Uint8Array = (() => {
  const table = new Uint8Array(128);
  for (const char of "!#$%&'*+-.^_`|~") table[char.charCodeAt(0)] = 1;
  for (let code = 0x30; code <= 0x39; code++) table[code] = 1;
  for (let code = 0x41; code <= 0x5a; code++) table[code] = 1;
  for (let code = 0x61; code <= 0x7a; code++) table[code] = 1;
  return table;
})();

/**
 * Whether a char code (or byte) is an RFC 9110 `tchar`.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function isTokenCode(code: number): boolean {
  return code < 128 && TOKEN_CODES[code] === 1;
}

/**
 * Whether `text` is a non-empty RFC 9110 `token`.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let index = 0; index < text.length; index++) {
    if (!isTokenCode(text.charCodeAt(index))) return false;
  }
  return true;
}

/**
 * Whether a char code (or byte) may appear inside a field value: HTAB, SP,
 * VCHAR or obs-text. CR, LF, NUL and the other controls may not, which is what
 * keeps header injection out of anything built from a checked value.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function isFieldValueCode(code: number): boolean {
  return code === 0x09 || (code >= 0x20 && code <= 0x7e) || (code >= 0x80 && code <= 0xff);
}

/**
 * Whether `text` is a field value that can be written out as latin1 bytes.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function isFieldValue(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    if (!isFieldValueCode(text.charCodeAt(index))) return false;
  }
  return true;
}

/**
 * Whether a char code is optional whitespace (SP or HTAB).
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function isOwsCode(code: number): boolean {
  return code === 0x20 || code === 0x09;
}
