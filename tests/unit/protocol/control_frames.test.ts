import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { concat, peerFrame } from "../frame/fixtures.ts";
import { closeFrameOf, feed, feedEveryWay, ownFrame, ROLES } from "./harness.ts";

describe("WebSocketConnection control frames", () => {
  test("server answers the RFC 6455 §5.7 ping Hello with an unmasked pong Hello", () => {
    feedEveryWay("server", peerFrame("server", 0x89, "Hello"), {
      events: [["ping", "48 65 6c 6c 6f"]],
      output: "8a 05 48 65 6c 6c 6f",
    });
  });

  test("client answers the RFC 6455 §5.7 unmasked ping Hello with a masked pong", () => {
    feedEveryWay("client", Uint8Array.of(0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f), {
      events: [["ping", "48 65 6c 6c 6f"]],
      output: "8a 85 37 fa 21 3d 7f 9f 4d 51 58",
    });
  });

  for (const role of ROLES) {
    test(`${role} answers every ping in order with the same payload`, () => {
      const bytes = concat(
        peerFrame(role, 0x89, [1]),
        peerFrame(role, 0x89),
        peerFrame(role, 0x89, new Uint8Array(125).fill(7)),
      );
      feedEveryWay(role, bytes, {
        events: [["ping", "01"], ["ping", ""], ["ping", Array(125).fill("07").join(" ")]],
        output: [
          ownFrame(role, 0x8a, [1]),
          ownFrame(role, 0x8a),
          ownFrame(role, 0x8a, new Uint8Array(125).fill(7)),
        ].join(" "),
      });
    });

    test(`${role} handles a ping between the fragments of a message`, () => {
      const bytes = concat(
        peerFrame(role, 0x01, "Hel"),
        peerFrame(role, 0x89, "Hi"),
        peerFrame(role, 0x8a, "Po"),
        peerFrame(role, 0x80, "lo"),
      );
      feedEveryWay(role, bytes, {
        events: [["ping", "48 69"], ["pong", "50 6f"], ["text", "Hello"]],
        output: ownFrame(role, 0x8a, "Hi"),
      });
    });

    test(`${role} only reports pings when autoPong is false`, () => {
      feedEveryWay(role, peerFrame(role, 0x89, [9]), { events: [["ping", "09"]], output: "" }, {
        autoPong: false,
      });
    });

    test(`${role} accepts an unsolicited pong without answering`, () => {
      feedEveryWay(role, peerFrame(role, 0x8a, [5, 6]), {
        events: [["pong", "05 06"]],
        output: "",
      });
    });

    test(`${role} fails a ping longer than 125 bytes with 1002`, () => {
      const header = role === "server"
        ? [0x89, 0xfe, 0x00, 0x7e, 1, 2, 3, 4]
        : [0x89, 0x7e, 0x00, 0x7e];
      feedEveryWay(role, Uint8Array.from(header), {
        events: [["error", "CONTROL_FRAME_TOO_LONG", 1002], ["close", 1002, "", false]],
        output: closeFrameOf(role, 1002),
      });
    });

    test(`${role} fails a fragmented ping with 1002`, () => {
      feedEveryWay(role, peerFrame(role, 0x09, [1]), {
        events: [["error", "FRAGMENTED_CONTROL_FRAME", 1002], ["close", 1002, "", false]],
        output: closeFrameOf(role, 1002),
      });
    });
  }

  test("connection ping and pong queue control frames and refuse payloads over 125 bytes", () => {
    const run = feed("server", []);
    assert.equal(run.connection.ping("hi"), true);
    assert.equal(run.connection.pong(Uint8Array.of(1)), true);
    assert.equal(run.connection.ping(), true);
    assert.equal(
      run.connection.takeOutput().flatMap((chunk) => [...chunk]).join(","),
      [0x89, 2, 0x68, 0x69, 0x8a, 1, 1, 0x89, 0].join(","),
    );
    assert.throws(() => run.connection.ping(new Uint8Array(126)), {
      code: "CONTROL_FRAME_TOO_LONG",
    });
  });
});
