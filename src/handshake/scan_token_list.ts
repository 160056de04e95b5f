/**
 * The single-pass scanner behind token-list fields (RFC 9110 §5.6.1).
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";
import { isOwsCode, isTokenCode } from "./http_chars.ts";

const COMMA = 0x2c;
const SLASH = 0x2f;

/**
 * Splits a `#token` list; with `allowVersion`, elements may be `token/token`
 * (the `Upgrade` field's `protocol-name ["/" protocol-version]`). Throws
 * `INVALID_TOKEN_LIST` (400). No backtracking: linear in `value.length`.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function scanTokenList(value: string, allowVersion: boolean): string[] {
  const tokens: string[] = [];
  let position = 0;
  while (position < value.length) {
    while (position < value.length && isOwsCode(value.charCodeAt(position))) position++;
    if (position === value.length) break;
    if (value.charCodeAt(position) === COMMA) {
      position++;
      continue;
    }
    const start = position;
    position = skipToken(value, position);
    if (allowVersion && position > start && value.charCodeAt(position) === SLASH) {
      const versionStart = position + 1;
      position = skipToken(value, versionStart);
      if (position === versionStart) throw invalid();
    }
    if (position === start) throw invalid();
    tokens.push(value.slice(start, position));
    while (position < value.length && isOwsCode(value.charCodeAt(position))) position++;
    if (position < value.length && value.charCodeAt(position) !== COMMA) throw invalid();
    position++;
  }
  return tokens;
}

function skipToken(value: string, position: number): number {
  while (position < value.length && isTokenCode(value.charCodeAt(position))) position++;
  return position;
}

function invalid(): ProtocolError {
  return new ProtocolError(
    "INVALID_TOKEN_LIST",
    "Cannot parse token list: an element is not a token",
    { status: 400 },
  );
}
