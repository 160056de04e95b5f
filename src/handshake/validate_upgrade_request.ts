/**
 * The server's checks of an opening handshake request (RFC 6455 §4.2.1).
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";
import type { ErrorCode } from "../errors/error_code.ts";
import { type HeaderLookup, HeaderMap } from "./header_map.ts";
import { tokenListIncludes } from "./token_list_includes.ts";

/**
 * What the handshake needs to know about a request, whichever way it arrived:
 * a parsed {@linkcode RequestHead} fits as is, and
 * {@linkcode upgradeRequestFromRequest} adapts a Web `Request`.
 *
 * @example From a parsed head or by hand
 * ```ts
 * import type { UpgradeRequest } from "@omnisocket/core/protocol";
 *
 * const request: UpgradeRequest = {
 *   method: "GET",
 *   httpVersion: "1.1",
 *   headers: new Headers({ Host: "example.com" }),
 *   url: "/chat",
 * };
 * console.log(request.method); // "GET"
 * ```
 */
export type UpgradeRequest = {
  /** Request method, e.g. `"GET"`. */
  method: string;
  /** `"1.1"` and the like; `undefined` when the runtime does not tell (Web `Request`). */
  httpVersion?: string;
  /** The request's header fields. */
  headers: HeaderLookup;
  /** Request target or full URL, for the application's routing; not checked here. */
  url?: string;
};

const KEY_LENGTH = 24;

/**
 * Checks that a request is a valid WebSocket opening handshake and returns its
 * `Sec-WebSocket-Key`. Failures throw a {@linkcode ProtocolError} with the
 * status to answer: 405 (`Allow: GET`) for another method, 426
 * (`Upgrade: websocket`, `Sec-WebSocket-Version: 13`) for a missing or other version, 400 otherwise
 * (codes `UNSUPPORTED_HTTP_VERSION`, `MISSING_HOST`, `DUPLICATE_HOST`,
 * `INVALID_UPGRADE`, `INVALID_CONNECTION`, `MISSING_KEY`, `DUPLICATE_KEY`,
 * `INVALID_KEY`).
 *
 * @example Validating the RFC 6455 sample request
 * ```ts
 * import { validateUpgradeRequest } from "@omnisocket/core/protocol";
 *
 * const key = validateUpgradeRequest({
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
 * console.log(key); // "dGhlIHNhbXBsZSBub25jZQ=="
 * ```
 */
export function validateUpgradeRequest(request: UpgradeRequest): string {
  const { headers } = request;
  if (request.method !== "GET") {
    throw new ProtocolError("METHOD_NOT_ALLOWED", "Cannot accept upgrade: the method must be GET", {
      status: 405,
      headers: { Allow: "GET" },
    });
  }
  if (request.httpVersion !== undefined && !isAtLeastHttp11(request.httpVersion)) {
    throw badRequest("UNSUPPORTED_HTTP_VERSION", "the request must be HTTP/1.1 or later");
  }
  if (countOf(headers, "host") > 1) throw badRequest("DUPLICATE_HOST", "Host appears twice");
  if ((headers.get("host") ?? "").trim() === "") {
    throw badRequest("MISSING_HOST", "the Host header is missing or empty");
  }
  if (!tokenListIncludes(headers.get("upgrade"), "websocket", true)) {
    throw badRequest("INVALID_UPGRADE", "the Upgrade header must list websocket");
  }
  if (!tokenListIncludes(headers.get("connection"), "upgrade")) {
    throw badRequest("INVALID_CONNECTION", "the Connection header must list upgrade");
  }
  const key = headers.get("sec-websocket-key");
  if (key === null) throw badRequest("MISSING_KEY", "Sec-WebSocket-Key is missing");
  if (countOf(headers, "sec-websocket-key") > 1) {
    throw badRequest("DUPLICATE_KEY", "Sec-WebSocket-Key appears twice");
  }
  if (!isCanonicalKey(key)) {
    throw badRequest("INVALID_KEY", "Sec-WebSocket-Key must be base64 of 16 bytes");
  }
  if (headers.get("sec-websocket-version") !== "13") {
    throw new ProtocolError(
      "UNSUPPORTED_VERSION",
      "Cannot accept upgrade: Sec-WebSocket-Version must be 13",
      // RFC 9110 §15.5.22: a 426 must name the protocol to upgrade to.
      { status: 426, headers: { Upgrade: "websocket", "Sec-WebSocket-Version": "13" } },
    );
  }
  return key;
}

// Web Headers cannot count field lines; there duplicates arrive joined with
// ", ", which the later value checks refuse anyway.
function countOf(headers: HeaderLookup, name: string): number {
  return headers instanceof HeaderMap ? headers.count(name) : 0;
}

function isAtLeastHttp11(version: string): boolean {
  const match = /^(\d)\.(\d)$/.exec(version);
  if (match === null) return false;
  const major = Number(match[1]);
  return major > 1 || (major === 1 && Number(match[2]) >= 1);
}

// Canonical base64 of 16 bytes: 22 significant characters then "==". 16
// bytes fill 128 of the 132 bits those characters carry, so the last one must
// leave its low 4 bits zero ("A", "Q", "g" or "w"), or re-encoding would not
// give the key back. Checked by hand: atob + btoa cost a string each.
function isCanonicalKey(key: string): boolean {
  if (key.length !== KEY_LENGTH || !key.endsWith("==")) return false;
  for (let i = 0; i < KEY_LENGTH - 2; i++) {
    const value = base64Value(key.charCodeAt(i));
    if (value < 0 || (i === KEY_LENGTH - 3 && (value & 0x0f) !== 0)) return false;
  }
  return true;
}

function base64Value(code: number): number {
  if (code >= 0x41 && code <= 0x5a) return code - 0x41; // A-Z
  if (code >= 0x61 && code <= 0x7a) return code - 0x61 + 26; // a-z
  if (code >= 0x30 && code <= 0x39) return code - 0x30 + 52; // 0-9
  if (code === 0x2b) return 62; // +
  if (code === 0x2f) return 63; // /
  return -1;
}

function badRequest(code: ErrorCode, reason: string): ProtocolError {
  return new ProtocolError(code, `Cannot accept upgrade: ${reason}`, { status: 400 });
}
