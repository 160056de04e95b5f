/**
 * A server for tests/adapters/peer_request.test.ts: answers every message
 * with what the hooks see of the upgrade request (`peer.request`) and of the
 * message itself, as JSON.
 *
 *   <runtime> tests/adapters/peer_request_server.ts --port 0
 *
 * @module
 */

import type { Handler } from "../../mod.ts";
import { exit, onShutdownSignal, serverAddressArgs } from "../../examples/support/runtime.ts";
import { serveOnThisRuntime } from "../../examples/support/serve_on_this_runtime.ts";

/** What the server reports for one message. */
export interface PeerRequestReport {
  method: string;
  url: string;
  headers: [string, string][];
  sameRequestTwice: boolean;
  isBinary: boolean;
  isUint8Array: boolean;
  plainUint8Array: boolean;
  bytes: number[];
}

const handler: Handler = {
  message(peer, message) {
    const request = peer.request;
    const data = message.data;
    const report: PeerRequestReport = {
      method: request.method,
      url: request.url,
      headers: [...request.headers],
      sameRequestTwice: peer.request === request,
      isBinary: message.isBinary,
      isUint8Array: data instanceof Uint8Array,
      plainUint8Array: typeof data !== "string" &&
        Object.getPrototypeOf(data) === Uint8Array.prototype,
      bytes: typeof data === "string" ? [] : [...data],
    };
    peer.send(JSON.stringify(report));
  },
};

const server = await serveOnThisRuntime(handler, serverAddressArgs());
console.log(`listening on ${server.url}`);
onShutdownSignal(async () => {
  await server.close();
  exit(0);
});
