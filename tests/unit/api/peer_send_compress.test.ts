import { test } from "node:test";
import assert from "node:assert/strict";
import { PeerSession } from "../../../src/api/peer_session.ts";
import { resolveServerOptions } from "../../../src/api/server_options.ts";
import type { PeerTransport } from "../../../src/api/peer.ts";

test("peer.send hands the compress wish to the transport, undefined when none is given", () => {
  const wishes: (boolean | undefined)[] = [];
  const transport: PeerTransport = {
    send(_data, compress) {
      wishes.push(compress);
      return 0;
    },
    ping() {},
    close() {},
    terminate() {},
    bufferedAmount: 0,
  };
  const session = new PeerSession({}, transport, {
    request: new Request("http://x/"),
    data: undefined,
    protocol: "",
    extensions: "permessage-deflate",
    remoteAddress: "",
  }, { options: resolveServerOptions({ heartbeatInterval: 0, perMessageDeflate: true }) });
  session.opened();
  const peer = session.peer;
  assert.equal(peer.extensions, "permessage-deflate");
  assert.equal(peer.send("a"), true);
  assert.equal(peer.send("b", { compress: false }), true);
  assert.equal(peer.send(new Uint8Array(3), { compress: true }), true);
  assert.deepEqual(wishes, [undefined, false, true]);
});
