/**
 * A request head as one small byte array, for keeping it for the life of a
 * connection: the parsed form holds a string per name and value plus a map,
 * several times the size, for something read rarely (`peer.request`).
 *
 * @module
 */

import type { RequestHead } from "./http_head_parser.ts";
import { encodeLatin1 } from "./latin1.ts";

/**
 * Serializes `head` back to its wire form (names lower-cased, `rest`
 * dropped), ready for {@linkcode HttpHeadParser} to parse again.
 *
 * @example
 * ```ts
 * import { HttpHeadParser, type RequestHead } from "@omnisocket/core/protocol";
 * import { requestHeadBytes } from "./request_head_bytes.ts";
 *
 * const wire = new TextEncoder().encode("GET /chat HTTP/1.1\r\nHost: a\r\n\r\n");
 * const head = new HttpHeadParser({ kind: "request" }).push(wire) as RequestHead;
 * const kept = requestHeadBytes(head);
 * const again = new HttpHeadParser({ kind: "request" }).push(kept) as RequestHead;
 * again.headers.get("host"); // "a"
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function requestHeadBytes(head: RequestHead): Uint8Array {
  let text = `${head.method} ${head.target} HTTP/${head.httpVersion}\r\n`;
  for (const [name, value] of head.headers.entries()) text += `${name}: ${value}\r\n`;
  return encodeLatin1(`${text}\r\n`);
}
