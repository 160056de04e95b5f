/**
 * A Web `Response` as HTTP/1.1 bytes, for servers that own the raw socket.
 *
 * @module
 */

import { encodeLatin1 } from "../handshake/latin1.ts";

/**
 * Serializes `response` as a complete HTTP/1.1 message with
 * `Content-Length` and `Connection: close` (the connection ends after it).
 * Used where a hook or a `fetch` fallback answers a raw-socket request.
 *
 * @example
 * ```ts
 * import { serializeResponse } from "./serialize_response.ts";
 *
 * const bytes = await serializeResponse(new Response("no", { status: 401 }));
 * console.log(new TextDecoder().decode(bytes).split("\r\n")[0]); // "HTTP/1.1 401 "
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export async function serializeResponse(response: Response): Promise<Uint8Array> {
  const body = new Uint8Array(await response.arrayBuffer());
  let head = `HTTP/1.1 ${response.status} ${response.statusText}\r\n`;
  response.headers.forEach((value, name) => {
    // Framing is ours to decide: the body is sent whole, then the connection closes.
    if (name === "content-length" || name === "connection" || name === "transfer-encoding") return;
    head += `${name}: ${value}\r\n`;
  });
  head += `content-length: ${body.length}\r\nconnection: close\r\n\r\n`;
  const headBytes = encodeLatin1(head);
  const bytes = new Uint8Array(headBytes.length + body.length);
  bytes.set(headBytes);
  bytes.set(body, headBytes.length);
  return bytes;
}
