import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { clientFrame, concat, peerFrame } from "../frame/fixtures.ts";
import { closeFrameOf, feedEveryWay, open, ROLES } from "./harness.ts";

const INVALID_1007 = [["error", "INVALID_UTF8", 1007], ["close", 1007, "", false]];

describe("WebSocketConnection UTF-8 validation", () => {
  for (const role of ROLES) {
    test(`${role} accepts a code point split across fragments`, () => {
      const bytes = concat(
        peerFrame(role, 0x01, [0x41, 0xe2]),
        peerFrame(role, 0x00, [0x82]),
        peerFrame(role, 0x80, [0xac, 0x42]),
      );
      feedEveryWay(role, bytes, { events: [["text", "A€B"]], output: "" });
    });

    for (
      const [name, payload] of [
        ["an overlong", [0xc0, 0xaf]],
        ["a surrogate", [0xed, 0xa0, 0x80]],
        ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
        ["a lone continuation byte", [0x41, 0x80]],
      ] as const
    ) {
      test(`${role} fails a text message with ${name} with 1007`, () => {
        feedEveryWay(role, peerFrame(role, 0x81, payload), {
          events: INVALID_1007,
          output: closeFrameOf(role, 1007),
        });
      });
    }

    test(`${role} fails text that ends inside a code point with 1007`, () => {
      const bytes = concat(peerFrame(role, 0x01, [0x41, 0xe2]), peerFrame(role, 0x80, [0x82]));
      feedEveryWay(role, bytes, { events: INVALID_1007, output: closeFrameOf(role, 1007) });
    });

    test(`${role} fails invalid text inside a fragmented message before it ends`, () => {
      const bytes = concat(peerFrame(role, 0x01, "ok"), peerFrame(role, 0x00, [0xff]));
      feedEveryWay(role, bytes, { events: INVALID_1007, output: closeFrameOf(role, 1007) });
    });
  }

  test("server fails invalid text mid-frame, before the rest of the frame arrives", () => {
    const payload = new Uint8Array(1000).fill(0x41);
    payload[10] = 0xff;
    const frame = clientFrame(0x81, payload);
    const { connection, recorder } = open("server");
    connection.receive(frame.slice(0, 40));
    assert.deepEqual(recorder.events, INVALID_1007);
    assert.equal(connection.shouldCloseTransport, true);
    assert.equal(
      connection.takeOutput().flatMap((chunk) => [...chunk]).join(","),
      [0x88, 0x02, 0x03, 0xef].join(","),
    );
  });
});
