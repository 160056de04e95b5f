/**
 * The one handler a user writes; every adapter runs it unchanged.
 *
 * @module
 */

import type { Message } from "./message.ts";
import type { Peer } from "./peer.ts";
import type { HeaderFields } from "../handshake/header_pairs.ts";

/**
 * How a connection ended, as the `close` hook sees it.
 *
 * @example Telling a clean close from a dropped connection
 * ```ts
 * import type { CloseDetails, Handler } from "@omnisocket/core";
 *
 * function describe({ code, reason, wasClean }: CloseDetails): string {
 *   return wasClean ? `closed ${code} ${reason}` : `dropped (${code})`;
 * }
 * export const handler: Handler = { close: (peer, details) => console.log(peer.id, describe(details)) };
 * ```
 */
export interface CloseDetails {
  /** The close code: the peer's, ours, or 1006 when the connection dropped without a close frame. */
  code: number;
  /** The close reason (empty when none was given). */
  reason: string;
  /** True when the close handshake completed. */
  wasClean: boolean;
}

/**
 * What the `upgrade` hook knows about the request besides the `Request` itself.
 *
 * @example Choosing a subprotocol the client offered
 * ```ts
 * import type { Handler } from "@omnisocket/core";
 *
 * export const handler: Handler = {
 *   upgrade(_request, { offeredProtocols, remoteAddress }) {
 *     console.log("upgrade from", remoteAddress);
 *     if (!offeredProtocols.includes("chat.v2")) return 400;
 *     return { protocol: "chat.v2" };
 *   },
 * };
 * ```
 */
export interface UpgradeInfo {
  /** Subprotocols the client offered, in its order. */
  offeredProtocols: string[];
  /** The client's address as "ip:port" where the runtime tells it, else "". */
  remoteAddress: string;
}

/**
 * Accepting an upgrade, with optional per-connection data, subprotocol and extra 101 headers.
 *
 * @example Accepting with data and a cookie
 * ```ts
 * import type { UpgradeAcceptance } from "@omnisocket/core";
 *
 * const acceptance: UpgradeAcceptance<{ room: string }> = {
 *   data: { room: "lobby" },
 *   headers: { "Set-Cookie": "seen=1; HttpOnly" },
 * };
 * console.log(acceptance.data?.room); // "lobby"
 * ```
 */
export interface UpgradeAcceptance<Data> {
  /** Per-connection data, available as `peer.data` in every later hook. */
  data?: Data;
  /** The subprotocol to answer with; must be one the client offered. */
  protocol?: string;
  /**
   * Extra headers for the 101 response (e.g. a cookie). The handshake's own
   * fields (`Upgrade`, `Connection`, `Sec-WebSocket-Accept`, `-Protocol`,
   * `-Extensions`) are refused with 500, as is a value with CR or LF.
   */
  headers?: HeaderFields;
}

/**
 * What the `upgrade` hook returns: nothing (accept with defaults), an
 * {@linkcode UpgradeAcceptance}, or a rejection — a `Response` sent as it is,
 * or an HTTP status (4xx/5xx) answered with a short text body.
 *
 * @example Each kind of answer
 * ```ts
 * import type { UpgradeDecision } from "@omnisocket/core";
 *
 * function decide(request: Request): UpgradeDecision<{ user: string }> {
 *   const user = request.headers.get("x-user");
 *   if (user === null) return 401; // status only
 *   if (user === "banned") return new Response("go away", { status: 403 }); // your own response
 *   return { data: { user } }; // accept
 * }
 * console.log(decide(new Request("http://localhost/"))); // 401
 * ```
 */
export type UpgradeDecision<Data> = UpgradeAcceptance<Data> | Response | number | undefined | void;

/**
 * The hooks of a WebSocket server. All are optional; the same object runs on
 * every adapter, and `peer` is the same object in every hook of a connection.
 *
 * @example An authenticated echo
 * ```ts
 * import type { Handler } from "@omnisocket/core";
 *
 * export const handler: Handler<{ user: string }> = {
 *   upgrade(request) {
 *     const user = new URL(request.url).searchParams.get("user");
 *     if (!user) return 401; // rejected before the upgrade
 *     return { data: { user } };
 *   },
 *   message(peer, message) {
 *     peer.send(`${peer.data.user}: ${message.text()}`);
 *   },
 * };
 * ```
 */
export interface Handler<Data = undefined> {
  /** Runs after the handshake is validated and before it is accepted: auth, subprotocol, data. */
  upgrade?(
    request: Request,
    info: UpgradeInfo,
  ): UpgradeDecision<Data> | Promise<UpgradeDecision<Data>>;
  /** The connection is open. */
  open?(peer: Peer<Data>): void | Promise<void>;
  /** A complete message arrived. */
  message?(peer: Peer<Data>, message: Message): void | Promise<void>;
  /** The connection ended; called once per opened connection. */
  close?(peer: Peer<Data>, details: CloseDetails): void | Promise<void>;
  /** A protocol failure, or an exception thrown by another hook. */
  error?(peer: Peer<Data>, error: Error): void;
  /** The peer's send queue went from above `backpressureLimit` to empty. */
  drain?(peer: Peer<Data>): void;
}
