/**
 * Uninitialised memory for joined messages on Node (and Bun, which has
 * `node:buffer`).
 *
 * @module
 */

import { Buffer as NodeBuffer } from "node:buffer";

/**
 * `size` bytes of uninitialised memory. A message joined from several reads
 * is written over in full, so the zero-fill of `new Uint8Array` (a memset of
 * the whole message) is waste. `allocUnsafeSlow`: a buffer of its own, never
 * a slice of Node's shared pool, so a message kept by the application pins
 * nothing else.
 *
 * @example
 * ```ts ignore
 * const message = uninitialisedBytes(1 << 20); // then written over in full
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function uninitialisedBytes(size: number): Uint8Array {
  const buffer = NodeBuffer.allocUnsafeSlow(size);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, size);
}
