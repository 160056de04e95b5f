/**
 * Where runtimes truly differ, as explicit flags. The README's capability
 * table mirrors this file; tests assert each flag's side of the difference.
 *
 * @module
 */

import type { Runtime } from "./example_server.ts";

export interface Capabilities {
  /** The HTTP version of the upgrade request is visible, so HTTP/1.0 is refused with 400. */
  rejectsHttp10: boolean;
  /** `peer.ping()` sends a ping (Deno's and workerd's WebSocket have none). */
  serverPing: boolean;
  /**
   * A 426 reaches the client with the `Upgrade: websocket` the adapter set
   * (workerd's HTTP layer owns that header and drops it from every response but a 101).
   */
  upgradeOn426: boolean;
}

export const CAPABILITIES: Record<Runtime | "workerd", Capabilities> = {
  node: { upgradeOn426: true, rejectsHttp10: true, serverPing: true },
  deno: { upgradeOn426: true, rejectsHttp10: false, serverPing: false },
  bun: { upgradeOn426: true, rejectsHttp10: false, serverPing: true },
  workerd: { upgradeOn426: false, rejectsHttp10: false, serverPing: false },
};
