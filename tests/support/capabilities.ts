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
  /** The native server can negotiate permessage-deflate (Deno's cannot: `engine: "omnisocket"`). */
  perMessageDeflate: boolean;
  /** `perMessageDeflate: false` refuses compression (workerd compresses unless its compatibility flags say not to). */
  deflateOffByOption: boolean;
  /**
   * The compressing server checks RSV1 (on control and continuation frames, or when nothing
   * was negotiated: 1002) and answers invalid DEFLATE with 1007. workerd lets RSV1 through
   * there and answers invalid DEFLATE with 1002.
   */
  strictDeflateFraming: boolean;
}

export const CAPABILITIES: Record<Runtime | "workerd", Capabilities> = {
  node: {
    upgradeOn426: true,
    rejectsHttp10: true,
    serverPing: true,
    perMessageDeflate: true,
    deflateOffByOption: true,
    strictDeflateFraming: true,
  },
  deno: {
    upgradeOn426: true,
    rejectsHttp10: false,
    serverPing: false,
    perMessageDeflate: false,
    deflateOffByOption: true,
    strictDeflateFraming: true,
  },
  bun: {
    upgradeOn426: true,
    rejectsHttp10: false,
    serverPing: true,
    perMessageDeflate: true,
    deflateOffByOption: true,
    strictDeflateFraming: true,
  },
  workerd: {
    upgradeOn426: false,
    rejectsHttp10: false,
    serverPing: false,
    perMessageDeflate: true,
    deflateOffByOption: false,
    strictDeflateFraming: false,
  },
};
