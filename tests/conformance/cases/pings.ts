/**
 * Cases 2.x: pings are answered by pongs with the same payload, in order; oversized pings fail;
 * unsolicited pongs are ignored.
 *
 * @module
 */

import {
  binaryOfSize,
  bytes,
  closeHandshake,
  closesWith,
  type ConformanceCase,
  defineCase,
  echoed,
  failsWith,
  frame,
  ponged,
  utf8,
} from "../case_kit.ts";
import { OP } from "../frame_codec.ts";

const EMPTY = new Uint8Array(0);
const tenPayloads = Array.from({ length: 10 }, (_, i) => utf8(`ping number ${i}`));

/** Ping and pong handling. */
export const pingCases: ConformanceCase[] = [
  defineCase({
    id: "2.1",
    description: "ping without payload is answered by an empty pong",
    send: () => [frame.ping()],
    steps: [ponged(EMPTY), closeHandshake],
  }),
  defineCase({
    id: "2.2",
    description: "ping with a small text payload is answered by a pong with the same payload",
    send: () => [frame.ping(utf8("Hello, world!"))],
    steps: [ponged(utf8("Hello, world!")), closeHandshake],
  }),
  defineCase({
    id: "2.3",
    description: "ping with a binary payload is answered by a pong with the same payload",
    send: () => [frame.ping(bytes(0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff))],
    steps: [ponged(bytes(0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff)), closeHandshake],
  }),
  defineCase({
    id: "2.4",
    description: "ping with a 125-byte payload is answered by a pong with the same payload",
    send: () => [frame.ping(binaryOfSize(125))],
    steps: [ponged(binaryOfSize(125)), closeHandshake],
  }),
  defineCase({
    id: "2.5",
    description: "ping with a 126-byte payload fails the connection with 1002",
    send: () => [frame.ping(binaryOfSize(126))],
    steps: [failsWith(1002, "control frame payloads are at most 125 bytes")],
  }),
  defineCase({
    id: "2.6",
    description: "ten pings are answered by ten pongs in order",
    send: () => tenPayloads.map((payload) => frame.ping(payload)),
    steps: [...tenPayloads.map(ponged), closeHandshake],
  }),
  defineCase({
    id: "2.7",
    description: "unsolicited empty pong is ignored",
    send: () => [frame.pong()],
    steps: [closeHandshake],
  }),
  defineCase({
    id: "2.8",
    description: "unsolicited pong with payload is ignored and the next message echoed",
    send: () => [frame.pong(utf8("unsolicited")), frame.text(utf8("after pong"))],
    steps: [echoed(OP.text, utf8("after pong")), closeHandshake],
  }),
  defineCase({
    id: "2.9",
    description: "ping, text, ping are answered in order: pong, echo, pong",
    send: () => [frame.ping(utf8("first")), frame.text(utf8("middle")), frame.ping(utf8("last"))],
    steps: [
      ponged(utf8("first")),
      echoed(OP.text, utf8("middle")),
      ponged(utf8("last")),
      closeHandshake,
    ],
  }),
  defineCase({
    id: "2.10",
    description: "ping sent after the client's close is not answered",
    send: () => [frame.close(1000), frame.ping(utf8("too late"))],
    steps: [closesWith([1000], "echo of close 1000; the later ping is ignored")],
  }),
];
