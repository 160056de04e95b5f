import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { clientFrame, concat, peerFrame } from "../frame/fixtures.ts";
import { WebSocketConnection } from "../../../src/protocol/websocket_connection.ts";
import { closeFrameOf, feedEveryWay, ROLES } from "./harness.ts";

describe("WebSocketConnection failures", () => {
  for (const role of ROLES) {
    test(`${role} delivers events before a failure in the same chunk and none after`, () => {
      const bytes = concat(
        peerFrame(role, 0x81, "before"),
        peerFrame(role, 0x89, [1]),
        Uint8Array.of(0x83, 0x00), // reserved opcode 3
        peerFrame(role, 0x81, "after"),
      );
      feedEveryWay(
        role,
        bytes,
        {
          events: [
            ["text", "before"],
            ["ping", "01"],
            ["error", "RESERVED_OPCODE", 1002],
            ["close", 1002, "", false],
          ],
          output: `${role === "server" ? "8a 01 01" : "8a 81 37 fa 21 3d 36"} ${
            closeFrameOf(role, 1002)
          }`,
        },
        {},
        (run) => {
          assert.equal(run.connection.state, "closed");
          assert.equal(run.connection.shouldCloseTransport, true);
        },
      );
    });

    test(`${role} fails RSV1 without an extension with 1002`, () => {
      feedEveryWay(role, peerFrame(role, 0xc1, "x"), {
        events: [["error", "RESERVED_BITS", 1002], ["close", 1002, "", false]],
        output: closeFrameOf(role, 1002),
      });
    });

    test(`${role} fails a 64-bit length with the top bit set with 1002`, () => {
      const maskBit = role === "server" ? 0x80 : 0;
      const key = role === "server" ? [1, 2, 3, 4] : [];
      const header = [0x82, maskBit | 127, 0x80, 0, 0, 0, 0, 0, 0, 1, ...key];
      feedEveryWay(role, Uint8Array.from(header), {
        events: [["error", "INVALID_FRAME_LENGTH", 1002], ["close", 1002, "", false]],
        output: closeFrameOf(role, 1002),
      });
    });
  }

  test("server fails an unmasked frame with 1002", () => {
    feedEveryWay("server", Uint8Array.of(0x81, 0x01, 0x41), {
      events: [["error", "UNMASKED_FRAME", 1002], ["close", 1002, "", false]],
      output: closeFrameOf("server", 1002),
    });
  });

  test("client fails a masked frame with 1002", () => {
    feedEveryWay("client", clientFrame(0x81, "A"), {
      events: [["error", "MASKED_FRAME", 1002], ["close", 1002, "", false]],
      output: closeFrameOf("client", 1002),
    });
  });

  test("connection fails with 1011 and rethrows when a listener throws", () => {
    const closes: unknown[] = [];
    const connection = new WebSocketConnection({
      onMessage() {
        throw new TypeError("handler bug");
      },
      onClose: (...args) => closes.push(args),
    }, { role: "server" });
    assert.throws(() => connection.receive(clientFrame(0x81, "x")), TypeError);
    assert.deepEqual(closes, [[1011, "", false]]);
    assert.equal(
      connection.takeOutput().flatMap((chunk) => [...chunk]).join(","),
      "136,2,3,243",
    );
  });
});
