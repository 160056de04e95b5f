/**
 * The client conformance cases: what the fuzzing server answers and sends,
 * and what a strict client must do (the error code it reports, the close code
 * it puts on the wire, what it echoes).
 *
 * @module
 */

import { deflateRawSync } from "node:zlib";
import { closePayload, encodeFrame, OP } from "../conformance/frame_codec.ts";

/** One case. */
export interface ClientCase {
  id: string;
  group: "handshake" | "framing" | "deflate";
  /** The client offers permessage-deflate. */
  deflate?: boolean;
  /** Subprotocols the client offers. */
  protocols?: string[];
  /** The client's maxMessageSize. */
  maxMessageSize?: number;
  /** The whole handshake answer, or null to never answer; default a correct 101. */
  answer?: (accept: string, headers: Map<string, string>) => string | null;
  /** `Sec-WebSocket-Extensions` of the default answer. */
  extensions?: string;
  /** Frames sent right after the answer. */
  frames?: () => Uint8Array[];
  /** "drop": TCP is dropped 50 ms after the answer. */
  afterOpen?: "drop";
  /** The server sends close 1000 once it has this many messages back. */
  closeAfterEchoes?: number;
  /** False: the server closes TCP without answering the client's close frame. */
  answersClose?: boolean;
  holdMs?: number;
  expect: {
    /** The connection must not open; the client reports this ProtocolError code. */
    handshakeError?: string;
    /** Code of the client's close frame on the wire (1005 for an empty one), null for none. */
    wire?: number | null;
    /** Close code the application sees. */
    app?: number;
    /** Reason the application sees. */
    reason?: string;
    /** Messages echoed back. */
    echoes?: (string | number[])[];
    /** Pong payloads. */
    pongs?: number[][];
    protocol?: string;
    extensions?: string;
  };
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const bytes = (...values: number[]) => new Uint8Array(values);
const frame = (
  opcode: number,
  payload: Uint8Array = new Uint8Array(0),
  more: { fin?: boolean; rsv?: number; announcedLength?: bigint; masked?: boolean } = {},
) => encodeFrame({ opcode, payload, masked: false, ...more });
const close1000 = () => frame(OP.close, closePayload(1000));
const OK = "HTTP/1.1 101 Switching Protocols\r\n";
const deflated = (data: Uint8Array) => {
  const out = deflateRawSync(data, { finishFlush: 2 /* Z_SYNC_FLUSH */ });
  return new Uint8Array(out.subarray(0, out.length - 4));
};

function head(accept: string, lines: string[]): string {
  return lines.join("\r\n").replace("ACCEPT", accept) + "\r\n\r\n";
}

const handshake: Omit<ClientCase, "group">[] = [
  {
    id: "h-status-200",
    answer: () => "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    expect: { handshakeError: "UNEXPECTED_STATUS" },
  },
  {
    id: "h-redirect-302",
    answer: () => "HTTP/1.1 302 Found\r\nLocation: ws://127.0.0.1:1/\r\nContent-Length: 0\r\n\r\n",
    expect: { handshakeError: "UNEXPECTED_STATUS" },
  },
  {
    id: "h-no-upgrade",
    answer: (a) => head(a, [OK + "Connection: Upgrade", "Sec-WebSocket-Accept: ACCEPT"]),
    expect: { handshakeError: "INVALID_UPGRADE" },
  },
  {
    id: "h-wrong-upgrade",
    answer: (a) =>
      head(a, [OK + "Upgrade: h2c", "Connection: Upgrade", "Sec-WebSocket-Accept: ACCEPT"]),
    expect: { handshakeError: "INVALID_UPGRADE" },
  },
  {
    id: "h-no-connection",
    answer: (a) => head(a, [OK + "Upgrade: websocket", "Sec-WebSocket-Accept: ACCEPT"]),
    expect: { handshakeError: "INVALID_CONNECTION" },
  },
  {
    id: "h-wrong-connection",
    answer: (a) =>
      head(a, [
        OK + "Upgrade: websocket",
        "Connection: keep-alive",
        "Sec-WebSocket-Accept: ACCEPT",
      ]),
    expect: { handshakeError: "INVALID_CONNECTION" },
  },
  {
    id: "h-no-accept",
    answer: (a) => head(a, [OK + "Upgrade: websocket", "Connection: Upgrade"]),
    expect: { handshakeError: "INVALID_ACCEPT" },
  },
  {
    id: "h-wrong-accept",
    answer: () =>
      head("", [
        OK + "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
      ]),
    expect: { handshakeError: "INVALID_ACCEPT" },
  },
  {
    id: "h-unoffered-subprotocol",
    answer: (a) =>
      head(a, [
        OK + "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Accept: ACCEPT",
        "Sec-WebSocket-Protocol: chat",
      ]),
    expect: { handshakeError: "UNOFFERED_SUBPROTOCOL" },
  },
  {
    id: "h-other-subprotocol",
    protocols: ["a", "b"],
    answer: (a) =>
      head(a, [
        OK + "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Accept: ACCEPT",
        "Sec-WebSocket-Protocol: c",
      ]),
    expect: { handshakeError: "UNOFFERED_SUBPROTOCOL" },
  },
  {
    id: "h-offered-subprotocol",
    protocols: ["a", "b"],
    answer: (a) =>
      head(a, [
        OK + "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Accept: ACCEPT",
        "Sec-WebSocket-Protocol: b",
      ]),
    frames: () => [close1000()],
    expect: { protocol: "b", wire: 1000, app: 1000 },
  },
  {
    id: "h-unoffered-extension",
    extensions: "x-webkit-foo",
    expect: { handshakeError: "UNOFFERED_EXTENSION" },
  },
  {
    id: "h-unoffered-deflate",
    extensions: "permessage-deflate",
    expect: { handshakeError: "UNOFFERED_EXTENSION" },
  },
  {
    id: "h-malformed-head",
    answer: () => "HTTP/1.1 101\r\nUpgrade websocket\r\n\r\n",
    expect: { handshakeError: "INVALID_RESPONSE" },
  },
  {
    id: "h-never-answers",
    answer: () => null,
    expect: { handshakeError: "HANDSHAKE_TIMEOUT" },
  },
  {
    id: "h-closes-before-answer",
    answer: () => "",
    holdMs: 10,
    expect: { handshakeError: "CONNECTION_CLOSED" },
  },
  {
    id: "h-frames-with-answer",
    answer: (a) =>
      head(a, [OK + "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: ACCEPT"]) +
      String.fromCharCode(...frame(OP.text, utf8("early"))),
    closeAfterEchoes: 1,
    expect: { echoes: ["early"], wire: 1000, app: 1000 },
  },
];

const framing: ClientCase[] = [
  { id: "f-masked-frame", frames: () => [frame(OP.text, utf8("hi"), { masked: true })] },
  ...[1, 2, 4].map((rsv) => ({
    id: `f-rsv-${rsv}`,
    frames: () => [frame(OP.text, utf8("x"), { rsv })],
  })),
  ...[3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf].map((opcode) => ({
    id: `f-reserved-opcode-${opcode}`,
    frames: () => [frame(opcode)],
  })),
  { id: "f-fragmented-ping", frames: () => [frame(OP.ping, utf8("a"), { fin: false })] },
  { id: "f-fragmented-close", frames: () => [frame(OP.close, closePayload(1000), { fin: false })] },
  { id: "f-lone-continuation", frames: () => [frame(OP.cont, utf8("x"))] },
  {
    id: "f-text-inside-fragmented",
    frames: () => [frame(OP.text, utf8("a"), { fin: false }), frame(OP.text, utf8("b"))],
  },
  { id: "f-ping-126", frames: () => [frame(OP.ping, new Uint8Array(126))] },
  { id: "f-close-payload-1", frames: () => [frame(OP.close, bytes(3))] },
  ...[0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535].map((code) => ({
    id: `f-close-code-${code}`,
    frames: () => [frame(OP.close, closePayload(code))],
  })),
  {
    id: "f-length-2^63",
    frames: () => [frame(OP.binary, bytes(), { announcedLength: 1n << 63n })],
  },
].map((c) => ({
  ...c,
  group: "framing" as const,
  expect: { wire: c.id.startsWith("f-length") ? 1002 : 1002, app: 1006 },
}));

framing.push(
  ...[
    {
      id: "f-length-2^62",
      frames: () => [frame(OP.binary, bytes(), { announcedLength: 1n << 62n })],
      expect: { wire: 1009, app: 1006 },
    },
    {
      id: "f-too-large",
      maxMessageSize: 1024,
      frames: () => [frame(OP.binary, new Uint8Array(1025))],
      expect: { wire: 1009, app: 1006 },
    },
    {
      id: "f-too-large-fragmented",
      maxMessageSize: 1024,
      frames: () => [
        frame(OP.binary, new Uint8Array(1000), { fin: false }),
        frame(OP.cont, new Uint8Array(1000)),
      ],
      expect: { wire: 1009, app: 1006 },
    },
    { id: "f-invalid-utf8", frames: () => [frame(OP.text, bytes(0xce, 0xba, 0xff))] },
    { id: "f-overlong-utf8", frames: () => [frame(OP.text, bytes(0xc0, 0xaf))] },
    { id: "f-surrogate-utf8", frames: () => [frame(OP.text, bytes(0xed, 0xa0, 0x80))] },
    {
      id: "f-invalid-utf8-split",
      frames: () => [frame(OP.text, bytes(0xce), { fin: false }), frame(OP.cont, bytes(0xff))],
    },
    {
      id: "f-truncated-utf8-end",
      frames: () => [frame(OP.text, bytes(0x61, 0xe2, 0x82))],
    },
    {
      id: "f-invalid-utf8-first-fragment-fails-fast",
      frames: () => [frame(OP.text, bytes(0xff), { fin: false })],
    },
    { id: "f-close-reason-invalid-utf8", frames: () => [frame(OP.close, bytes(3, 0xe8, 0xff))] },
  ].map((c) => ({
    ...c,
    group: "framing" as const,
    expect: c.expect ?? { wire: 1007, app: 1006 },
  })),
  ...[
    {
      id: "f-valid-utf8-split",
      frames: () => [frame(OP.text, bytes(0xce), { fin: false }), frame(OP.cont, bytes(0xba))],
      closeAfterEchoes: 1,
      expect: { echoes: ["κ"], wire: 1000, app: 1000 },
    },
    {
      id: "f-binary-echo",
      frames: () => [frame(OP.binary, bytes(0, 1, 255))],
      closeAfterEchoes: 1,
      expect: { echoes: [[0, 1, 255]], wire: 1000, app: 1000 },
    },
    {
      id: "f-fragmented-with-ping",
      frames: () => [
        frame(OP.text, utf8("ab"), { fin: false }),
        frame(OP.ping, utf8("p")),
        frame(OP.cont, utf8("cd")),
      ],
      closeAfterEchoes: 1,
      expect: { echoes: ["abcd"], pongs: [[0x70]], wire: 1000, app: 1000 },
    },
    {
      id: "f-empty-fragments",
      frames: () => [
        frame(OP.text, utf8(""), { fin: false }),
        frame(OP.cont, utf8(""), { fin: false }),
        frame(OP.cont, utf8("")),
      ],
      closeAfterEchoes: 1,
      expect: { echoes: [""], wire: 1000, app: 1000 },
    },
    {
      id: "f-ping-0",
      frames: () => [frame(OP.ping), close1000()],
      expect: { pongs: [[]], wire: 1000, app: 1000 },
    },
    {
      id: "f-ping-125",
      frames: () => [frame(OP.ping, new Uint8Array(125).fill(7)), close1000()],
      expect: { pongs: [new Array(125).fill(7)], wire: 1000, app: 1000 },
    },
    {
      id: "f-unsolicited-pong",
      frames: () => [frame(OP.pong, utf8("x")), close1000()],
      expect: { pongs: [], wire: 1000, app: 1000 },
    },
    {
      id: "f-burst-100",
      frames: () => [
        new Uint8Array(
          Array.from({ length: 100 }, (_, i) => [...frame(OP.text, utf8(`m${i}`))]).flat(),
        ),
      ],
      closeAfterEchoes: 100,
      expect: {
        echoes: Array.from({ length: 100 }, (_, i) => `m${i}`),
        wire: 1000,
        app: 1000,
      },
    },
    {
      id: "f-close-1000-reason",
      frames: () => [frame(OP.close, closePayload(1000, "bye"))],
      expect: { wire: 1000, app: 1000, reason: "bye" },
    },
    {
      id: "f-close-empty",
      frames: () => [frame(OP.close)],
      expect: { wire: 1005, app: 1005 },
    },
    ...[1001, 1003, 1007, 1011, 1014, 3000, 4999].map((code) => ({
      id: `f-close-code-valid-${code}`,
      frames: () => [frame(OP.close, closePayload(code))],
      expect: { wire: code, app: code },
    })),
    {
      id: "f-close-then-data-ignored",
      frames: () => [close1000(), frame(OP.text, utf8("late"))],
      expect: { echoes: [], wire: 1000, app: 1000 },
    },
    {
      id: "f-server-drops-tcp",
      afterOpen: "drop" as const,
      expect: { wire: null, app: 1006 },
    },
    {
      id: "f-server-closes-without-answer",
      frames: () => [close1000()],
      answersClose: false,
      expect: { wire: 1000, app: 1000 },
    },
    {
      id: "f-text-64k",
      frames: () => [frame(OP.text, utf8("é".repeat(32_768)))],
      closeAfterEchoes: 1,
      expect: { echoes: ["é".repeat(32_768)], wire: 1000, app: 1000 },
    },
  ].map((c) => ({ ...c, group: "framing" as const })),
);

const DEFLATE_OK = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
const deflate: ClientCase[] = ([
  {
    id: "d-compressed-echo",
    extensions: DEFLATE_OK,
    frames: () => [frame(OP.text, deflated(utf8("hello hello hello")), { rsv: 4 })],
    closeAfterEchoes: 1,
    expect: { echoes: ["hello hello hello"], extensions: DEFLATE_OK, wire: 1000, app: 1000 },
  },
  {
    id: "d-fragmented-compressed",
    extensions: DEFLATE_OK,
    frames: () => {
      const data = deflated(utf8("fragmented and compressed"));
      return [
        frame(OP.text, data.subarray(0, 5), { rsv: 4, fin: false }),
        frame(OP.cont, data.subarray(5)),
      ];
    },
    closeAfterEchoes: 1,
    expect: { echoes: ["fragmented and compressed"], wire: 1000, app: 1000 },
  },
  {
    id: "d-large-compressed-echo",
    extensions: DEFLATE_OK,
    frames: () => [frame(OP.binary, deflated(new Uint8Array(100_000).fill(65)), { rsv: 4 })],
    closeAfterEchoes: 1,
    expect: { echoes: [new Array(100_000).fill(65)], wire: 1000, app: 1000 },
  },
  {
    id: "d-declined",
    frames: () => [close1000()],
    expect: { extensions: "", wire: 1000, app: 1000 },
  },
  {
    id: "d-unknown-param",
    extensions: "permessage-deflate; x_foo",
    expect: { handshakeError: "INVALID_EXTENSION_RESPONSE" },
  },
  {
    id: "d-server-window-16",
    extensions: "permessage-deflate; server_max_window_bits=16",
    expect: { handshakeError: "INVALID_EXTENSION_RESPONSE" },
  },
  {
    id: "d-client-window-7",
    extensions: "permessage-deflate; client_max_window_bits=7",
    expect: { handshakeError: "INVALID_EXTENSION_RESPONSE" },
  },
  {
    id: "d-flag-with-value",
    extensions: "permessage-deflate; server_no_context_takeover=1",
    expect: { handshakeError: "INVALID_EXTENSION_RESPONSE" },
  },
  {
    id: "d-repeated-param",
    extensions: "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
    expect: { handshakeError: "INVALID_EXTENSION_RESPONSE" },
  },
  {
    id: "d-twice",
    extensions: "permessage-deflate, permessage-deflate",
    expect: { handshakeError: "UNOFFERED_EXTENSION" },
  },
  {
    id: "d-rsv1-on-ping",
    extensions: DEFLATE_OK,
    frames: () => [frame(OP.ping, utf8("p"), { rsv: 4 })],
    expect: { wire: 1002, app: 1006 },
  },
  {
    id: "d-rsv1-on-continuation",
    extensions: DEFLATE_OK,
    frames: () => [
      frame(OP.text, utf8("a"), { fin: false }),
      frame(OP.cont, deflated(utf8("b")), { rsv: 4 }),
    ],
    expect: { wire: 1002, app: 1006 },
  },
  {
    id: "d-rsv2",
    extensions: DEFLATE_OK,
    frames: () => [frame(OP.text, utf8("a"), { rsv: 2 })],
    expect: { wire: 1002, app: 1006 },
  },
  {
    id: "d-invalid-deflate-data",
    extensions: DEFLATE_OK,
    frames: () => [frame(OP.binary, bytes(0xff, 0xff, 0xff, 0xff), { rsv: 4 })],
    expect: { wire: 1007, app: 1006 },
  },
  {
    id: "d-invalid-utf8-compressed",
    extensions: DEFLATE_OK,
    frames: () => [frame(OP.text, deflated(bytes(0xce, 0xff)), { rsv: 4 })],
    expect: { wire: 1007, app: 1006 },
  },
  {
    id: "d-bomb",
    extensions: DEFLATE_OK,
    maxMessageSize: 1024 * 1024,
    frames: () => [frame(OP.binary, deflated(new Uint8Array(64 * 1024 * 1024)), { rsv: 4 })],
    expect: { wire: 1009, app: 1006 },
  },
] as Omit<ClientCase, "group">[]).map((c) => ({ ...c, group: "deflate" as const, deflate: true }));

/** Every case. */
export const clientCases: ClientCase[] = [
  ...handshake.map((c) => ({ ...c, group: "handshake" as const })),
  ...framing,
  ...deflate,
];

/** The case with this id. */
export function findCase(id: string): ClientCase | undefined {
  return clientCases.find((c) => c.id === id);
}
