/**
 * The client side of the opening handshake (RFC 6455 §4.1): the request to
 * send and the checks of the server's answer.
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";
import type { ErrorCode } from "../errors/error_code.ts";
import { encodeBase64 } from "./base64.ts";
import { computeAcceptKey } from "./compute_accept_key.ts";
import type { ResponseHead } from "./http_head_parser.ts";
import { type HeaderFields, headerPairs } from "./header_pairs.ts";
import { isToken } from "./http_chars.ts";
import { encodeLatin1 } from "./latin1.ts";
import { type ExtensionOffer, formatExtensions, parseExtensions } from "./parse_extensions.ts";
import { tokenListIncludes } from "./token_list_includes.ts";

/**
 * What the client asks for beyond the bare handshake.
 *
 * @example Offering a subprotocol and sending an Origin
 * ```ts
 * import { type ClientHandshakeOptions, createClientHandshake } from "@omnisocket/core/protocol";
 *
 * const options: ClientHandshakeOptions = {
 *   protocols: ["chat"],
 *   headers: { Origin: "https://app.example.com" },
 * };
 * const handshake = await createClientHandshake("ws://localhost:8080/", options);
 * console.log(new TextDecoder().decode(handshake.request).includes("Sec-WebSocket-Protocol: chat")); // true
 * ```
 */
export interface ClientHandshakeOptions {
  /** Subprotocols to offer, most preferred first; each must be a token, no repeats. */
  protocols?: string[];
  /** Extensions to offer. */
  extensions?: ExtensionOffer[];
  /** Extra request headers (e.g. `Origin`, `Authorization`); handshake fields are refused. */
  headers?: HeaderFields;
}

/**
 * A prepared client handshake: the bytes to send and the check of the answer.
 *
 * @example Checking a parsed response head
 * ```ts
 * import { type ClientHandshake, createClientHandshake } from "@omnisocket/core/protocol";
 *
 * const handshake: ClientHandshake = await createClientHandshake("ws://localhost:8080/chat");
 * console.log(handshake.key.length); // 24
 * ```
 */
export interface ClientHandshake {
  /** The random `Sec-WebSocket-Key` sent. */
  key: string;
  /** The complete GET head to write to the connection. */
  request: Uint8Array;
  /**
   * Checks the server's response head and returns what was negotiated; throws
   * a {@linkcode ProtocolError} (`UNEXPECTED_STATUS`, `INVALID_UPGRADE`,
   * `INVALID_CONNECTION`, `INVALID_ACCEPT`, `UNOFFERED_SUBPROTOCOL`,
   * `UNOFFERED_EXTENSION`, or `INVALID_EXTENSIONS` for a malformed value).
   */
  verify(head: ResponseHead): { protocol: string | undefined; extensions: ExtensionOffer[] };
}

// The client sets these itself; letting `headers` repeat them would corrupt the handshake.
const HANDSHAKE_FIELDS = new Set([
  "host",
  "upgrade",
  "connection",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-protocol",
  "sec-websocket-extensions",
]);

/**
 * Prepares a client opening handshake for a `ws:` or `wss:` URL: a fresh
 * random key, the request head (`Host` with the port when it is not the
 * default, path and query as target), and a synchronous `verify` for the
 * response. Throws a {@linkcode ProtocolError} `INVALID_URL` for another
 * scheme or a URL with a fragment, `INVALID_SUBPROTOCOL` or `INVALID_HEADER`
 * for bad options.
 *
 * @example A round trip with a hand-written 101
 * ```ts
 * import {
 *   computeAcceptKey,
 *   createClientHandshake,
 *   HttpHeadParser,
 * } from "@omnisocket/core/protocol";
 * import type { ResponseHead } from "@omnisocket/core/protocol";
 *
 * const handshake = await createClientHandshake("ws://example.com/chat", { protocols: ["chat"] });
 * const accept = await computeAcceptKey(handshake.key);
 * const parser = new HttpHeadParser({ kind: "response" });
 * const head = parser.push(new TextEncoder().encode(
 *   "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
 *     `Sec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: chat\r\n\r\n`,
 * )) as ResponseHead;
 * console.log(handshake.verify(head).protocol); // "chat"
 * ```
 */
export async function createClientHandshake(
  url: string | URL,
  options: ClientHandshakeOptions = {},
): Promise<ClientHandshake> {
  const target = parseWebSocketUrl(url);
  const protocols = options.protocols ?? [];
  if (
    protocols.some((protocol) => !isToken(protocol)) || new Set(protocols).size !== protocols.length
  ) {
    throw new ProtocolError(
      "INVALID_SUBPROTOCOL",
      "Cannot create client handshake: subprotocols must be distinct tokens",
    );
  }
  const offeredExtensions = options.extensions ?? [];
  const fields: [string, string][] = [
    ["Host", target.host],
    ["Upgrade", "websocket"],
    ["Connection", "Upgrade"],
  ];
  const key = encodeBase64(crypto.getRandomValues(new Uint8Array(16)));
  fields.push(["Sec-WebSocket-Key", key], ["Sec-WebSocket-Version", "13"]);
  if (protocols.length > 0) fields.push(["Sec-WebSocket-Protocol", protocols.join(", ")]);
  if (offeredExtensions.length > 0) {
    fields.push(["Sec-WebSocket-Extensions", formatExtensions(offeredExtensions)]);
  }
  fields.push(
    ...headerPairs(options.headers, "create client handshake", { reserved: HANDSHAKE_FIELDS }),
  );

  let text = `GET ${target.pathname}${target.search} HTTP/1.1\r\n`;
  for (const [name, value] of fields) text += `${name}: ${value}\r\n`;
  const request = encodeLatin1(`${text}\r\n`);
  const expectedAccept = await computeAcceptKey(key);
  const offeredExtensionNames = new Set(offeredExtensions.map((offer) => offer.name));

  return {
    key,
    request,
    verify(head: ResponseHead): { protocol: string | undefined; extensions: ExtensionOffer[] } {
      if (head.status !== 101) {
        throw failure("UNEXPECTED_STATUS", `the server answered ${head.status}, not 101`);
      }
      if (!tokenListIncludes(head.headers.get("upgrade"), "websocket", true)) {
        throw failure("INVALID_UPGRADE", "the Upgrade header does not list websocket");
      }
      if (!tokenListIncludes(head.headers.get("connection"), "upgrade")) {
        throw failure("INVALID_CONNECTION", "the Connection header does not list upgrade");
      }
      if (head.headers.get("sec-websocket-accept") !== expectedAccept) {
        throw failure("INVALID_ACCEPT", "Sec-WebSocket-Accept does not match the key");
      }
      const protocol = head.headers.get("sec-websocket-protocol") ?? undefined;
      if (protocol !== undefined && !protocols.includes(protocol)) {
        throw failure("UNOFFERED_SUBPROTOCOL", "the server chose a subprotocol not offered");
      }
      const extensionHeader = head.headers.get("sec-websocket-extensions");
      const extensions = extensionHeader === null ? [] : parseExtensions(extensionHeader);
      if (extensions.some((extension) => !offeredExtensionNames.has(extension.name))) {
        throw failure("UNOFFERED_EXTENSION", "the server accepted an extension not offered");
      }
      return { protocol, extensions };
    },
  };
}

function parseWebSocketUrl(url: string | URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ProtocolError("INVALID_URL", "Cannot create client handshake: the URL is invalid", {
      cause: error,
    });
  }
  if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
    throw new ProtocolError(
      "INVALID_URL",
      "Cannot create client handshake: the URL scheme must be ws: or wss:",
    );
  }
  // href keeps an empty "#" that hash hides; a literal "#" can appear nowhere else in it.
  if (parsed.href.includes("#")) {
    throw new ProtocolError(
      "INVALID_URL",
      "Cannot create client handshake: the URL must not have a fragment",
    );
  }
  return parsed;
}

function failure(code: ErrorCode, reason: string): ProtocolError {
  return new ProtocolError(code, `Cannot complete client handshake: ${reason}`);
}
