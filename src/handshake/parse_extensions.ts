/**
 * Parser and formatter for `Sec-WebSocket-Extensions` (RFC 6455 §9.1).
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";
import { isOwsCode, isToken, isTokenCode } from "./http_chars.ts";

/**
 * One extension with its parameters, e.g. `permessage-deflate; client_max_window_bits`.
 * Parameters live in a `Map`, so names such as `__proto__` are plain data;
 * `true` stands for a parameter without a value.
 *
 * @example An offer of permessage-deflate
 * ```ts
 * import type { ExtensionOffer } from "@omnisocket/core/protocol";
 *
 * const offer: ExtensionOffer = {
 *   name: "permessage-deflate",
 *   params: new Map<string, string | true>([["client_max_window_bits", true]]),
 * };
 * console.log(offer.params.get("client_max_window_bits")); // true
 * ```
 */
export type ExtensionOffer = { name: string; params: Map<string, string | true> };

// Marks an offer that names a parameter twice; "" is never a token.
const REPEATED_PARAMETER = "";
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Parses a `Sec-WebSocket-Extensions` value into offers, in order.
 *
 * Grammar: `ext-name *( ";" ext-param )`, params `token [ "=" (token |
 * quoted-string) ]`; a quoted value must unescape to a token; OWS is allowed
 * around `;`, `,` and `=`; empty list elements are ignored. A parameter named
 * twice in one offer keeps its first value and marks the offer with a
 * parameter named `""` (never a token), so that every negotiator sees an
 * unknown parameter and declines that offer alone (RFC 7692 §5). Any error throws
 * a {@linkcode ProtocolError} with code `"INVALID_EXTENSIONS"` and status 400.
 * Single pass, linear time.
 *
 * @example Two offers of the same extension
 * ```ts
 * import { parseExtensions } from "./parse_extensions.ts";
 *
 * const offers = parseExtensions(
 *   'permessage-deflate; client_max_window_bits="10", permessage-deflate',
 * );
 * console.log(offers[0].params.get("client_max_window_bits")); // "10"
 * console.log(offers.length); // 2
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function parseExtensions(value: string): ExtensionOffer[] {
  const offers: ExtensionOffer[] = [];
  const scanner = { value, position: 0 };
  while (true) {
    skipOws(scanner);
    if (scanner.position >= value.length) return offers;
    if (value.charCodeAt(scanner.position) === COMMA) {
      scanner.position++;
      continue;
    }
    offers.push(readOffer(scanner));
    skipOws(scanner);
    if (scanner.position < value.length && value.charCodeAt(scanner.position) !== COMMA) {
      throw invalid("an extension is not followed by `,` or `;`");
    }
    scanner.position++;
  }
}

/**
 * Writes offers back as a `Sec-WebSocket-Extensions` value. Names, parameter
 * names and values must be tokens; otherwise it throws a
 * {@linkcode ProtocolError} with code `"INVALID_EXTENSIONS"` and status 500,
 * since the caller built them.
 *
 * @example Formatting a response value
 * ```ts
 * import { formatExtensions } from "./parse_extensions.ts";
 *
 * const params = new Map<string, string | true>([["server_no_context_takeover", true]]);
 * console.log(formatExtensions([{ name: "permessage-deflate", params }]));
 * // "permessage-deflate; server_no_context_takeover"
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function formatExtensions(offers: readonly ExtensionOffer[]): string {
  return offers.map((offer) => {
    if (!isToken(offer.name)) throw invalidOwn("an extension name is not a token");
    let text = offer.name;
    for (const [name, paramValue] of offer.params) {
      if (!isToken(name)) throw invalidOwn("a parameter name is not a token");
      if (paramValue === true) {
        text += `; ${name}`;
        continue;
      }
      if (!isToken(paramValue)) throw invalidOwn("a parameter value is not a token");
      text += `; ${name}=${paramValue}`;
    }
    return text;
  }).join(", ");
}

type Scanner = { value: string; position: number };

function readOffer(scanner: Scanner): ExtensionOffer {
  const name = readToken(scanner, "an extension name is not a token");
  const params = new Map<string, string | true>();
  while (true) {
    skipOws(scanner);
    if (scanner.value.charCodeAt(scanner.position) !== SEMICOLON) return { name, params };
    scanner.position++;
    skipOws(scanner);
    const paramName = readToken(scanner, "a parameter name is not a token");
    // Read on, then mark the offer: a Map cannot hold both values.
    const repeated = params.has(paramName);
    skipOws(scanner);
    let paramValue: string | true = true;
    if (scanner.value.charCodeAt(scanner.position) === EQUALS) {
      scanner.position++;
      skipOws(scanner);
      paramValue = scanner.value.charCodeAt(scanner.position) === QUOTE
        ? readQuotedToken(scanner)
        : readToken(scanner, "a parameter value is not a token");
    }
    if (repeated) params.set(REPEATED_PARAMETER, true);
    else params.set(paramName, paramValue);
  }
}

function readToken(scanner: Scanner, reason: string): string {
  const start = scanner.position;
  while (
    scanner.position < scanner.value.length &&
    isTokenCode(scanner.value.charCodeAt(scanner.position))
  ) scanner.position++;
  if (scanner.position === start) throw invalid(reason);
  return scanner.value.slice(start, scanner.position);
}

// quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE; RFC 6455 §9.1 then
// requires the unescaped text to be a token, so every character, escaped or
// not, must be a tchar. Nothing is built until the closing quote is found.
function readQuotedToken(scanner: Scanner): string {
  const { value } = scanner;
  const start = scanner.position + 1;
  let escaped = false;
  for (let position = start; position < value.length; position++) {
    let code = value.charCodeAt(position);
    if (code === QUOTE) {
      scanner.position = position + 1;
      if (position === start) throw invalid("a quoted parameter value is empty");
      const raw = value.slice(start, position);
      return escaped ? removeEscapes(raw) : raw;
    }
    if (code === BACKSLASH) {
      escaped = true;
      position++;
      if (position === value.length) break;
      code = value.charCodeAt(position);
    }
    if (!isTokenCode(code)) throw invalid("a quoted parameter value is not a token");
  }
  throw invalid("a quoted parameter value is not closed");
}

function removeEscapes(raw: string): string {
  let text = "";
  let from = 0;
  for (let index = 0; index < raw.length; index++) {
    if (raw.charCodeAt(index) !== BACKSLASH) continue;
    text += raw.slice(from, index);
    from = index + 1;
    index++; // the escaped character itself is kept
  }
  return text + raw.slice(from);
}

function skipOws(scanner: Scanner): void {
  while (
    scanner.position < scanner.value.length && isOwsCode(scanner.value.charCodeAt(scanner.position))
  ) scanner.position++;
}

function invalid(reason: string): ProtocolError {
  return new ProtocolError(
    "INVALID_EXTENSIONS",
    `Cannot parse Sec-WebSocket-Extensions: ${reason}`,
    { status: 400 },
  );
}

function invalidOwn(reason: string): ProtocolError {
  return new ProtocolError(
    "INVALID_EXTENSIONS",
    `Cannot format Sec-WebSocket-Extensions: ${reason}`,
    { status: 500 },
  );
}
