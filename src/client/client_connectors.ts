/**
 * Where the client finds the runtime's sockets. The client layer sits above
 * the runtime plumbing, so it does not import it: each entry point that ships
 * the client (`/client`, `/topic-client`) hands it the runtime's connector
 * source once, when it is loaded. Without one (a bundle for browsers) the
 * client runs on the platform's `WebSocket`.
 *
 * @module
 */

import type { ClientConnector } from "./client_transport.ts";

/**
 * What an entry point provides: whether this runtime has raw sockets (Deno,
 * Node, Bun), and the connector for them, loaded on first use.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface ClientConnectorSource {
  hasRawSockets(): boolean;
  load(): Promise<ClientConnector | null>;
}

const PLATFORM_ONLY: ClientConnectorSource = {
  hasRawSockets: () => false,
  load: () => Promise.resolve(null),
};

let source: ClientConnectorSource = PLATFORM_ONLY;

/**
 * Sets the connector source; called by the client's entry points at load time.
 *
 * @example
 * ```ts ignore
 * useClientConnectors({ hasRawSockets, load: loadClientConnector });
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function useClientConnectors(connectors: ClientConnectorSource): void {
  source = connectors;
}

/**
 * The connector source in use (the platform's `WebSocket` only, until an entry point sets one).
 *
 * @example
 * ```ts ignore
 * if (!clientConnectors().hasRawSockets()) useThePlatformWebSocket();
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function clientConnectors(): ClientConnectorSource {
  return source;
}
