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
}

export const CAPABILITIES: Record<Runtime | "workerd", Capabilities> = {
  node: { rejectsHttp10: true, serverPing: true },
  deno: { rejectsHttp10: false, serverPing: false },
  bun: { rejectsHttp10: false, serverPing: true },
  workerd: { rejectsHttp10: false, serverPing: false },
};
