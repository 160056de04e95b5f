import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { concat, hex, peerFrame } from "../frame/fixtures.ts";
import { closeFrameOf, feed, feedEveryWay, open, ownFrame, ROLES } from "./harness.ts";

function closePayload(code: number, reason: number[] = []): number[] {
  return [code >>> 8, code & 0xff, ...reason];
}

describe("WebSocketConnection close handshake", () => {
  for (const role of ROLES) {
    test(`${role} echoes the peer's close code and reason and reports a clean close`, () => {
      feedEveryWay(
        role,
        peerFrame(role, 0x88, closePayload(1001, [0x62, 0x79, 0x65])),
        {
          events: [["close", 1001, "bye", true]],
          output: ownFrame(role, 0x88, closePayload(1001, [0x62, 0x79, 0x65])),
        },
        {},
        (run) => {
          assert.equal(run.connection.state, "closed");
          assert.equal(run.connection.closeReceived, true);
          assert.equal(run.connection.closeSent, true);
          assert.equal(run.connection.shouldCloseTransport, role === "server");
        },
      );
    });

    test(`${role} reports an empty close as 1005 and answers with an empty close`, () => {
      feedEveryWay(role, peerFrame(role, 0x88), {
        events: [["close", 1005, "", true]],
        output: closeFrameOf(role),
      });
    });

    for (const code of [1000, 1003, 1007, 1014, 3000, 4999]) {
      test(`${role} accepts close code ${code} from the peer`, () => {
        const run = feed(role, [peerFrame(role, 0x88, closePayload(code))]);
        assert.deepEqual(run.events, [["close", code, "", true]]);
        assert.equal(run.output, closeFrameOf(role, code));
      });
    }

    for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535]) {
      test(`${role} fails close code ${code} from the peer with 1002`, () => {
        feedEveryWay(role, peerFrame(role, 0x88, closePayload(code)), {
          events: [["error", "INVALID_CLOSE_CODE", 1002], ["close", 1002, "", false]],
          output: closeFrameOf(role, 1002),
        });
      });
    }

    test(`${role} fails a 1-byte close payload with 1002`, () => {
      feedEveryWay(role, peerFrame(role, 0x88, [0x03]), {
        events: [["error", "INVALID_CLOSE_PAYLOAD", 1002], ["close", 1002, "", false]],
        output: closeFrameOf(role, 1002),
      });
    });

    test(`${role} fails a close reason that is not UTF-8 with 1007`, () => {
      feedEveryWay(role, peerFrame(role, 0x88, closePayload(1000, [0xce, 0xba, 0xed, 0xa0])), {
        events: [["error", "INVALID_CLOSE_REASON", 1007], ["close", 1007, "", false]],
        output: closeFrameOf(role, 1007),
      });
    });

    test(`${role} ignores everything after the peer's close frame`, () => {
      const bytes = concat(
        peerFrame(role, 0x88, closePayload(1000)),
        peerFrame(role, 0x81, "late"),
        peerFrame(role, 0x89, "p"),
        Uint8Array.of(0xff, 0xff),
      );
      feedEveryWay(role, bytes, {
        events: [["close", 1000, "", true]],
        output: closeFrameOf(role, 1000),
      });
    });

    test(`${role} completes a close it started when the peer answers`, () => {
      const { connection, recorder } = open(role);
      connection.close(4000, "done");
      assert.equal(connection.state, "closing");
      assert.equal(connection.closeSent, true);
      assert.equal(connection.shouldCloseTransport, false);
      const sent = hex(connection.takeOutput().flatMap((chunk) => [...chunk]));
      assert.equal(sent.slice(0, 2), "88");
      // Data arriving while closing is dropped; pings are not answered.
      connection.receive(peerFrame(role, 0x81, "ignored"));
      connection.receive(peerFrame(role, 0x01, "half"));
      connection.receive(peerFrame(role, 0x89, "p"));
      connection.receive(peerFrame(role, 0x88, closePayload(4000)));
      assert.deepEqual(recorder.events, [["close", 4000, "", true]]);
      assert.equal(connection.state, "closed");
      assert.equal(connection.hasOutput, false);
      assert.equal(connection.shouldCloseTransport, role === "server");
    });

    test(`${role} sends nothing after its close frame`, () => {
      const { connection } = open(role);
      connection.close();
      connection.takeOutput();
      assert.equal(connection.send("late"), false);
      assert.equal(connection.send(Uint8Array.of(1)), false);
      assert.equal(connection.ping(), false);
      assert.equal(connection.pong(), false);
      connection.close(1000);
      assert.equal(connection.hasOutput, false);
    });
  }

  test("server close() writes the code and reason, big-endian", () => {
    const { connection } = open("server");
    connection.close(1000, "bye");
    assert.equal(
      hex(connection.takeOutput().flatMap((chunk) => [...chunk])),
      "88 05 03 e8 62 79 65",
    );
  });

  test("connection close() refuses codes that may not be sent and reasons over 123 bytes", () => {
    const { connection } = open("server");
    for (const code of [0, 999, 1004, 1005, 1006, 1015, 2000, 5000]) {
      assert.throws(() => connection.close(code), { code: "INVALID_CLOSE_CODE" }, String(code));
    }
    assert.throws(() => connection.close(1000, "é".repeat(62)), { code: "CLOSE_REASON_TOO_LONG" });
    connection.close(1000, "x".repeat(123));
    assert.equal(connection.state, "closing");
  });

  test("connection fail() sends the code, ends the connection and reports an unclean close", () => {
    const { connection, recorder } = open("server");
    connection.fail(1008, "policy");
    assert.deepEqual(recorder.events, [["close", 1008, "policy", false]]);
    assert.equal(
      hex(connection.takeOutput().flatMap((chunk) => [...chunk])),
      "88 08 03 f0 70 6f 6c 69 63 79",
    );
    assert.equal(connection.state, "closed");
    assert.equal(connection.shouldCloseTransport, true);
    connection.fail(1011);
    connection.receive(peerFrame("server", 0x81, "x"));
    assert.equal(recorder.events.length, 1, "onClose exactly once, nothing after");
  });

  test("connection fail() while closing reports the failure without a second close frame", () => {
    const { connection, recorder } = open("client");
    connection.close(1000);
    connection.takeOutput();
    connection.fail(1011);
    assert.equal(connection.hasOutput, false);
    assert.deepEqual(recorder.events, [["close", 1011, "", false]]);
    assert.equal(connection.shouldCloseTransport, true);
  });

  test("client fails an invalid close code answering its own close without a second frame", () => {
    const { connection, recorder } = open("client");
    connection.close(1000);
    connection.takeOutput();
    connection.receive(peerFrame("client", 0x88, closePayload(1005)));
    assert.deepEqual(recorder.events, [["error", "INVALID_CLOSE_CODE", 1002], [
      "close",
      1002,
      "",
      false,
    ]]);
    assert.equal(connection.hasOutput, false);
  });
});
