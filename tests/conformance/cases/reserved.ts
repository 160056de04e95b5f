/**
 * Cases 3.x and 4.x: RSV bits set with no extension negotiated, and reserved opcodes, fail the
 * connection with 1002, also after valid traffic.
 *
 * @module
 */

import {
  type ConformanceCase,
  defineCase,
  echoed,
  failsWith,
  frame,
  ponged,
  utf8,
} from "../case_kit.ts";
import { OP } from "../frame_codec.ts";

const HELLO = utf8("Hello");
const RSV_WHY = "RSV bits set without a negotiated extension";
const OPCODE_WHY = "reserved opcode";

/** RSV1/2/3 without extension. */
export const reservedBitCases: ConformanceCase[] = [
  defineCase({
    id: "3.1",
    description: "text frame with RSV1 set fails with 1002",
    send: () => [frame.text(HELLO, { rsv: 4 })],
    steps: [failsWith(1002, RSV_WHY)],
  }),
  defineCase({
    id: "3.2",
    description: "text frame with RSV2 set after a valid echo fails with 1002",
    send: () => [frame.text(HELLO), frame.text(HELLO, { rsv: 2 })],
    steps: [echoed(OP.text, HELLO), failsWith(1002, RSV_WHY)],
  }),
  defineCase({
    id: "3.3",
    description: "text frame with RSV3 set between valid frames fails with 1002 and stops there",
    send: () => [frame.text(HELLO), frame.text(HELLO, { rsv: 1 }), frame.ping(HELLO)],
    steps: [echoed(OP.text, HELLO), failsWith(1002, RSV_WHY)],
  }),
  defineCase({
    id: "3.4",
    description: "text frame with RSV1 and RSV3 set between valid frames fails with 1002",
    send: () => [frame.text(HELLO), frame.text(HELLO, { rsv: 5 }), frame.ping(HELLO)],
    steps: [echoed(OP.text, HELLO), failsWith(1002, RSV_WHY)],
  }),
  defineCase({
    id: "3.5",
    description: "binary frame with RSV1, RSV2 and RSV3 set fails with 1002",
    send: () => [frame.binary(Uint8Array.from([0, 1, 2, 255]), { rsv: 7 })],
    steps: [failsWith(1002, RSV_WHY)],
  }),
  defineCase({
    id: "3.6",
    description: "ping with RSV1 and RSV2 set fails with 1002 and is not answered",
    send: () => [frame.ping(HELLO, { rsv: 6 })],
    steps: [failsWith(1002, RSV_WHY)],
  }),
  defineCase({
    id: "3.7",
    description: "close frame with RSV1 set fails with 1002",
    send: () => [frame.close(1000, "", { rsv: 4 })],
    steps: [failsWith(1002, RSV_WHY)],
  }),
  defineCase({
    id: "3.8",
    description: "continuation frame with RSV2 set fails with 1002",
    send: () => [frame.text(utf8("frag"), { fin: false }), frame.cont(HELLO, { rsv: 2 })],
    steps: [failsWith(1002, RSV_WHY)],
  }),
  defineCase({
    id: "3.9",
    description: "ping answered, then a binary frame with RSV3 set fails with 1002",
    send: () => [frame.ping(HELLO), frame.binary(HELLO, { rsv: 1 })],
    steps: [ponged(HELLO), failsWith(1002, RSV_WHY)],
  }),
];

const DATA_OPCODES = [3, 4, 5, 6, 7];
const CONTROL_OPCODES = [11, 12, 13, 14, 15];

/** Reserved opcodes. */
export const opcodeCases: ConformanceCase[] = [
  ...DATA_OPCODES.map((opcode, index) =>
    defineCase({
      id: `4.1.${index + 1}`,
      description: `frame with reserved non-control opcode ${opcode} fails with 1002`,
      send: () => [frame.raw({ opcode })],
      steps: [failsWith(1002, OPCODE_WHY)],
    })
  ),
  ...DATA_OPCODES.map((opcode, index) =>
    defineCase({
      id: `4.2.${index + 1}`,
      description:
        `echo, then reserved opcode ${opcode} with payload fails with 1002, ping unanswered`,
      send: () => [frame.text(HELLO), frame.raw({ opcode, payload: HELLO }), frame.ping(HELLO)],
      steps: [echoed(OP.text, HELLO), failsWith(1002, OPCODE_WHY)],
    })
  ),
  ...CONTROL_OPCODES.map((opcode, index) =>
    defineCase({
      id: `4.3.${index + 1}`,
      description: `frame with reserved control opcode ${opcode} fails with 1002`,
      send: () => [frame.raw({ opcode })],
      steps: [failsWith(1002, OPCODE_WHY)],
    })
  ),
  ...CONTROL_OPCODES.map((opcode, index) =>
    defineCase({
      id: `4.4.${index + 1}`,
      description: `echo, then reserved control opcode ${opcode} fails with 1002, ping unanswered`,
      send: () => [frame.text(HELLO), frame.raw({ opcode, payload: HELLO }), frame.ping(HELLO)],
      steps: [echoed(OP.text, HELLO), failsWith(1002, OPCODE_WHY)],
    })
  ),
];
