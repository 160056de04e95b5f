/**
 * The options of a standalone server (one that listens itself), shared by the
 * Node, Deno and Bun adapters.
 *
 * @module
 */

import type { ServerOptions } from "./server_options.ts";
import type { TlsOptions } from "./tls_options.ts";

/**
 * The shared {@linkcode ServerOptions} plus where and how to listen.
 *
 * @example
 * ```ts ignore
 * const options: StandaloneServeOptions = { port: 8080, hostname: "0.0.0.0" };
 * ```
 */
export interface StandaloneServeOptions extends ServerOptions {
  /** Port to listen on; 0 picks a free one. Default 8080. */
  port?: number;
  /** Address to listen on. Default "127.0.0.1". */
  hostname?: string;
  /**
   * Answers requests that are not WebSocket upgrades (no `Upgrade` header):
   * enough for a health check or a demo page. Default: none (such requests
   * get 426 on Deno and Bun, 400 on Node).
   */
  fetch?: (request: Request) => Response | Promise<Response>;
  /**
   * Serves TLS (`https:`, `wss:`) with this PEM certificate and key. Default:
   * none (plain TCP).
   */
  tls?: TlsOptions;
}

/**
 * {@linkcode StandaloneServeOptions} plus the choice of engine, on runtimes
 * that have a WebSocket server of their own (Deno, Bun).
 *
 * @example
 * ```ts ignore
 * const options: EngineServeOptions = { port: 8080, engine: "omnisocket" };
 * ```
 */
export interface EngineServeOptions extends StandaloneServeOptions {
  /**
   * `"native"` (default) upgrades through the runtime's own WebSocket server.
   * `"omnisocket"` serves raw TCP with omnisocket's protocol engine instead:
   * the strict RFC 6455 behaviour of the Node adapter (our conformance suite
   * passes in full), where the native servers deviate (README, capabilities).
   * TLS works with either.
   */
  engine?: "native" | "omnisocket";
}
