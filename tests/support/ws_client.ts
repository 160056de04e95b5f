/**
 * Client-side helpers shared by the adapter suites: raw TCP exchanges for
 * handshakes a WebSocket client cannot send, and promise wrappers around the
 * `ws` client.
 *
 * @module
 */

import { connect } from "node:net";
import WebSocket from "ws";

const CRLF = "\r\n";

/** An HTTP response read off a raw socket. */
export interface RawResponse {
  /** The status code (0 when nothing came back). */
  status: number;
  /** The status line and header fields. */
  head: string;
  /** The body, as far as it was read. */
  body: string;
}

/**
 * Sends `lines` as a request head and resolves with the response: the head
 * alone for a 101, else head and body (by Content-Length, or until close).
 * Runtimes with native HTTP may keep the connection alive after a rejection,
 * so no close is awaited.
 */
export function rawExchange(port: number, lines: string[]): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(lines.join(CRLF) + CRLF + CRLF));
    let response = "";
    const settle = () => {
      socket.destroy();
      const end = response.indexOf(CRLF + CRLF);
      const head = end === -1 ? response : response.slice(0, end);
      resolve({
        status: Number(head.split(" ")[1] ?? 0),
        head,
        body: end === -1 ? "" : response.slice(end + 4),
      });
    };
    socket.on("data", (chunk) => {
      response += chunk.toString("latin1");
      const end = response.indexOf(CRLF + CRLF);
      if (end === -1) return;
      if (/^HTTP\/1\.\d 101 /.test(response)) return settle();
      const length = /\r\ncontent-length: *(\d+)/i.exec(response.slice(0, end));
      if (length && response.length >= end + 4 + Number(length[1])) settle();
    });
    socket.on("close", settle);
    socket.on("error", reject);
    socket.setTimeout(5000, () => reject(new Error("no answer within 5 s")));
  });
}

/** Opens a `ws` client and resolves once the handshake is done. */
export function open(
  url: string,
  protocols: string[] = [],
  options: WebSocket.ClientOptions = {},
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols, options);
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
  });
}

/** The next message the client receives. */
export function nextMessage(socket: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) =>
    socket.once("message", (data: Buffer, isBinary: boolean) => resolve({ data, isBinary }))
  );
}

/** The close code and reason the client ends with. */
export function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() }))
  );
}
