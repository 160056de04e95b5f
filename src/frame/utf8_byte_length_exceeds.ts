/**
 * A cheap size check for received text on runtimes that hand us strings.
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * True when `text` takes more than `limit` bytes as UTF-8. A UTF-16 code
 * unit takes 1 to 3 bytes, so most strings are decided without encoding.
 *
 * @example
 * ```ts ignore
 * utf8ByteLengthExceeds("héllo", 5); // true: 6 bytes
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function utf8ByteLengthExceeds(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  return encoder.encode(text).length > limit;
}
