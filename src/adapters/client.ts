/**
 * A WebSocket client on omnisocket's engine, as strict as the server: a
 * WHATWG-compatible {@linkcode WebSocket} and a {@linkcode WebSocketStream}
 * with backpressure, over each runtime's TCP/TLS (Node `node:net`/`node:tls`,
 * Deno `Deno.connect`/`connectTls`, Bun), loaded on first use. In browsers
 * and on workerd, `WebSocket` is the same interface over the platform's own.
 *
 * Beyond the browser's: headers, permessage-deflate (RFC 7692, client side),
 * `maxMessageSize`, `handshakeTimeout`, an `AbortSignal`, an HTTP CONNECT
 * proxy (`HTTPS_PROXY`/`NO_PROXY`), TLS options, `ping()` and pong events.
 * Redirects are not followed: a 3xx fails the handshake (`UNEXPECTED_STATUS`).
 *
 * @example Send one message and print the echo
 * ```ts ignore
 * import { WebSocket } from "@omnisocket/core/client";
 *
 * const socket = new WebSocket("ws://localhost:8080/");
 * socket.onopen = () => socket.send("hello");
 * socket.onmessage = (event) => {
 *   console.log(event.data);
 *   socket.close();
 * };
 * ```
 *
 * @module
 */

import { useClientConnectors } from "../client/client_connectors.ts";
import { hasRawSockets, loadClientConnector } from "../runtime/load_client_connector.ts";

// The client dials with the runtime's sockets (Deno, Node, Bun), the platform's WebSocket elsewhere.
useClientConnectors({ hasRawSockets, load: loadClientConnector });

export { WebSocket } from "../client/web_socket.ts";
export {
  type WebSocketCloseInfo,
  WebSocketStream,
  type WebSocketStreamConnection,
  type WebSocketStreamOptions,
} from "../client/web_socket_stream.ts";
export type { ClientDeflateOptions, WebSocketClientOptions } from "../client/client_options.ts";
export type { ClientTlsOptions } from "../client/client_transport.ts";
export type { HeaderFields } from "../handshake/header_pairs.ts";
export { ProtocolError } from "../errors/protocol_error.ts";
