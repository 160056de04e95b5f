/**
 * The server side of the opening handshake, from request to the 101's headers.
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";
import { computeAcceptKey } from "./compute_accept_key.ts";
import { type ExtensionOffer, formatExtensions, parseExtensions } from "./parse_extensions.ts";
import { parseTokenList } from "./parse_token_list.ts";
import { selectSubprotocol } from "./select_subprotocol.ts";
import { type UpgradeRequest, validateUpgradeRequest } from "./validate_upgrade_request.ts";

/**
 * Server policy for accepting a handshake.
 *
 * @example Preferring one subprotocol and allowing one origin
 * ```ts
 * import type { HandshakeOptions } from "@omnisocket/core/protocol";
 *
 * const options: HandshakeOptions = {
 *   protocols: ["graphql-transport-ws"],
 *   allowedOrigins: ["https://app.example.com"],
 * };
 * console.log(options.protocols); // ["graphql-transport-ws"]
 * ```
 */
export interface HandshakeOptions {
  /** Subprotocols in server preference order, or a callback choosing among the offered ones. */
  protocols?: readonly string[] | ((offered: string[]) => string | undefined);
  /** Exact `Origin` values accepted; `undefined` accepts any (and a missing one). */
  allowedOrigins?: readonly string[];
  /** Extra origin check, run after `allowedOrigins`; `false` refuses with 403. */
  checkOrigin?: (origin: string | null) => boolean;
  /**
   * Picks the extensions to accept from the client's offers and returns them
   * with the response parameters. By default no extension is accepted.
   */
  negotiateExtensions?: (offers: ExtensionOffer[]) => ExtensionOffer[];
  /**
   * Computes `Sec-WebSocket-Accept` for a key. Default: {@linkcode computeAcceptKey}
   * (Web Crypto). A runtime with a faster synchronous SHA-1 may pass its own
   * (Node's `crypto.subtle` runs on the thread pool, one hop per handshake).
   */
  computeAccept?: (key: string) => string | Promise<string>;
}

/**
 * An accepted handshake: what was negotiated and the headers of the 101.
 *
 * @example Reading the negotiated subprotocol
 * ```ts
 * import { acceptUpgrade, type HandshakeAcceptance } from "@omnisocket/core/protocol";
 *
 * const acceptance: HandshakeAcceptance = await acceptUpgrade({
 *   method: "GET",
 *   headers: new Headers({
 *     Host: "example.com",
 *     Upgrade: "websocket",
 *     Connection: "Upgrade",
 *     "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
 *     "Sec-WebSocket-Version": "13",
 *     "Sec-WebSocket-Protocol": "chat",
 *   }),
 * }, { protocols: ["chat"] });
 * console.log(acceptance.protocol); // "chat"
 * ```
 */
export interface HandshakeAcceptance {
  /** The client's `Sec-WebSocket-Key`. */
  key: string;
  /** The matching `Sec-WebSocket-Accept`. */
  accept: string;
  /** The chosen subprotocol, if any. */
  protocol: string | undefined;
  /** The accepted extensions with their response parameters. */
  extensions: ExtensionOffer[];
  /** Header fields of the 101: Upgrade, Connection, Sec-WebSocket-Accept, then protocol and extensions if any. */
  headers: [string, string][];
}

/**
 * Validates an upgrade request, applies the origin policy, negotiates the
 * subprotocol and extensions and computes `Sec-WebSocket-Accept`.
 *
 * Rejects with a {@linkcode ProtocolError} carrying the status to answer (see
 * {@linkcode validateUpgradeRequest}; 403 `ORIGIN_REFUSED`; 400
 * `INVALID_TOKEN_LIST` or `INVALID_EXTENSIONS` for malformed offers; 500
 * `UNOFFERED_SUBPROTOCOL` or `UNOFFERED_EXTENSION` when a callback answers
 * with something the client did not offer).
 *
 * @example Answering the RFC 6455 sample request
 * ```ts
 * import { acceptUpgrade, buildSwitchingProtocols } from "@omnisocket/core/protocol";
 *
 * const acceptance = await acceptUpgrade({
 *   method: "GET",
 *   httpVersion: "1.1",
 *   headers: new Headers({
 *     Host: "server.example.com",
 *     Upgrade: "websocket",
 *     Connection: "Upgrade",
 *     "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
 *     "Sec-WebSocket-Version": "13",
 *   }),
 * });
 * const response = buildSwitchingProtocols(acceptance); // bytes to write to the socket
 * console.log(response.length > 0); // true
 * ```
 */
export async function acceptUpgrade(
  request: UpgradeRequest,
  options: HandshakeOptions = {},
): Promise<HandshakeAcceptance> {
  return await acceptUpgradeNow(request, options);
}

/**
 * {@linkcode acceptUpgrade} without a promise where none is needed: when
 * `computeAccept` answers synchronously (as every adapter's does), the
 * acceptance itself is returned and a refusal is thrown. Adapters use it so
 * that a handshake costs no promise chain and no trip through the microtask
 * queue; with the default Web Crypto SHA-1 it returns a promise.
 *
 * @example
 * ```ts
 * import { acceptUpgradeNow } from "./accept_upgrade.ts";
 *
 * const acceptance = acceptUpgradeNow({
 *   method: "GET",
 *   headers: new Headers({
 *     Host: "example.com",
 *     Upgrade: "websocket",
 *     Connection: "Upgrade",
 *     "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
 *     "Sec-WebSocket-Version": "13",
 *   }),
 * }, { computeAccept: () => "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" });
 * console.log(acceptance instanceof Promise); // false
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function acceptUpgradeNow(
  request: UpgradeRequest,
  options: HandshakeOptions = {},
): HandshakeAcceptance | Promise<HandshakeAcceptance> {
  const key = validateUpgradeRequest(request);
  checkOrigin(request.headers.get("origin"), options);

  const protocolHeader = request.headers.get("sec-websocket-protocol");
  const offeredProtocols = protocolHeader === null ? [] : parseTokenList(protocolHeader);
  const protocol = options.protocols === undefined || offeredProtocols.length === 0
    ? undefined
    : selectSubprotocol(offeredProtocols, options.protocols);

  const extensionHeader = request.headers.get("sec-websocket-extensions");
  const offeredExtensions = extensionHeader === null ? [] : parseExtensions(extensionHeader);
  const extensions = options.negotiateExtensions === undefined || offeredExtensions.length === 0
    ? []
    : options.negotiateExtensions(offeredExtensions);
  const offered = (name: string) => offeredExtensions.some((offer) => offer.name === name);
  if (extensions.length > 0 && extensions.some((extension) => !offered(extension.name))) {
    throw new ProtocolError(
      "UNOFFERED_EXTENSION",
      "Cannot accept upgrade: negotiateExtensions accepted an extension the client did not offer",
      { status: 500 },
    );
  }

  const accept = (options.computeAccept ?? computeAcceptKey)(key);
  return typeof accept === "string"
    ? acceptance(key, accept, protocol, extensions)
    : accept.then((value) => acceptance(key, value, protocol, extensions));
}

function acceptance(
  key: string,
  accept: string,
  protocol: string | undefined,
  extensions: ExtensionOffer[],
): HandshakeAcceptance {
  const headers: [string, string][] = [
    ["Upgrade", "websocket"],
    ["Connection", "Upgrade"],
    ["Sec-WebSocket-Accept", accept],
  ];
  if (protocol !== undefined) headers.push(["Sec-WebSocket-Protocol", protocol]);
  if (extensions.length > 0) {
    headers.push(["Sec-WebSocket-Extensions", formatExtensions(extensions)]);
  }
  return { key, accept, protocol, extensions, headers };
}

function checkOrigin(origin: string | null, options: HandshakeOptions): void {
  const allowed = options.allowedOrigins === undefined ||
    (origin !== null && options.allowedOrigins.includes(origin));
  if (!allowed || (options.checkOrigin !== undefined && !options.checkOrigin(origin))) {
    throw new ProtocolError("ORIGIN_REFUSED", "Cannot accept upgrade: the origin is not allowed", {
      status: 403,
    });
  }
}
