// What hooks see of the upgrade request and of binary messages, on every
// runtime: the native adapters keep less than the runtime's own Request and
// take binary messages without copying, and must still show the same thing.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { runtimesUnderTest, startExample } from "../support/example_server.ts";
import { nextMessage, open } from "../support/ws_client.ts";
import type { PeerRequestReport } from "./peer_request_server.ts";

for (const runtime of runtimesUnderTest()) {
  describe(`peer.request on ${runtime}`, () => {
    test("peer.request shows the upgrade's method, URL and headers when a hook reads it", async () => {
      const server = await startExample({
        runtime,
        file: "tests/adapters/peer_request_server.ts",
      });
      try {
        const socket = await open(`${server.url}room/7?user=alice&x=%20y`, [], {
          headers: { "X-Trace": "abc 123", "Accept-Language": "de, en;q=0.5", Cookie: "a=1; b=2" },
        });
        const reply = nextMessage(socket);
        socket.send("hello");
        const report = JSON.parse((await reply).data.toString()) as PeerRequestReport;
        socket.close();
        assert.equal(report.method, "GET");
        assert.equal(report.url, `http://127.0.0.1:${server.port}/room/7?user=alice&x=%20y`);
        const headers = new Map(report.headers);
        assert.equal(headers.get("x-trace"), "abc 123");
        assert.equal(headers.get("accept-language"), "de, en;q=0.5");
        assert.equal(headers.get("cookie"), "a=1; b=2");
        assert.equal(headers.get("host"), `127.0.0.1:${server.port}`);
        assert.equal(headers.get("upgrade"), "websocket");
        assert.equal(headers.get("sec-websocket-version"), "13");
        assert.match(headers.get("sec-websocket-key") ?? "", /^[A-Za-z0-9+/]{22}==$/);
        assert.equal(report.sameRequestTwice, true);
      } finally {
        await server.stop();
      }
    });

    test("a binary message reaches the hook as a Uint8Array with its bytes", async () => {
      const server = await startExample({
        runtime,
        file: "tests/adapters/peer_request_server.ts",
      });
      try {
        const socket = await open(server.url);
        const reply = nextMessage(socket);
        socket.send(new Uint8Array([0, 1, 254, 255]));
        const report = JSON.parse((await reply).data.toString()) as PeerRequestReport;
        socket.close();
        assert.equal(report.isBinary, true);
        assert.equal(report.isUint8Array, true);
        // A plain Uint8Array on every runtime, never Node's Buffer subclass.
        assert.equal(report.plainUint8Array, true);
        assert.deepEqual(report.bytes, [0, 1, 254, 255]);
      } finally {
        await server.stop();
      }
    });
  });
}
