/**
 * Cases 5.x: fragmented messages are reassembled (control frames may interleave, fragments may
 * be empty); fragmented control frames and broken fragment sequences fail with 1002.
 *
 * @module
 */

import {
  binaryOfSize,
  closeHandshake,
  closesWith,
  type ConformanceCase,
  defineCase,
  echoed,
  evenCuts,
  failsWith,
  fragments,
  frame,
  ponged,
  textOfSize,
  utf8,
} from "../case_kit.ts";
import { OP } from "../frame_codec.ts";

const EMPTY = new Uint8Array(0);
const SEQUENCE_WHY = "broken fragment sequence";
const CONTROL_WHY = "control frames must not be fragmented";

/** Fragmentation. */
export const fragmentationCases: ConformanceCase[] = [
  defineCase({
    id: "5.1",
    description: "ping with FIN clear (fragmented control frame) fails with 1002",
    send: () => [frame.ping(utf8("frag1"), { fin: false }), frame.cont(utf8("frag2"))],
    steps: [failsWith(1002, CONTROL_WHY)],
  }),
  defineCase({
    id: "5.2",
    description: "pong with FIN clear (fragmented control frame) fails with 1002",
    send: () => [frame.pong(utf8("frag1"), { fin: false }), frame.cont(utf8("frag2"))],
    steps: [failsWith(1002, CONTROL_WHY)],
  }),
  defineCase({
    id: "5.3",
    description: "close with FIN clear (fragmented control frame) fails with 1002",
    send: () => [frame.close(1000, "", { fin: false })],
    steps: [failsWith(1002, CONTROL_WHY)],
  }),
  defineCase({
    id: "5.4",
    description: "text message in 2 fragments is echoed whole",
    send: () => fragments(OP.text, utf8("fragment1fragment2"), [9]),
    steps: [echoed(OP.text, utf8("fragment1fragment2")), closeHandshake],
  }),
  defineCase({
    id: "5.5",
    description: "binary message in 2 fragments is echoed whole",
    send: () => fragments(OP.binary, binaryOfSize(300), [200]),
    steps: [echoed(OP.binary, binaryOfSize(300)), closeHandshake],
  }),
  defineCase({
    id: "5.6",
    description: "text message in 10 fragments is echoed whole",
    send: () => fragments(OP.text, textOfSize(1000), evenCuts(1000, 10)),
    steps: [echoed(OP.text, textOfSize(1000)), closeHandshake],
  }),
  defineCase({
    id: "5.7",
    description: "binary message in 64 fragments of 1 KiB is echoed whole",
    send: () => fragments(OP.binary, binaryOfSize(65536), evenCuts(65536, 64)),
    steps: [echoed(OP.binary, binaryOfSize(65536)), closeHandshake],
  }),
  defineCase({
    id: "5.8",
    description: "text message of 200 bytes in one fragment per byte is echoed whole",
    send: () => fragments(OP.text, textOfSize(200), evenCuts(200, 200)),
    steps: [echoed(OP.text, textOfSize(200)), closeHandshake],
  }),
  defineCase({
    id: "5.9",
    description: "text message with empty first, middle and last fragments is echoed whole",
    send: () => [
      frame.text(EMPTY, { fin: false }),
      frame.cont(EMPTY, { fin: false }),
      frame.cont(utf8("abc"), { fin: false }),
      frame.cont(EMPTY, { fin: false }),
      frame.cont(utf8("def"), { fin: false }),
      frame.cont(EMPTY),
    ],
    steps: [echoed(OP.text, utf8("abcdef")), closeHandshake],
  }),
  defineCase({
    id: "5.10",
    description: "empty binary message made of three empty fragments is echoed empty",
    send: () => [
      frame.binary(EMPTY, { fin: false }),
      frame.cont(EMPTY, { fin: false }),
      frame.cont(EMPTY),
    ],
    steps: [echoed(OP.binary, EMPTY), closeHandshake],
  }),
  defineCase({
    id: "5.11",
    description: "ping between two text fragments is answered before the message echo",
    send: () => [
      frame.text(utf8("fragment1"), { fin: false }),
      frame.ping(utf8("ping payload")),
      frame.cont(utf8("fragment2")),
    ],
    steps: [
      ponged(utf8("ping payload")),
      echoed(OP.text, utf8("fragment1fragment2")),
      closeHandshake,
    ],
  }),
  defineCase({
    id: "5.12",
    description: "pings between every fragment of a binary message are answered in order first",
    send: () => [
      frame.binary(utf8("a"), { fin: false }),
      frame.ping(utf8("p1")),
      frame.cont(utf8("b"), { fin: false }),
      frame.ping(utf8("p2")),
      frame.ping(utf8("p3")),
      frame.cont(utf8("c")),
    ],
    steps: [
      ponged(utf8("p1")),
      ponged(utf8("p2")),
      ponged(utf8("p3")),
      echoed(OP.binary, utf8("abc")),
      closeHandshake,
    ],
  }),
  defineCase({
    id: "5.13",
    description: "unsolicited pong between text fragments is ignored",
    send: () => [
      frame.text(utf8("frag"), { fin: false }),
      frame.pong(utf8("unsolicited")),
      frame.cont(utf8("ment")),
    ],
    steps: [echoed(OP.text, utf8("fragment")), closeHandshake],
  }),
  defineCase({
    id: "5.14",
    description: "continuation frame (FIN set) with no message open fails with 1002",
    send: () => [frame.cont(utf8("orphan"))],
    steps: [failsWith(1002, SEQUENCE_WHY)],
  }),
  defineCase({
    id: "5.15",
    description: "continuation frame (FIN clear) with no message open fails with 1002",
    send: () => [frame.cont(utf8("orphan"), { fin: false }), frame.cont(utf8("end"))],
    steps: [failsWith(1002, SEQUENCE_WHY)],
  }),
  defineCase({
    id: "5.16",
    description: "continuation frame after a complete message fails with 1002",
    send: () => [frame.text(utf8("complete")), frame.cont(utf8("orphan"))],
    steps: [echoed(OP.text, utf8("complete")), failsWith(1002, SEQUENCE_WHY)],
  }),
  defineCase({
    id: "5.17",
    description: "new text frame while a text message is open fails with 1002",
    send: () => [frame.text(utf8("open"), { fin: false }), frame.text(utf8("second"))],
    steps: [failsWith(1002, SEQUENCE_WHY)],
  }),
  defineCase({
    id: "5.18",
    description: "new binary frame while a text message is open fails with 1002",
    send: () => [
      frame.text(utf8("open"), { fin: false }),
      frame.binary(utf8("second"), { fin: false }),
      frame.cont(utf8("end")),
    ],
    steps: [failsWith(1002, SEQUENCE_WHY)],
  }),
  defineCase({
    id: "5.19",
    description: "ping answered, then a new text frame inside an open message fails with 1002",
    send: () => [
      frame.binary(utf8("open"), { fin: false }),
      frame.ping(utf8("p")),
      frame.text(utf8("second")),
    ],
    steps: [ponged(utf8("p")), failsWith(1002, SEQUENCE_WHY)],
  }),
  defineCase({
    id: "5.20",
    description: "close frame in the middle of a fragmented message is echoed",
    send: () => [frame.text(utf8("never finished"), { fin: false }), frame.close(1000)],
    steps: [closesWith([1000], "control frames may interleave with fragments")],
  }),
];
