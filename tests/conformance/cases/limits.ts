/**
 * Cases 9.x: many pipelined messages come back complete and in order; large messages in many
 * fragments (up to the 16 MiB default limit) pass.
 *
 * @module
 */

import {
  binaryOfSize,
  closeHandshake,
  type ConformanceCase,
  defineCase,
  echoed,
  evenCuts,
  fragments,
  frame,
  type Step,
  textOfSize,
  utf8,
} from "../case_kit.ts";
import { OP } from "../frame_codec.ts";

const MIB = 1024 * 1024;

function numbered(count: number, prefix: string): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => utf8(`${prefix} ${i}`));
}

function pipelined(id: string, count: number, opcode: number): ConformanceCase {
  const kind = opcode === OP.text ? "text" : "binary";
  const payloads = numbered(count, `message #${kind}`);
  const steps: Step[] = payloads.map((payload, i) => echoed(opcode, payload, ` #${i + 1}`));
  return defineCase({
    id,
    description: `${count} small ${kind} messages sent pipelined are all echoed in order`,
    send: () => payloads.map((payload) => frame.raw({ opcode, payload })),
    steps: [...steps, closeHandshake],
    size: payloads.reduce((sum, payload) => sum + payload.length + 6, 0),
    timeoutMs: 20_000,
  });
}

/** Volume and size. */
export const limitCases: ConformanceCase[] = [
  pipelined("9.1.1", 1_000, OP.text),
  pipelined("9.1.2", 10_000, OP.text),
  pipelined("9.1.3", 1_000, OP.binary),
  defineCase({
    id: "9.2.1",
    description: "1 MiB text message in 16 fragments of 64 KiB is echoed",
    send: () => fragments(OP.text, textOfSize(MIB), evenCuts(MIB, 16)),
    steps: [echoed(OP.text, textOfSize(MIB)), closeHandshake],
    size: MIB,
    timeoutMs: 10_000,
  }),
  defineCase({
    id: "9.2.2",
    description: "16 MiB binary message in 256 fragments of 64 KiB is echoed",
    send: () => fragments(OP.binary, binaryOfSize(16 * MIB), evenCuts(16 * MIB, 256)),
    steps: [echoed(OP.binary, binaryOfSize(16 * MIB)), closeHandshake],
    size: 16 * MIB,
    timeoutMs: 30_000,
  }),
  defineCase({
    id: "9.2.3",
    description: "16 MiB text message in 16 fragments of 1 MiB is echoed",
    send: () => fragments(OP.text, textOfSize(16 * MIB), evenCuts(16 * MIB, 16)),
    steps: [echoed(OP.text, textOfSize(16 * MIB)), closeHandshake],
    size: 16 * MIB,
    timeoutMs: 30_000,
  }),
];
