import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { listenNodeTcp } from "../../../src/runtime/node/node_tcp.ts";

describe("listenNodeTcp", () => {
  test("listenNodeTcp ends a half-closed connection whose peer never sends its FIN", async () => {
    let closedAt = 0;
    let endedAt = 0;
    const listener = await listenNodeTcp({ hostname: "127.0.0.1", port: 0 }, (connection) => ({
      data() {
        connection.write([new TextEncoder().encode("bye")]);
        endedAt = Date.now();
        connection.close();
      },
      drained() {},
      closed() {
        closedAt = Date.now();
      },
    }));
    // allowHalfOpen: the client keeps its side open after the server's FIN.
    const client = connect({ host: "127.0.0.1", port: listener.port, allowHalfOpen: true });
    client.on("error", () => {});
    let received = "";
    client.on("data", (chunk: Uint8Array) => received += new TextDecoder().decode(chunk));
    client.on("connect", () => client.write("hi"));
    await new Promise((resolve) => client.once("end", resolve));
    assert.equal(received, "bye");
    assert.equal(closedAt, 0, "still lingering right after the FIN");
    const deadline = Date.now() + 5_000;
    while (closedAt === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    client.destroy();
    await listener.close();
    assert.ok(closedAt > 0, "the server ended the connection");
    const lingered = closedAt - endedAt;
    assert.ok(lingered >= 1_500 && lingered < 4_000, `lingered ${lingered} ms`);
  });
});
