/**
 * Cases 7.x: the closing handshake (RFC 6455 §5.5.1, §7.4): the server echoes a valid close and
 * closes TCP; invalid close payloads fail with 1002 (bad code or length) or 1007 (bad reason).
 *
 * @module
 */

import {
  bytes,
  closesWith,
  type ConformanceCase,
  defineCase,
  echoed,
  failsWith,
  frame,
  join,
  utf8,
} from "../case_kit.ts";
import { OP } from "../frame_codec.ts";

const VALID_CODES = [
  1000,
  1001,
  1002,
  1003,
  1007,
  1008,
  1009,
  1010,
  1011,
  1012,
  1013,
  1014,
  3000,
  3999,
  4000,
  4999,
];
const INVALID_CODES = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];

/** Closing handshake. */
export const closeCases: ConformanceCase[] = [
  defineCase({
    id: "7.1.1",
    description: "close without payload is answered by an empty close or 1000, then TCP close",
    send: () => [frame.close()],
    steps: [closesWith([undefined, 1000], "echo of an empty close")],
  }),
  defineCase({
    id: "7.1.2",
    description: "close 1000 with a reason is answered by close 1000",
    send: () => [frame.close(1000, "Normal closure, bye")],
    steps: [closesWith([1000], "echo of close 1000")],
  }),
  defineCase({
    id: "7.1.3",
    description: "close 1000 with a 123-byte reason (125-byte payload) is answered by close 1000",
    send: () => [frame.close(1000, "*".repeat(123))],
    steps: [closesWith([1000], "a 125-byte close payload is valid")],
  }),
  defineCase({
    id: "7.1.4",
    description: "close 1000 with a multi-byte UTF-8 reason is answered by close 1000",
    send: () => [frame.close(1000, "κόσμε 😀")],
    steps: [closesWith([1000], "echo of close 1000")],
  }),
  defineCase({
    id: "7.1.5",
    description: "text message, then close: echo comes before the close answer",
    send: () => [frame.text(utf8("before close")), frame.close(1000)],
    steps: [echoed(OP.text, utf8("before close")), closesWith([1000], "echo of close 1000")],
  }),
  defineCase({
    id: "7.1.6",
    description: "text message sent after the client's close is not echoed",
    send: () => [frame.close(1000), frame.text(utf8("too late"))],
    steps: [closesWith([1000], "data after close must be ignored")],
  }),
  defineCase({
    id: "7.1.7",
    description: "binary message fragment and a full message after the close are not echoed",
    send: () => [
      frame.close(1000),
      frame.binary(utf8("too"), { fin: false }),
      frame.cont(utf8("late")),
      frame.text(utf8("also too late")),
    ],
    steps: [closesWith([1000], "data after close must be ignored")],
  }),
  defineCase({
    id: "7.2.1",
    description: "close with a 1-byte payload fails with 1002",
    send: () => [frame.raw({ opcode: OP.close, payload: bytes(0x03) })],
    steps: [failsWith(1002, "a close payload of 1 byte has no room for a code")],
  }),
  defineCase({
    id: "7.2.2",
    description: "close with a 126-byte payload fails with 1002",
    send: () => [frame.close(1000, "*".repeat(124))],
    steps: [failsWith(1002, "control frame payloads are at most 125 bytes")],
  }),
  defineCase({
    id: "7.2.3",
    description: "close 1000 with an invalid UTF-8 reason fails with 1007",
    send: () => [frame.close(1000, join(utf8("κόσμε"), bytes(0xed, 0xa0, 0x80), utf8("edited")))],
    steps: [failsWith(1007, "close reasons must be valid UTF-8")],
  }),
  defineCase({
    id: "7.2.4",
    description: "close 1000 with a reason truncated mid-sequence fails with 1007",
    send: () => [frame.close(1000, bytes(0x41, 0xce))],
    steps: [failsWith(1007, "close reasons must be valid UTF-8")],
  }),
  ...VALID_CODES.map((code, index) =>
    defineCase({
      id: `7.3.${index + 1}`,
      description: `close with valid code ${code} is answered by close ${code}`,
      send: () => [frame.close(code)],
      steps: [closesWith([code], `echo of valid close code ${code}`)],
    })
  ),
  ...INVALID_CODES.map((code, index) =>
    defineCase({
      id: `7.4.${index + 1}`,
      description: `close with invalid code ${code} fails with 1002`,
      send: () => [frame.close(code)],
      steps: [failsWith(1002, `close code ${code} must not be sent`)],
    })
  ),
];
