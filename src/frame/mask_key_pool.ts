/**
 * Masking keys for client frames (RFC 6455 §5.3), drawn from a pool of random
 * bytes so that the CSPRNG is called once per 1024 frames, not per frame.
 *
 * @module
 */

/**
 * Where an encoder takes its masking keys from; tests inject fixed keys.
 *
 * @example Fixed keys for byte-exact fixtures (never on a real connection)
 * ```ts
 * import { FrameEncoder, type MaskKeySource } from "@omnisocket/core/protocol";
 *
 * const fixed: MaskKeySource = {
 *   next(target, offset) {
 *     target.set([0x37, 0xfa, 0x21, 0x3d], offset);
 *   },
 * };
 * const encoder = new FrameEncoder({ role: "client", maskKeys: fixed });
 * encoder.writeText("Hello");
 * console.log(encoder.take()); // RFC 6455 §5.7: 0x81 0x85 0x37 0xfa 0x21 0x3d 0x7f 0x9f ...
 * ```
 */
export interface MaskKeySource {
  /** Writes 4 fresh key bytes into `target` at `offset`. */
  next(target: Uint8Array, offset: number): void;
}

const POOL_SIZE = 4096;

/**
 * A {@linkcode MaskKeySource} backed by `crypto.getRandomValues`, refilled
 * 4 KiB at a time.
 *
 * @example
 * ```ts
 * import { MaskKeyPool } from "./mask_key_pool.ts";
 *
 * const key = new Uint8Array(4);
 * new MaskKeyPool().next(key, 0);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export class MaskKeyPool implements MaskKeySource {
  #pool: Uint8Array = new Uint8Array(POOL_SIZE);
  #position: number = POOL_SIZE;

  /** Writes 4 random bytes into `target` at `offset`. */
  next(target: Uint8Array, offset: number): void {
    if (this.#position === POOL_SIZE) {
      crypto.getRandomValues(this.#pool);
      this.#position = 0;
    }
    const pool = this.#pool;
    const p = this.#position;
    target[offset] = pool[p];
    target[offset + 1] = pool[p + 1];
    target[offset + 2] = pool[p + 2];
    target[offset + 3] = pool[p + 3];
    this.#position = p + 4;
  }
}
