/**
 * Cases 1.x: echo of text and binary messages across every payload length encoding, and the
 * frame header rules a client frame must follow (masking, 64-bit length).
 *
 * @module
 */

import {
  binaryOfSize,
  closeHandshake,
  type ConformanceCase,
  defineCase,
  echoed,
  failsWith,
  frame,
  textOfSize,
  utf8,
} from "../case_kit.ts";
import { OP } from "../frame_codec.ts";

const MIB = 1024 * 1024;
const SIZES = [0, 125, 126, 127, 128, 65535, 65536, MIB, 16 * MIB];

function echoCases(group: string, kind: "text" | "binary"): ConformanceCase[] {
  const opcode = kind === "text" ? OP.text : OP.binary;
  const make = kind === "text" ? textOfSize : binaryOfSize;
  return SIZES.map((size, index) =>
    defineCase({
      id: `${group}.${index + 1}`,
      description: `${kind} message of ${size} bytes is echoed`,
      send: () => [frame.raw({ opcode, payload: make(size) })],
      steps: [echoed(opcode, make(size)), closeHandshake],
      size,
      timeoutMs: size >= 16 * MIB ? 30_000 : size >= MIB ? 10_000 : undefined,
    })
  );
}

/** Echo across payload lengths, and header rules. */
export const framingCases: ConformanceCase[] = [
  ...echoCases("1.1", "text"),
  ...echoCases("1.2", "binary"),
  defineCase({
    id: "1.3.1",
    description: "unmasked text frame fails the connection with 1002",
    send: () => [frame.text(utf8("unmasked"), { masked: false })],
    steps: [failsWith(1002, "client frames must be masked")],
  }),
  defineCase({
    id: "1.3.2",
    description: "unmasked binary frame after a valid echo fails the connection with 1002",
    send: () => [frame.text(utf8("masked")), frame.binary(utf8("unmasked"), { masked: false })],
    steps: [echoed(OP.text, utf8("masked")), failsWith(1002, "client frames must be masked")],
  }),
  defineCase({
    id: "1.3.3",
    description: "unmasked empty ping fails the connection with 1002",
    send: () => [frame.ping(new Uint8Array(0), { masked: false })],
    steps: [failsWith(1002, "client frames must be masked")],
  }),
  defineCase({
    id: "1.4.1",
    description: "64-bit payload length with the most significant bit set fails with 1002",
    send: () => [frame.binary(new Uint8Array(0), { announcedLength: 0x8000000000000001n })],
    steps: [failsWith(1002, "MSB of a 64-bit length must be 0", false)],
  }),
  defineCase({
    id: "1.4.2",
    description:
      "64-bit length with the MSB set on a text frame after a valid echo fails with 1002",
    send: () => [
      frame.text(utf8("ok")),
      frame.text(utf8("abc"), { announcedLength: 0xffffffffffffffffn }),
    ],
    steps: [
      echoed(OP.text, utf8("ok")),
      failsWith(1002, "MSB of a 64-bit length must be 0", false),
    ],
  }),
];
