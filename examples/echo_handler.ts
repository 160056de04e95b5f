/**
 * The echo handler, shared unchanged by every runtime's entry point
 * (examples/echo.ts on Node, Deno and Bun; examples/echo_worker.ts on
 * Cloudflare Workers): every text or binary message comes back as it came.
 *
 * @module
 */

import type { Handler } from "../mod.ts";

/** Echoes each message with its type; text stays text, binary stays binary. */
export const echoHandler: Handler = {
  message(peer, message) {
    peer.send(message.data);
  },
};
