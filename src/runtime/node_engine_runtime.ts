/**
 * What Node, Deno and Bun all offer the engine through their node:* modules:
 * a synchronous SHA-1 for `Sec-WebSocket-Accept` (instead of Web Crypto's
 * thread hop) and node:zlib for permessage-deflate.
 *
 * @module
 */

import type { EngineRuntime } from "../server/engine_server.ts";
import { computeAcceptSync } from "./node_accept_key.ts";
import { nodeDeflateCodec } from "./node_deflate_codec.ts";

/**
 * The engine's runtime helpers on any runtime with node:crypto and node:zlib.
 *
 * @example
 * ```ts ignore
 * serveWithEngine(handler, options, listenDenoTcp, nodeEngineRuntime);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export const nodeEngineRuntime: EngineRuntime = {
  computeAccept: computeAcceptSync,
  deflateCodec: nodeDeflateCodec,
};
