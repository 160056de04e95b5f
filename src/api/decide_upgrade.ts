/**
 * Runs the user's `upgrade` hook and turns whatever it returned into one of
 * two outcomes, the same on every adapter.
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";
import { HANDSHAKE_FIELDS } from "../handshake/build_responses.ts";
import { headerPairs } from "../handshake/header_pairs.ts";
import type { Handler, UpgradeInfo } from "./handler.ts";

/**
 * The hook's verdict: a response to send instead of upgrading, or what to upgrade with.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export type UpgradeOutcome<Data> =
  | { accepted: false; response: Response }
  | { accepted: true; data: Data; protocol: string | undefined; headers: Headers };

/**
 * Calls `handler.upgrade` (if any) and normalises its result. A returned
 * status becomes a short text response; a subprotocol the client did not
 * offer is a server bug and is refused with 500 rather than sent.
 *
 * @example
 * ```ts
 * import { decideUpgrade } from "./decide_upgrade.ts";
 *
 * const outcome = await decideUpgrade({ upgrade: () => 401 }, new Request("http://x/"), {
 *   offeredProtocols: [],
 *   remoteAddress: "",
 * });
 * console.log(outcome.accepted); // false
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export async function decideUpgrade<Data>(
  handler: Handler<Data>,
  request: Request,
  info: UpgradeInfo,
): Promise<UpgradeOutcome<Data>> {
  const decision = await handler.upgrade?.(request, info);
  if (decision instanceof Response) return { accepted: false, response: decision };
  if (typeof decision === "number") {
    if (!Number.isInteger(decision) || decision < 400 || decision > 599) {
      throw new TypeError(`Cannot reject upgrade: status ${decision} is not a 4xx or 5xx status`);
    }
    return {
      accepted: false,
      response: new Response(`Cannot upgrade: rejected with status ${decision}\n`, {
        status: decision,
        headers: { "Content-Type": "text/plain; charset=utf-8", Connection: "close" },
      }),
    };
  }
  const protocol = decision?.protocol;
  if (protocol !== undefined && !info.offeredProtocols.includes(protocol)) {
    throw new ProtocolError(
      "UNOFFERED_SUBPROTOCOL",
      `Cannot accept upgrade: the upgrade hook chose subprotocol "${protocol}", which the client did not offer`,
      { status: 500 },
    );
  }
  return {
    accepted: true,
    data: decision?.data as Data,
    protocol,
    // Checked like every header we write: no CR/LF injection into the 101,
    // and none of the handshake's own fields (on every runtime alike).
    headers: new Headers(
      headerPairs(decision?.headers, "accept upgrade", {
        status: 500,
        reserved: HANDSHAKE_FIELDS,
      }),
    ),
  };
}
