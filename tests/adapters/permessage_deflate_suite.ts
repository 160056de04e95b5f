/**
 * permessage-deflate on a server, black-box over real sockets: what it
 * answers to offers, that compressed messages echo, and that every bad input
 * (a decompression bomb, invalid DEFLATE, RSV1 where it may not be) is
 * answered with its close code while the server keeps serving.
 *
 * @module
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import zlib from "node:zlib";
import { encodeFrame, OP } from "../conformance/frame_codec.ts";
import { RawClient } from "../conformance/raw_client.ts";

const OFFER = "permessage-deflate; client_max_window_bits";
const SYNC = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
const TIMEOUT = 15_000;

function compressed(bytes: Uint8Array): Uint8Array {
  const out = zlib.deflateRawSync(bytes, SYNC);
  return out.subarray(0, out.length - 4);
}

// 200 MiB of zeros in about 200 KB: 200 copies of one sync-flushed MiB.
function bomb(): Uint8Array {
  const segment = zlib.deflateRawSync(new Uint8Array(1 << 20), { ...SYNC, level: 9 });
  const payload = new Uint8Array(segment.length * 200);
  for (let i = 0; i < 200; i++) payload.set(segment, i * segment.length);
  return payload;
}

function rssKiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  } catch {
    return undefined;
  }
}

/** A server to check, and which side of each runtime difference it is on. */
export interface Target {
  /** Shown in test names. */
  name: string;
  /** Starts the server (compression on, 16 MiB messages or less). */
  start(): Promise<{ url: string; pid?: number; stop(): Promise<unknown> }>;
  /** The server closes a decompression bomb with 1009 (the limit applies to the inflated size). */
  boundsInflatedSize: boolean;
  /**
   * The server checks RSV1 itself (control and continuation frames, nothing negotiated) and
   * answers invalid DEFLATE with 1007. workerd owns its frames and does neither (capabilities).
   */
  strictDeflateFraming: boolean;
}

/** Runs every permessage-deflate check against one server. */
export function deflateSuite(target: Target): void {
  describe(`permessage-deflate on ${target.name}`, () => {
    let server: { url: string; pid?: number; stop(): Promise<unknown> } | undefined;
    before(async () => {
      server = await target.start();
    }, { timeout: 30_000 });
    after(async () => {
      await server?.stop();
    }, { timeout: 10_000 });

    const connect = (offer: string | null = OFFER) =>
      RawClient.connect(server!.url, TIMEOUT, offer ?? undefined);

    test(`${target.name} accepts Chromium's offer and echoes a compressed message`, {
      timeout: TIMEOUT,
    }, async () => {
      const client = await connect();
      try {
        assert.match(client.extensions, /^permessage-deflate/);
        const text = JSON.stringify({
          hello: "world",
          list: Array.from({ length: 100 }, (_, i) => i),
        });
        await client.sendFrame({
          opcode: OP.text,
          rsv: 4,
          payload: compressed(new TextEncoder().encode(text)),
        });
        const arrival = await client.next("echo");
        assert.ok(typeof arrival !== "string", "echo arrived");
        const payload = (arrival.rsv & 4) !== 0
          ? zlib.inflateRawSync(
            Buffer.concat([arrival.payload, Buffer.from([0, 0, 255, 255])]),
            SYNC,
          )
          : arrival.payload;
        assert.equal(new TextDecoder().decode(payload), text);
        await client.closeHandshake();
      } finally {
        client.destroy();
      }
    });

    test(`${target.name} echoes a burst of empty compressed messages and stays open`, {
      timeout: TIMEOUT,
    }, async () => {
      const client = await connect();
      try {
        for (let i = 0; i < 10; i++) {
          const opcode = i % 2 === 0 ? OP.text : OP.binary;
          await client.sendFrame({ opcode, rsv: 4, payload: compressed(new Uint8Array(0)) });
        }
        for (let i = 0; i < 10; i++) {
          const arrival = await client.next(`echo ${i} of an empty message`);
          assert.ok(typeof arrival !== "string", `echo ${i} arrived: ${arrival}`);
          assert.equal(arrival.opcode, i % 2 === 0 ? OP.text : OP.binary);
          const payload = (arrival.rsv & 4) !== 0
            ? zlib.inflateRawSync(
              Buffer.concat([arrival.payload, Buffer.from([0, 0, 255, 255])]),
              SYNC,
            )
            : arrival.payload;
          assert.equal(payload.length, 0);
        }
        await client.closeHandshake();
      } finally {
        client.destroy();
      }
    });

    test(
      `${target.name} closes with 1009 when 200 MiB of zeros arrive in ~200 KB, memory bounded`,
      { timeout: 30_000 },
      async () => {
        const before = rssKiB(server!.pid);
        const client = await connect();
        try {
          await client.sendFrame({ opcode: OP.binary, rsv: 4, payload: bomb() });
          if (target.boundsInflatedSize) {
            await client.expectFailure(1009, "decompression bomb", false);
          } else await client.expectClose([1009, 1006, 1011], "decompression bomb");
        } finally {
          client.destroy();
        }
        const afterKiB = rssKiB(server!.pid);
        if (before !== undefined && afterKiB !== undefined) {
          // The limit is 16 MiB: inflating 200 MiB would show as far more than this.
          assert.ok(afterKiB - before < 96 * 1024, `server RSS grew by ${afterKiB - before} KiB`);
        }
      },
    );

    test(`${target.name} closes with 1007 when the compressed data is invalid`, {
      timeout: TIMEOUT,
    }, async () => {
      const client = await connect();
      try {
        await client.sendFrame({
          opcode: OP.binary,
          rsv: 4,
          payload: Uint8Array.from([0xff, 0xff, 0xff, 0xff]),
        });
        // workerd fails it as a protocol error.
        await client.expectFailure(target.strictDeflateFraming ? 1007 : 1002, "invalid DEFLATE");
      } finally {
        client.destroy();
      }
    });

    for (
      const [what, frames] of [
        ["a ping", () => [encodeFrame({ opcode: OP.ping, rsv: 4 })]],
        ["a continuation frame", () => [
          encodeFrame({
            opcode: OP.text,
            rsv: 4,
            fin: false,
            payload: Uint8Array.from([0xf2, 0x48]),
          }),
          encodeFrame({
            opcode: OP.cont,
            rsv: 4,
            payload: Uint8Array.from([0xcd, 0xc9, 0xc9, 0x07, 0x00]),
          }),
        ]],
      ] as const
    ) {
      test(
        `${target.name} closes with 1002 for RSV1 on ${what}`,
        { timeout: TIMEOUT },
        async () => {
          const client = await connect();
          try {
            await client.send(frames(), "whole");
            if (target.strictDeflateFraming) {
              await client.expectFailure(1002, `RSV1 on ${what}`);
            } else {
              // workerd lets it through: an answer arrives instead of a close.
              const arrival = await client.next(`answer to RSV1 on ${what}`);
              assert.ok(typeof arrival !== "string" && arrival.opcode !== OP.close);
            }
          } finally {
            client.destroy();
          }
        },
      );
    }

    test(`${target.name} closes with 1002 for RSV1 when nothing was negotiated`, {
      timeout: TIMEOUT,
    }, async () => {
      const client = await connect(null);
      try {
        await client.sendFrame({
          opcode: OP.text,
          rsv: 4,
          payload: Uint8Array.from([0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]),
        });
        if (target.strictDeflateFraming) {
          await client.expectFailure(1002, "RSV1 without permessage-deflate");
        } else {
          // workerd answers with a close frame longer than 125 bytes: anything but the echo.
          const arrival = await client.next("answer to RSV1 without permessage-deflate")
            .catch((error: Error) => error.message);
          assert.ok(typeof arrival === "string" || arrival.opcode !== OP.text, "not echoed");
        }
      } finally {
        client.destroy();
      }
    });

    test(`${target.name} still echoes after every bad input`, { timeout: TIMEOUT }, async () => {
      const client = await connect();
      try {
        const text = "still here ".repeat(200);
        await client.sendFrame({
          opcode: OP.text,
          rsv: 4,
          payload: compressed(new TextEncoder().encode(text)),
        });
        const arrival = await client.next("echo");
        assert.ok(typeof arrival !== "string");
        assert.equal(arrival.opcode, OP.text);
        await client.closeHandshake();
      } finally {
        client.destroy();
      }
    });
  });
}
