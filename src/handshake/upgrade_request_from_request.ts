/**
 * Adapter from a Web `Request` (Deno.serve, Bun.serve, workers) to the handshake.
 *
 * @module
 */

import type { UpgradeRequest } from "./validate_upgrade_request.ts";

/**
 * Views a Web `Request` as an {@linkcode UpgradeRequest}.
 *
 * The Fetch API does not expose the HTTP version, so `httpVersion` is left
 * `undefined` and the version check is skipped: runtimes with a native upgrade
 * only hand over HTTP/1.1 upgrade requests anyway. Web `Headers` also join
 * duplicated fields with ", ", so a repeated `Sec-WebSocket-Key` is refused as
 * malformed (`INVALID_KEY`) rather than as duplicated.
 *
 * @example In a Deno.serve or Bun.serve handler
 * ```ts
 * import { acceptUpgrade } from "@omnisocket/core/protocol";
 * import { upgradeRequestFromRequest } from "./upgrade_request_from_request.ts";
 *
 * const request = new Request("http://example.com/chat", {
 *   headers: {
 *     Upgrade: "websocket",
 *     Connection: "Upgrade",
 *     "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
 *     "Sec-WebSocket-Version": "13",
 *     Host: "example.com",
 *   },
 * });
 * const acceptance = await acceptUpgrade(upgradeRequestFromRequest(request));
 * console.log(acceptance.accept); // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function upgradeRequestFromRequest(request: Request): UpgradeRequest {
  return {
    method: request.method,
    headers: request.headers,
    // Read on demand: the handshake never needs it, and some runtimes build
    // the string on each read.
    get url() {
      return request.url;
    },
  };
}
