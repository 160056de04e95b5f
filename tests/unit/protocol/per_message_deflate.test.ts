import { describe, test } from "node:test";
import assert from "node:assert/strict";
import zlib from "node:zlib";
import process from "node:process";
import { nodeDeflateCodec } from "../../../src/runtime/node_deflate_codec.ts";
import type { DeflateAgreement } from "../../../src/handshake/negotiate_permessage_deflate.ts";
import { PerMessageDeflate } from "../../../src/protocol/per_message_deflate.ts";
import { clientFrame, concat, hex, joined } from "../frame/fixtures.ts";
import { feedEveryWay, open } from "./harness.ts";

const codec = nodeDeflateCodec();
const TAKEOVER: DeflateAgreement = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};
const FRESH: DeflateAgreement = {
  ...TAKEOVER,
  serverNoContextTakeover: true,
  clientNoContextTakeover: true,
};

function deflate(
  agreement: DeflateAgreement = TAKEOVER,
  settings: Partial<ConstructorParameters<typeof PerMessageDeflate>[2]> = {},
): PerMessageDeflate {
  return new PerMessageDeflate(codec, agreement, {
    level: 6,
    memLevel: 8,
    threshold: 0,
    maxMessageSize: 1024 * 1024,
    ...settings,
  });
}

const bytesOf = (text: string) =>
  Uint8Array.from(text.match(/../g)!.map((pair) => parseInt(pair, 16)));
const HELLO = "f248cdc9c90700";
const SYNC = { finishFlush: zlib.constants.Z_SYNC_FLUSH };

describe("PerMessageDeflate (RFC 7692 §7.2.3 examples)", () => {
  test("server compresses Hello to f2 48 cd c9 c9 07 00 with RSV1 set", () => {
    const { connection } = open("server", { extensions: [deflate(FRESH)] });
    connection.send("Hello");
    connection.send("Hello");
    assert.equal(
      hex(joined(connection.takeOutput())),
      `c1 07 ${hex(bytesOf(HELLO))} `.repeat(2).trim(),
    );
  });

  test("server refers back to the previous message when it takes context over", () => {
    const { connection } = open("server", { extensions: [deflate()] });
    connection.send("Hello");
    connection.send("Hello");
    const second = codec.supportsDictionary
      ? "c1 05 f2 00 11 00 00"
      : `c1 07 ${hex(bytesOf(HELLO))}`;
    assert.equal(hex(joined(connection.takeOutput())), `c1 07 ${hex(bytesOf(HELLO))} ${second}`);
  });

  test("server decodes one block, two fragments, a stored block, a final block and two blocks", () => {
    const cases: [string, Uint8Array][] = [
      ["one frame", clientFrame(0xc1, bytesOf(HELLO))],
      [
        "two fragments",
        concat(clientFrame(0x41, bytesOf("f248cd")), clientFrame(0x80, bytesOf("c9c90700"))),
      ],
      ["no compression", clientFrame(0xc1, bytesOf("000500faff48656c6c6f00"))],
      ["BFINAL set", clientFrame(0xc1, bytesOf("f348cdc9c9070000"))],
      ["two DEFLATE blocks", clientFrame(0xc1, bytesOf("f24805000000ffffcac9c90700"))],
    ];
    for (const [_name, frame] of cases) {
      // The message after each one must decode too (python websockets 10.4 lost it after BFINAL).
      feedEveryWay("server", concat(frame, clientFrame(0xc1, bytesOf(HELLO))), {
        events: [["text", "Hello"], ["text", "Hello"]],
      }, { extensions: [deflate()] });
    }
  });

  test("server decodes a back-reference into the previous message when the client takes context over", (t) => {
    const bytes = concat(
      clientFrame(0xc1, bytesOf(HELLO)),
      clientFrame(0xc1, bytesOf("f200110000")),
    );
    if (!codec.supportsDictionary) {
      // Deno's node:zlib ignores dictionaries: the server then negotiates no takeover at all.
      t.diagnostic("this runtime's zlib has no preset dictionaries");
      const { connection, recorder } = open("server", { extensions: [deflate()] });
      connection.receive(bytes);
      assert.deepEqual(recorder.events[0], ["text", "Hello"]);
      assert.equal((recorder.events.at(-1) as unknown[])[0], "close");
      return;
    }
    feedEveryWay("server", bytes, { events: [["text", "Hello"], ["text", "Hello"]] }, {
      extensions: [deflate()],
    });
  });
});

describe("PerMessageDeflate limits and failures", () => {
  test("server closes with 1009 after inflating about the limit when 200 MiB of zeros arrive in ~200 KB", () => {
    // Sync-flushed segments are independent: 200 copies inflate to 200 MiB.
    const segment = zlib.deflateRawSync(new Uint8Array(1 << 20), { ...SYNC, level: 9 });
    const payload = new Uint8Array(segment.length * 200);
    for (let i = 0; i < 200; i++) payload.set(segment, i * segment.length);
    assert.ok(payload.length < 300_000, `${payload.length} bytes on the wire`);
    const before = process.memoryUsage().rss;
    const { connection, recorder } = open("server", {
      extensions: [deflate(TAKEOVER, { maxMessageSize: 1 << 20 })],
      maxMessageSize: 1 << 20,
    });
    connection.receive(clientFrame(0xc2, payload));
    assert.deepEqual(recorder.events, [["error", "MESSAGE_TOO_LARGE", 1009], [
      "close",
      1009,
      "",
      false,
    ]]);
    const grown = process.memoryUsage().rss - before;
    assert.ok(grown < 64 * 1024 * 1024, `RSS grew by ${grown} bytes`);
  });

  test("server closes with 1007 when the compressed data is invalid", () => {
    const { connection, recorder } = open("server", { extensions: [deflate()] });
    connection.receive(clientFrame(0xc2, [0xff, 0xff, 0xff, 0xff]));
    assert.deepEqual(recorder.events, [["error", "INVALID_COMPRESSED_DATA", 1007], [
      "close",
      1007,
      "",
      false,
    ]]);
  });

  test("server closes with 1007 when compressed text is not UTF-8", () => {
    const invalid = zlib.deflateRawSync(Uint8Array.from([0xc3, 0x28]), SYNC).subarray(0, -4);
    const { connection, recorder } = open("server", { extensions: [deflate()] });
    connection.receive(clientFrame(0xc1, invalid));
    assert.deepEqual(recorder.events.map((event) => (event as unknown[])[0]), ["error", "close"]);
    assert.equal((recorder.events[1] as unknown[])[1], 1007);
  });

  test("server closes with 1002 for RSV1 on a continuation frame, on a ping, or without the extension", () => {
    for (
      const [bytes, extensions] of [
        [concat(clientFrame(0x41, bytesOf("f248cd")), clientFrame(0xc0, bytesOf("c9c90700"))), [
          deflate(),
        ]],
        [clientFrame(0xc9, []), [deflate()]],
        [clientFrame(0xc1, bytesOf(HELLO)), []],
      ] as const
    ) {
      const { connection, recorder } = open("server", { extensions });
      connection.receive(bytes);
      assert.deepEqual(recorder.events.at(-1), ["close", 1002, "", false], hex(bytes));
    }
  });
});

describe("PerMessageDeflate sending", () => {
  test("server sends below the threshold uncompressed unless compress is true, and never when false", () => {
    const { connection } = open("server", { extensions: [deflate(FRESH, { threshold: 6 })] });
    connection.send("Hello");
    connection.send("Hello", true);
    connection.send("Hello, world", false);
    assert.equal(
      hex(joined(connection.takeOutput())),
      `81 05 48 65 6c 6c 6f c1 07 ${hex(bytesOf(HELLO))} 81 0c ${
        hex(new TextEncoder().encode("Hello, world"))
      }`,
    );
  });

  for (const bits of [8, 9, 10, 12, 15]) {
    test(`server output decodes with exactly the announced ${bits}-bit window across messages`, () => {
      const extension = deflate({ ...TAKEOVER, serverMaxWindowBits: bits });
      const { connection } = open("server", { extensions: [extension] });
      const messages: Uint8Array[] = [];
      for (let i = 0; i < 40; i++) {
        const text = JSON.stringify({
          id: i,
          items: Array.from(
            { length: 20 + (i % 7) },
            (_, k) => ({ key: `k${k % 5}`, value: i * k }),
          ),
        });
        messages.push(new TextEncoder().encode(text));
        connection.send(text);
      }
      // One continuous stream as a client's inflater sees it: each payload plus 00 00 ff ff.
      const frames = joined(connection.takeOutput());
      const stream: Uint8Array[] = [];
      for (let at = 0; at < frames.length;) {
        let length = frames[at + 1] & 0x7f;
        let header = 2;
        if (length === 126) {
          length = (frames[at + 2] << 8) | frames[at + 3];
          header = 4;
        }
        assert.equal(frames[at], 0xc1);
        stream.push(frames.subarray(at + header, at + header + length), bytesOf("0000ffff"));
        at += header + length;
      }
      const inflated = zlib.inflateRawSync(concat(...stream), { ...SYNC, windowBits: bits });
      assert.equal(hex(inflated), hex(concat(...messages)));
    });
  }

  test("server inflates a client stream compressed with takeover by a live zlib stream", async () => {
    const compressor = zlib.createDeflateRaw({ windowBits: 10 });
    const chunks: Uint8Array[] = [];
    compressor.on("data", (chunk: Uint8Array) => chunks.push(chunk));
    const texts = Array.from(
      { length: 30 },
      (_, i) => `{"id":${i},"name":"user ${i % 4}","ok":true}`.repeat(8),
    );
    const frames: Uint8Array[] = [];
    for (const text of texts) {
      compressor.write(text);
      await new Promise<void>((resolve) =>
        compressor.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve())
      );
      const payload = concat(...chunks.splice(0)).subarray(0, -4);
      frames.push(clientFrame(0xc1, payload));
    }
    compressor.close();
    const agreement = { ...TAKEOVER, clientMaxWindowBits: 10 };
    if (!codec.supportsDictionary) {
      // Without dictionaries only the first message, which refers to nothing before it, decodes.
      feedEveryWay("server", frames[0], { events: [["text", texts[0]]] }, {
        extensions: [deflate(agreement)],
      });
      return;
    }
    feedEveryWay("server", concat(...frames), {
      events: texts.map((text) => ["text", text]),
    }, { extensions: [deflate(agreement)] });
  });
});
