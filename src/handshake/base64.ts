/**
 * Base64 over Web APIs only (btoa/atob), for keys of a few bytes.
 *
 * @module
 */

import { decodeLatin1 } from "./latin1.ts";

/**
 * Encodes bytes as standard base64 with padding.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function encodeBase64(bytes: Uint8Array): string {
  return btoa(decodeLatin1(bytes));
}
