/**
 * Picks the client's connector for the runtime it runs on, loading it only
 * when needed, so the client entry also loads where neither exists (browsers,
 * workerd).
 *
 * @module
 */

import type { ClientConnector } from "../client/client_transport.ts";

let loaded: Promise<ClientConnector | null> | undefined;

/**
 * The connector for Deno, Node or Bun; null elsewhere (use the platform's WebSocket).
 *
 * @example
 * ```ts ignore
 * const connector = await loadClientConnector();
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function loadClientConnector(): Promise<ClientConnector | null> {
  return loaded ??= pick();
}

/**
 * True when this runtime has raw sockets for the client (Deno, Node, Bun).
 *
 * @example
 * ```ts ignore
 * if (!hasRawSockets()) useThePlatformWebSocket();
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function hasRawSockets(): boolean {
  const global = globalThis as {
    Deno?: { connect?: unknown };
    process?: { versions?: { node?: string } };
    navigator?: { userAgent?: string };
  };
  if (typeof global.Deno?.connect === "function") return true;
  // workerd sets process.versions.node under nodejs_compat but has no node:net servers to dial.
  if (global.navigator?.userAgent === "Cloudflare-Workers") return false;
  return typeof global.process?.versions?.node === "string";
}

async function pick(): Promise<ClientConnector | null> {
  if (!hasRawSockets()) return null;
  if (typeof (globalThis as { Deno?: unknown }).Deno === "object") {
    return (await import("./deno/deno_connect.ts")).denoConnector;
  }
  if (typeof (globalThis as { Bun?: unknown }).Bun === "object") {
    return (await import("./bun/bun_connect.ts")).bunConnector;
  }
  return (await import("./node/node_connect.ts")).nodeConnector;
}
