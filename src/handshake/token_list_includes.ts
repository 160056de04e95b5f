/**
 * Membership test on a token-list field such as `Connection` or `Upgrade`.
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";
import { scanTokenList } from "./scan_token_list.ts";

/**
 * Whether the list `value` holds `wanted` (lower-case), compared
 * case-insensitively. A missing or malformed list holds nothing. With
 * `protocols`, elements may carry a version (`h2c`, `websocket`, `HTTP/2.0`),
 * as in `Upgrade`.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function tokenListIncludes(
  value: string | null,
  wanted: string,
  protocols = false,
): boolean {
  if (value === null) return false;
  let elements: string[];
  try {
    elements = scanTokenList(value, protocols);
  } catch (error) {
    if (error instanceof ProtocolError) return false;
    throw error;
  }
  return elements.some((element) => element.toLowerCase() === wanted);
}
