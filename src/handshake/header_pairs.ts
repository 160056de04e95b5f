/**
 * Caller-supplied headers, checked before they are written into a head.
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";
import { isFieldValue, isOwsCode, isToken } from "./http_chars.ts";

/**
 * Header fields as callers pass them: a `Headers`, `[name, value]` pairs, or
 * a record. The same shapes as the DOM's `HeadersInit`, named here so the
 * published types do not require the DOM library (Node projects often type
 * with @types/node alone, which lacks `HeadersInit`).
 *
 * @example
 * ```ts
 * import type { HeaderFields } from "@omnisocket/core/protocol";
 *
 * const fields: HeaderFields = { "Set-Cookie": "session=abc" };
 * console.log(Object.keys(fields)); // ["Set-Cookie"]
 * ```
 */
export type HeaderFields =
  | Headers
  | ReadonlyArray<readonly [string, string]>
  | Readonly<Record<string, string>>;

/**
 * Turns {@linkcode HeaderFields} into `[name, value]` pairs in the
 * given order and case. A name that is not a token, a value holding CR, LF or
 * another control (header injection), or one with surrounding whitespace, or
 * a name in `reserved` (lower-case), throws a {@linkcode ProtocolError}
 * `"INVALID_HEADER"` whose message starts "Cannot `action`".
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function headerPairs(
  init: HeaderFields | undefined,
  action: string,
  options: { reserved?: ReadonlySet<string>; status?: number } = {},
): [string, string][] {
  if (init === undefined) return [];
  const invalid = (reason: string) =>
    new ProtocolError("INVALID_HEADER", `Cannot ${action}: ${reason}`, { status: options.status });
  const entries: Iterable<readonly string[]> = init instanceof Headers || Array.isArray(init)
    ? init as Iterable<readonly string[]>
    : Object.entries(init);
  const pairs: [string, string][] = [];
  for (const entry of entries) {
    if (entry.length !== 2) throw invalid("a header entry is not a [name, value] pair");
    const [name, value] = entry;
    if (typeof name !== "string" || !isToken(name)) throw invalid("a header name is not a token");
    const valid = typeof value === "string" && isFieldValue(value) &&
      !isOwsCode(value.charCodeAt(0)) && !isOwsCode(value.charCodeAt(value.length - 1));
    if (!valid) {
      throw invalid(`the value of ${name} holds CR, LF, a control or surrounding whitespace`);
    }
    if (options.reserved?.has(name.toLowerCase())) {
      throw invalid(`${name} is set by the handshake itself`);
    }
    pairs.push([name, value]);
  }
  return pairs;
}
