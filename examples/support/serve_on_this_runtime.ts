/**
 * Serves a handler with the adapter of whichever runtime runs the file:
 * Deno → `Deno.serve`, Bun → `Bun.serve`, Node → `node:net`.
 *
 * @module
 */

import type { Handler, ServerOptions, WebSocketServer } from "../../mod.ts";
import type { TlsOptions } from "../../src/api/tls_options.ts";

/** Shared options plus where to listen and what answers plain HTTP. */
export interface ServeOptions extends ServerOptions {
  hostname: string;
  port: number;
  fetch?: (request: Request) => Response | Promise<Response>;
  /** Deno and Bun: their native WebSocket server, or omnisocket's engine over raw TCP. */
  engine?: "native" | "omnisocket";
  /** Serve TLS with this PEM certificate and key (Node: HTTP/2 and HTTP/1.1). */
  tls?: TlsOptions;
}

// deno-lint-ignore no-explicit-any
const runtime = globalThis as any;

/** The adapter name for this runtime: "deno", "bun" or "node". */
export const adapterName: "deno" | "bun" | "node" = runtime.Deno
  ? "deno"
  : runtime.Bun
  ? "bun"
  : "node";

/** Starts `handler` on this runtime's adapter. */
export async function serveOnThisRuntime<Data>(
  handler: Handler<Data>,
  options: ServeOptions,
): Promise<WebSocketServer> {
  const adapter = await import(`../../src/adapters/${adapterName}.ts`);
  // Node has one engine, ours; the option is for the runtimes that have two.
  const { engine, ...rest } = options;
  return await adapter.serve(handler, adapterName === "node" ? rest : { ...rest, engine });
}
