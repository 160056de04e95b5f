/**
 * Server-side choice of a subprotocol (RFC 6455 §4.2.2, `Sec-WebSocket-Protocol`).
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";

/**
 * Chooses the subprotocol to answer with, or `undefined` for none.
 *
 * With a list, the server's order wins: the first entry of `supported` the
 * client offered. With a callback, its answer is used only if the client
 * offered it; answering one it did not offer would break the client, so that
 * throws a {@linkcode ProtocolError} with code `"UNOFFERED_SUBPROTOCOL"` and
 * status 500 (a server bug). Names compare case-sensitively.
 *
 * @example Server preference order
 * ```ts
 * import { selectSubprotocol } from "./select_subprotocol.ts";
 *
 * console.log(selectSubprotocol(["chat", "superchat"], ["superchat", "chat"])); // "superchat"
 * console.log(selectSubprotocol(["mqtt"], (offered) => offered[0])); // "mqtt"
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function selectSubprotocol(
  offered: string[],
  supported: readonly string[] | ((offered: string[]) => string | undefined),
): string | undefined {
  if (typeof supported === "function") {
    const chosen = supported([...offered]);
    if (chosen === undefined) return undefined;
    if (!offered.includes(chosen)) {
      throw new ProtocolError(
        "UNOFFERED_SUBPROTOCOL",
        "Cannot select subprotocol: the callback chose one the client did not offer",
        { status: 500 },
      );
    }
    return chosen;
  }
  const offeredSet = new Set(offered);
  return supported.find((protocol) => offeredSet.has(protocol));
}
