/**
 * Which close codes may travel on the wire (RFC 6455 §7.4).
 *
 * @module
 */

/**
 * Returns true when `code` may appear in a close frame: 1000–1003, 1007–1014
 * (registered by IANA) and 3000–4999 (libraries and applications).
 *
 * 1004 is reserved, 1005/1006/1015 are only ever reported locally, and
 * 0–999, 1016–2999 and 5000+ are unassigned, so a peer sending them is
 * failed with 1002 and `close()` refuses them.
 *
 * @example
 * ```ts
 * import { isValidCloseCode } from "@omnisocket/core/protocol";
 *
 * isValidCloseCode(1000); // true
 * isValidCloseCode(1005); // false: "no status" is never sent
 * isValidCloseCode(4001); // true
 * ```
 */
export function isValidCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code >= 3000) return code <= 4999;
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
}
