/**
 * Cases 6.x: text payloads must be valid UTF-8 (RFC 6455 §8.1, RFC 3629). Valid sequences are
 * echoed however they are fragmented; invalid ones fail with 1007, as soon as the invalid byte
 * arrives (fail fast) even if the rest of the frame or message never comes.
 *
 * @module
 */

import {
  bytes,
  closeHandshake,
  type ConformanceCase,
  defineCase,
  echoed,
  failsWith,
  fragments,
  frame,
  join,
  utf8,
} from "../case_kit.ts";
import { OP } from "../frame_codec.ts";

const UTF8_WHY = "invalid UTF-8 in a text message";
const KOSME = utf8("κόσμε");

/** Valid texts, each with the code points it is made of (for per-code-point fragmentation). */
const VALID: [string, string][] = [
  ["Greek word κόσμε", "κόσμε"],
  ["ASCII text", "Hello-µ@ßöäüàá-UTF-8!!"],
  ["U+0000 (first 1-byte sequence)", "\u0000"],
  ["U+007F (last 1-byte sequence)", "\u007f"],
  ["U+0080 (first 2-byte sequence)", "\u0080"],
  ["U+07FF (last 2-byte sequence)", "\u07ff"],
  ["U+0800 (first 3-byte sequence)", "\u0800"],
  ["U+FFFF (last 3-byte sequence)", "\uffff"],
  ["U+10000 (first 4-byte sequence)", "\u{10000}"],
  ["U+10FFFF (last code point)", "\u{10ffff}"],
  ["U+D7FF (before the surrogates)", "\ud7ff"],
  ["U+E000 (after the surrogates)", "\ue000"],
  ["U+FFFD (replacement character)", "\ufffd"],
  ["noncharacters U+FFFE and U+FDD0", "\ufffe\ufdd0"],
  ["mixed 1- to 4-byte sequences", "a\u00e9\u20ac\u{1f600}z\u{10ffff}\u0080"],
];

/** Invalid byte sequences (the last four are only provably invalid at the message's end). */
const INVALID: [string, Uint8Array][] = [
  ["overlong 2-byte NUL C0 80", bytes(0xc0, 0x80)],
  ["overlong 2-byte C1 BF", bytes(0xc1, 0xbf)],
  ["overlong 3-byte E0 80 80", bytes(0xe0, 0x80, 0x80)],
  ["overlong 3-byte E0 9F BF", bytes(0xe0, 0x9f, 0xbf)],
  ["overlong 4-byte F0 80 80 80", bytes(0xf0, 0x80, 0x80, 0x80)],
  ["overlong 4-byte F0 8F BF BF", bytes(0xf0, 0x8f, 0xbf, 0xbf)],
  ["overlong slash C0 AF", bytes(0xc0, 0xaf)],
  ["overlong slash E0 80 AF", bytes(0xe0, 0x80, 0xaf)],
  ["high surrogate U+D800 ED A0 80", bytes(0xed, 0xa0, 0x80)],
  ["low surrogate U+DFFF ED BF BF", bytes(0xed, 0xbf, 0xbf)],
  ["surrogate pair ED A0 80 ED B0 80", bytes(0xed, 0xa0, 0x80, 0xed, 0xb0, 0x80)],
  ["U+110000 F4 90 80 80", bytes(0xf4, 0x90, 0x80, 0x80)],
  ["lead byte F5", bytes(0xf5, 0x80, 0x80, 0x80)],
  ["5-byte sequence F8 88 80 80 80", bytes(0xf8, 0x88, 0x80, 0x80, 0x80)],
  ["6-byte sequence FC 84 80 80 80 80", bytes(0xfc, 0x84, 0x80, 0x80, 0x80, 0x80)],
  ["lone continuation byte 80", bytes(0x80)],
  ["lone continuation bytes 80 BF", bytes(0x80, 0xbf)],
  ["byte FE", bytes(0xfe)],
  ["byte FF", bytes(0xff)],
  ["bytes FE FE FF FF", bytes(0xfe, 0xfe, 0xff, 0xff)],
  ["2-byte lead not followed by continuation C2 41", bytes(0xc2, 0x41)],
  ["κόσμε then a surrogate then text", join(KOSME, bytes(0xed, 0xa0, 0x80), utf8("edited"))],
  ["truncated 2-byte sequence C2 at message end", bytes(0x41, 0xc2)],
  ["truncated 3-byte sequence E0 A0 at message end", bytes(0x41, 0xe0, 0xa0)],
  ["truncated 4-byte sequence F0 90 80 at message end", bytes(0x41, 0xf0, 0x90, 0x80)],
  ["κόσμε then a truncated CE at message end", join(KOSME, bytes(0xce))],
];

function perByte(payload: Uint8Array): number[] {
  return Array.from({ length: Math.max(payload.length - 1, 0) }, () => 1);
}

function perCodePoint(text: string): number[] {
  const lengths = Array.from(text, (char) => utf8(char).length);
  return lengths.slice(0, -1);
}

const validCases = VALID.flatMap(([name, text], index) => {
  const payload = utf8(text);
  const steps = [echoed(OP.text, payload), closeHandshake];
  return [
    defineCase({
      id: `6.1.${index + 1}`,
      description: `valid UTF-8 ${name} in one frame is echoed`,
      send: () => [frame.text(payload)],
      steps,
    }),
    defineCase({
      id: `6.2.${index + 1}`,
      description: `valid UTF-8 ${name} fragmented per byte is echoed`,
      send: () => fragments(OP.text, payload, perByte(payload)),
      steps,
    }),
    defineCase({
      id: `6.3.${index + 1}`,
      description: `valid UTF-8 ${name} fragmented per code point is echoed`,
      send: () => fragments(OP.text, payload, perCodePoint(text)),
      steps,
    }),
  ];
});

const invalidCases = INVALID.flatMap(([name, payload], index) => [
  defineCase({
    id: `6.4.${index + 1}`,
    description: `invalid UTF-8 ${name} in one frame fails with 1007`,
    send: () => [frame.text(payload)],
    steps: [failsWith(1007, UTF8_WHY)],
  }),
  defineCase({
    id: `6.5.${index + 1}`,
    description: `invalid UTF-8 ${name} fragmented per byte fails with 1007`,
    send: () => fragments(OP.text, payload, perByte(payload)),
    steps: [failsWith(1007, UTF8_WHY)],
  }),
]);

const LARGE = 1024 * 1024;
const SENT_OF_LARGE = 1024;

/** A 1 MiB text frame's header and first KiB; the announced rest is never sent. */
function largeFramePrefix(prefix: Uint8Array): Uint8Array {
  const sent = join(prefix, utf8("x".repeat(SENT_OF_LARGE - prefix.length)));
  return frame.text(sent, { announcedLength: BigInt(LARGE) });
}

const failFastCases = [
  defineCase({
    id: "6.6.1",
    description: "invalid UTF-8 in a first fragment fails with 1007 though no final fragment comes",
    send: () => [frame.text(join(KOSME, bytes(0xed, 0xa0, 0x80), utf8("edited")), { fin: false })],
    steps: [failsWith(1007, "fail fast: the final fragment is never sent")],
  }),
  defineCase({
    id: "6.6.2",
    description: "byte FF in a second fragment fails with 1007 though no final fragment comes",
    send: () => [
      frame.text(KOSME, { fin: false }),
      frame.cont(bytes(0x41, 0xff, 0x41), { fin: false }),
    ],
    steps: [failsWith(1007, "fail fast: the final fragment is never sent")],
  }),
  defineCase({
    id: "6.6.3",
    description: "code point above U+10FFFF split over fragments fails with 1007 before the end",
    send: () => [
      frame.text(bytes(0x41, 0xf4), { fin: false }),
      frame.cont(bytes(0x90), { fin: false }),
    ],
    steps: [failsWith(1007, "fail fast: F4 90 cannot start a valid sequence")],
  }),
  defineCase({
    id: "6.6.4",
    description: "byte FF at the start of a 1 MiB text frame fails with 1007 before the rest comes",
    send: () => [largeFramePrefix(bytes(0xff))],
    steps: [failsWith(1007, "fail fast: only 1 KiB of the 1 MiB frame is sent", false)],
  }),
  defineCase({
    id: "6.6.5",
    description:
      "surrogate after κόσμε in a 1 MiB text frame fails with 1007 before the rest comes",
    send: () => [largeFramePrefix(join(KOSME, bytes(0xed, 0xa0, 0x80)))],
    steps: [failsWith(1007, "fail fast: only 1 KiB of the 1 MiB frame is sent", false)],
  }),
];

/** UTF-8 validation of text messages. */
export const utf8Cases: ConformanceCase[] = [...validCases, ...invalidCases, ...failFastCases];
