import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ProtocolError } from "../../../src/errors/protocol_error.ts";
import type { Extension } from "../../../src/protocol/extension.ts";
import { concat, hex, peerFrame } from "../frame/fixtures.ts";
import { closeFrameOf, feedEveryWay, open, ownFrame, ROLES } from "./harness.ts";

/** Owns RSV1; "decodes" by reversing the bytes and "encodes" likewise. */
const reversing: Extension = {
  name: "x-reverse",
  rsvBits: 0x40,
  decodeMessage: (payload) => payload.slice().reverse(),
  encodeMessage: (payload) => payload.slice().reverse(),
};

function deferred(): {
  promise: Promise<Uint8Array>;
  resolve: (value: Uint8Array) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: Uint8Array) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<Uint8Array>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("WebSocketConnection extensions", () => {
  for (const role of ROLES) {
    test(`${role} accepts RSV1 when an extension owns it and decodes the message`, () => {
      const bytes = concat(peerFrame(role, 0xc2, [1, 2, 3]), peerFrame(role, 0x82, [4, 5]));
      feedEveryWay(role, bytes, { events: [["binary", "03 02 01"], ["binary", "04 05"]] }, {
        extensions: [reversing],
      });
    });

    test(`${role} decodes a fragmented message whose first frame has RSV1`, () => {
      const bytes = concat(peerFrame(role, 0x41, "ol"), peerFrame(role, 0x80, "leh"));
      feedEveryWay(role, bytes, { events: [["text", "hello"]] }, { extensions: [reversing] });
    });

    test(`${role} fails RSV2 when the only extension owns RSV1`, () => {
      feedEveryWay(role, peerFrame(role, 0xa2, [1]), {
        events: [["error", "RESERVED_BITS", 1002], ["close", 1002, "", false]],
        output: closeFrameOf(role, 1002),
      }, { extensions: [reversing] });
    });

    test(`${role} validates text after the extension decodes it`, () => {
      feedEveryWay(role, peerFrame(role, 0xc1, [0xa0, 0xed]), {
        events: [["error", "INVALID_UTF8", 1007], ["close", 1007, "", false]],
        output: closeFrameOf(role, 1007),
      }, { extensions: [reversing] });
    });

    test(`${role} sets RSV1 on the first frame of messages the extension encodes`, () => {
      const { connection } = open(role, { extensions: [reversing], outgoingFragmentSize: 2 });
      connection.send(Uint8Array.of(1, 2, 3));
      assert.equal(
        hex(connection.takeOutput().flatMap((chunk) => [...chunk])),
        `${ownFrame(role, 0x42, [3, 2])} ${ownFrame(role, 0x80, [1])}`,
      );
    });
  }

  test("server fails a decoded message larger than maxMessageSize with 1009", () => {
    const inflating: Extension = {
      name: "x-inflate",
      rsvBits: 0x40,
      decodeMessage: () => new Uint8Array(11),
    };
    feedEveryWay("server", peerFrame("server", 0xc2, [1]), {
      events: [["error", "MESSAGE_TOO_LARGE", 1009], ["close", 1009, "", false]],
      output: closeFrameOf("server", 1009),
    }, { extensions: [inflating], maxMessageSize: 10 });
  });

  test("server holds later events in order while an extension decodes asynchronously", async () => {
    const pending = deferred();
    const later: Extension = {
      name: "x-async",
      rsvBits: 0x40,
      decodeMessage: () => pending.promise,
    };
    const { connection, recorder } = open("server", { extensions: [later] });
    connection.receive(concat(
      peerFrame("server", 0xc1, [0]),
      peerFrame("server", 0x81, "second"),
      peerFrame("server", 0x89, "p"),
      peerFrame("server", 0x88, [0x03, 0xe8]),
    ));
    // The pong and the close answer leave at once; only the listener waits.
    assert.equal(
      hex(connection.takeOutput().flatMap((chunk) => [...chunk])),
      "8a 01 70 88 02 03 e8",
    );
    assert.equal(connection.state, "closed");
    assert.deepEqual(recorder.events, []);
    pending.resolve(new TextEncoder().encode("first"));
    await tick();
    assert.deepEqual(recorder.events, [
      ["text", "first"],
      ["text", "second"],
      ["ping", "70"],
      ["close", 1000, "", true],
    ]);
  });

  test("server fails with the extension's close code when async decoding rejects", async () => {
    const pending = deferred();
    const failing: Extension = {
      name: "x-async",
      rsvBits: 0x40,
      decodeMessage: () => pending.promise,
    };
    const { connection, recorder } = open("server", { extensions: [failing] });
    connection.receive(concat(peerFrame("server", 0xc2, [0]), peerFrame("server", 0x81, "next")));
    pending.reject(
      new ProtocolError("MESSAGE_TOO_LARGE", "Cannot inflate: too big", { closeCode: 1009 }),
    );
    await tick();
    assert.deepEqual(recorder.events, [["error", "MESSAGE_TOO_LARGE", 1009], [
      "close",
      1009,
      "",
      false,
    ]]);
    assert.equal(hex(connection.takeOutput().flatMap((chunk) => [...chunk])), "88 02 03 f1");
    assert.equal(connection.shouldCloseTransport, true);
  });
});
