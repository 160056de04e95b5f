/**
 * TLS for the standalone servers: the same shape on every adapter.
 *
 * @module
 */

/**
 * Certificate and key, PEM-encoded, for a server that serves `https:` and
 * `wss:` itself. On Node the server then speaks HTTP/2 too (ALPN `h2`, with
 * `http/1.1` on the same port) and serves WebSockets over both (RFC 8441);
 * Deno and Bun serve HTTP/1.1 over TLS.
 *
 * @example
 * ```ts ignore
 * import { serve } from "omnisocket/node";
 * import { readFileSync } from "node:fs";
 * await serve(handler, {
 *   port: 8443,
 *   tls: { cert: readFileSync("cert.pem", "utf8"), key: readFileSync("key.pem", "utf8") },
 * });
 * ```
 */
export interface TlsOptions {
  /** The certificate chain, PEM. */
  cert: string;
  /** The private key, PEM. */
  key: string;
}
