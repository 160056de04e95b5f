/**
 * The bytes a server writes back: the 101 that opens the connection, or an
 * HTTP/1.1 rejection (also as a Web `Response` for runtimes with native upgrade).
 *
 * @module
 */

import type { ProtocolError } from "../errors/protocol_error.ts";
import type { HandshakeAcceptance } from "./accept_upgrade.ts";
import { type HeaderFields, headerPairs } from "./header_pairs.ts";
import { encodeLatin1 } from "./latin1.ts";

const REASON_PHRASES: ReadonlyMap<number, string> = new Map([
  [400, "Bad Request"],
  [401, "Unauthorized"],
  [403, "Forbidden"],
  [404, "Not Found"],
  [405, "Method Not Allowed"],
  [408, "Request Timeout"],
  [409, "Conflict"],
  [413, "Content Too Large"],
  [414, "URI Too Long"],
  [426, "Upgrade Required"],
  [429, "Too Many Requests"],
  [431, "Request Header Fields Too Large"],
  [500, "Internal Server Error"],
  [501, "Not Implemented"],
  [502, "Bad Gateway"],
  [503, "Service Unavailable"],
  [505, "HTTP Version Not Supported"],
]);

/**
 * The 101's own fields (lower-case): extra headers that repeated them would
 * contradict the handshake, so they are refused wherever extras are taken.
 *
 * @example
 * ```ts
 * import { HANDSHAKE_FIELDS } from "./build_responses.ts";
 * console.log(HANDSHAKE_FIELDS.has("sec-websocket-accept")); // true
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export const HANDSHAKE_FIELDS: ReadonlySet<string> = new Set([
  "upgrade",
  "connection",
  "sec-websocket-accept",
  "sec-websocket-protocol",
  "sec-websocket-extensions",
]);

/**
 * Builds the complete `HTTP/1.1 101 Switching Protocols` head for an accepted
 * handshake, ready to write to the socket.
 *
 * `extraHeaders` (e.g. `Set-Cookie`) are appended after the handshake fields in
 * the given order and case. Names must be tokens, values must not hold CR, LF
 * or other controls, and the handshake's own fields may not be repeated;
 * otherwise it throws a {@linkcode ProtocolError} with code `"INVALID_HEADER"`
 * and status 500.
 *
 * @example The RFC 6455 sample answer
 * ```ts
 * import { acceptUpgrade, buildSwitchingProtocols } from "@omnisocket/core/protocol";
 *
 * const acceptance = await acceptUpgrade({
 *   method: "GET",
 *   headers: new Headers({
 *     Host: "server.example.com",
 *     Upgrade: "websocket",
 *     Connection: "Upgrade",
 *     "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
 *     "Sec-WebSocket-Version": "13",
 *   }),
 * });
 * console.log(new TextDecoder().decode(buildSwitchingProtocols(acceptance)));
 * // "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
 * // + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
 * ```
 */
export function buildSwitchingProtocols(
  acceptance: HandshakeAcceptance,
  extraHeaders?: HeaderFields,
): Uint8Array {
  const extra = headerPairs(extraHeaders, "build response", {
    reserved: HANDSHAKE_FIELDS,
    status: 500,
  });
  return encodeHead("HTTP/1.1 101 Switching Protocols", [...acceptance.headers, ...extra]);
}

/**
 * Builds a complete HTTP/1.1 response refusing a handshake: status line with
 * the standard reason phrase, `Connection: close`, a UTF-8 plain-text body
 * (the error message unless `body` is given) with its `Content-Length`, and
 * the error's own headers (e.g. `Allow`, `Sec-WebSocket-Version`). An error
 * without a status is answered with 500. When those headers include `Upgrade`
 * (a 426), `Connection` reads `Upgrade, close`.
 *
 * @example Refusing a POST
 * ```ts
 * import { buildRejection, ProtocolError } from "@omnisocket/core/protocol";
 *
 * const error = new ProtocolError("METHOD_NOT_ALLOWED", "Cannot accept upgrade: use GET", {
 *   status: 405,
 *   headers: { Allow: "GET" },
 * });
 * const bytes = buildRejection(error);
 * console.log(new TextDecoder().decode(bytes).split("\r\n")[0]); // "HTTP/1.1 405 Method Not Allowed"
 * ```
 */
export function buildRejection(error: ProtocolError, body?: string): Uint8Array {
  const status = rejectionStatus(error);
  const content = new TextEncoder().encode(body ?? error.message);
  const extra = headerPairs(error.headers, "build response", { status: 500 });
  // RFC 9110 §7.8: whoever sends Upgrade (a 426 does) also lists it in Connection.
  const connection = extra.some(([name]) => name.toLowerCase() === "upgrade")
    ? "Upgrade, close"
    : "close";
  const head = encodeHead(`HTTP/1.1 ${status} ${REASON_PHRASES.get(status) ?? ""}`, [
    ["Connection", connection],
    ["Content-Type", "text/plain; charset=utf-8"],
    ["Content-Length", String(content.length)],
    ...extra,
  ]);
  const response = new Uint8Array(head.length + content.length);
  response.set(head);
  response.set(content, head.length);
  return response;
}

/**
 * The same rejection as {@linkcode buildRejection}, as a Web `Response` for
 * `Deno.serve`, `Bun.serve` or a worker's fetch handler. `Connection` is left
 * to the runtime, which owns the connection there.
 *
 * @example Refusing a handshake from Deno.serve or Bun.serve
 * ```ts
 * import { ProtocolError, rejectionResponse } from "@omnisocket/core/protocol";
 *
 * const response = rejectionResponse(
 *   new ProtocolError("ORIGIN_REFUSED", "Cannot accept upgrade: origin", { status: 403 }),
 * );
 * console.log(response.status); // 403
 * ```
 */
export function rejectionResponse(error: ProtocolError): Response {
  const headers = new Headers({ "Content-Type": "text/plain; charset=utf-8" });
  for (const [name, value] of headerPairs(error.headers, "build response", { status: 500 })) {
    headers.append(name, value);
  }
  return new Response(error.message, { status: rejectionStatus(error), headers });
}

function rejectionStatus(error: ProtocolError): number {
  const status = error.status;
  return status !== undefined && Number.isInteger(status) && status >= 400 && status <= 599
    ? status
    : 500;
}

function encodeHead(startLine: string, fields: readonly (readonly [string, string])[]): Uint8Array {
  let text = `${startLine}\r\n`;
  for (const [name, value] of fields) text += `${name}: ${value}\r\n`;
  return encodeLatin1(`${text}\r\n`);
}
