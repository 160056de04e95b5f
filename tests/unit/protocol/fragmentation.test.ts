import { describe, test } from "node:test";
import { concat, peerFrame } from "../frame/fixtures.ts";
import { closeFrameOf, feedEveryWay, ROLES } from "./harness.ts";

describe("WebSocketConnection fragmentation", () => {
  for (const role of ROLES) {
    test(`${role} fails a continuation frame with nothing to continue with 1002`, () => {
      feedEveryWay(role, peerFrame(role, 0x80, "lo"), {
        events: [["error", "UNEXPECTED_CONTINUATION", 1002], ["close", 1002, "", false]],
        output: closeFrameOf(role, 1002),
      });
    });

    test(`${role} fails a new text frame while a message is open with 1002`, () => {
      const bytes = concat(peerFrame(role, 0x01, "Hel"), peerFrame(role, 0x81, "lo"));
      feedEveryWay(role, bytes, {
        events: [["error", "MESSAGE_INTERRUPTED", 1002], ["close", 1002, "", false]],
        output: closeFrameOf(role, 1002),
      });
    });

    test(`${role} fails a new binary frame while a message is open with 1002`, () => {
      const bytes = concat(peerFrame(role, 0x02, [1]), peerFrame(role, 0x02, [2]));
      feedEveryWay(role, bytes, {
        events: [["error", "MESSAGE_INTERRUPTED", 1002], ["close", 1002, "", false]],
        output: closeFrameOf(role, 1002),
      });
    });

    test(`${role} fails a continuation after a complete message with 1002`, () => {
      const bytes = concat(peerFrame(role, 0x81, "a"), peerFrame(role, 0x80, "b"));
      feedEveryWay(role, bytes, {
        events: [["text", "a"], ["error", "UNEXPECTED_CONTINUATION", 1002], [
          "close",
          1002,
          "",
          false,
        ]],
        output: closeFrameOf(role, 1002),
      });
    });
  }
});
