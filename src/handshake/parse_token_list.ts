/**
 * Strict parser for comma-separated token lists (RFC 9110 §5.6.1 `#token`).
 *
 * @module
 */

import { scanTokenList } from "./scan_token_list.ts";

/**
 * Splits a `#token` field value such as `Connection` or `Sec-WebSocket-Protocol`.
 *
 * OWS around commas is skipped and empty elements are ignored, as RFC 9110
 * asks of recipients; anything else that is not a token throws a
 * {@linkcode ProtocolError} with code `"INVALID_TOKEN_LIST"` and status 400.
 * One left-to-right pass with no backtracking, so the run time is linear in
 * the length of the value whatever it holds.
 *
 * @example Reading a Connection header
 * ```ts
 * import { parseTokenList } from "./parse_token_list.ts";
 *
 * console.log(parseTokenList("keep-alive, , Upgrade")); // ["keep-alive", "Upgrade"]
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function parseTokenList(value: string): string[] {
  return scanTokenList(value, false);
}
