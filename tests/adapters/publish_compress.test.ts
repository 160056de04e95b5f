/**
 * `PublishOptions.compress` on every server whose frames we (or Bun) write:
 * subscribers with and without server context takeover, and without
 * compression, receive every publication and decode it; `compress: false`
 * arrives uncompressed. (That one compressed frame is shared is shown with
 * a counting codec in tests/unit/protocol/shared_publication.test.ts.)
 * Deno's native server refuses permessage-deflate; workerd compresses by
 * itself (see the README).
 *
 * @module
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { RawClient } from "../conformance/raw_client.ts";
import { OP } from "../conformance/frame_codec.ts";
import { nodeDeflateCodec } from "../../src/runtime/node_deflate_codec.ts";
import { PerMessageDeflate } from "../../src/protocol/per_message_deflate.ts";
import { parseExtensions } from "../../src/handshake/parse_extensions.ts";
import { deflateAgreementOf } from "../../src/handshake/negotiate_permessage_deflate.ts";
import { type RunningExample, runtimesUnderTest, startExample } from "../support/example_server.ts";

const TIMEOUT = 15_000;
const text = new TextDecoder();
const encoder = new TextEncoder();

/** A JSON document of about `size` bytes with repeated keys. */
function json(size: number, seed: number): string {
  const items = [];
  for (let i = 0; JSON.stringify(items).length < size - 40; i++) {
    items.push({ id: seed * 1000 + i, name: `item-${i}`, price: (i * 37 + seed) % 500 });
  }
  return JSON.stringify({ type: "update", seq: seed, items });
}

interface Subscriber {
  client: RawClient;
  /** Decodes compressed messages as this client's side of the agreement, context included. */
  decoder: PerMessageDeflate | null;
}

async function subscriber(url: string, offer?: string): Promise<Subscriber> {
  const client = await RawClient.connect(url, TIMEOUT, offer);
  let decoder: PerMessageDeflate | null = null;
  if (offer !== undefined) {
    const [accepted] = parseExtensions(client.extensions);
    decoder = new PerMessageDeflate(nodeDeflateCodec(), deflateAgreementOf(accepted), {
      level: 6,
      memLevel: 8,
      threshold: 0,
      maxMessageSize: 1 << 20,
    }, "client");
  }
  const ready = await client.next("ready");
  assert.notEqual(typeof ready, "string", "TCP closed before ready");
  assert.equal(text.decode((ready as { payload: Uint8Array }).payload), "ready");
  return { client, decoder };
}

/** The next message: its text and whether it came compressed (RSV1). */
async function nextMessage(who: Subscriber, what: string): Promise<[string, boolean]> {
  const frame = await who.client.next(what);
  if (typeof frame === "string") throw new Error(`TCP closed (${frame}) awaiting ${what}`);
  assert.equal(frame.opcode, OP.text);
  assert.equal(frame.fin, true);
  const compressed = (frame.rsv & 4) !== 0;
  if (!compressed) return [text.decode(frame.payload), false];
  assert.ok(who.decoder !== null, `${what}: compressed without permessage-deflate`);
  return [text.decode(who.decoder.decodeMessage(frame.payload)), true];
}

const servers: { name: string; runtime: "node" | "deno" | "bun"; engine: string }[] = [];
for (const runtime of runtimesUnderTest()) {
  servers.push({ name: `${runtime} (omnisocket engine)`, runtime, engine: "omnisocket" });
  if (runtime === "bun") servers.push({ name: "bun (native)", runtime, engine: "native" });
}

for (const { name, runtime, engine } of servers) {
  describe(`publish compress on ${name}`, { timeout: 60_000 }, () => {
    let server: RunningExample;
    before(async () => {
      server = await startExample({
        runtime,
        file: "tests/support/compress_topics_server.ts",
        args: ["--engine", engine],
      });
    });
    after(async () => {
      await server?.stop();
    });

    test("every subscriber decodes each publication; compress false arrives uncompressed", async () => {
      const fresh = await subscriber(server.url, "permessage-deflate; server_no_context_takeover");
      const takeover = await subscriber(server.url, "permessage-deflate");
      const takeover2 = await subscriber(server.url, "permessage-deflate; client_max_window_bits");
      const plain = await subscriber(server.url);
      const everyone = [fresh, takeover, takeover2, plain];
      const sent = [1, 2, 3].map((seed) => json(2048, seed));
      const commands = [
        ...sent.map((data) => ({ data })),
        { data: sent[0], compress: false },
        { data: "small", compress: true },
      ];
      for (const command of commands) {
        await plain.client.sendFrame({
          opcode: OP.text,
          payload: encoder.encode(JSON.stringify(command)),
        });
      }
      for (const [i, who] of everyone.entries()) {
        const label = ["fresh", "takeover", "takeover (12 bits)", "plain"][i];
        const got: string[] = [];
        const compressed: boolean[] = [];
        for (let n = 0; n < commands.length; n++) {
          const [message, wasCompressed] = await nextMessage(who, `${label}: publication`);
          got.push(message);
          compressed.push(wasCompressed);
        }
        assert.deepEqual(got, commands.map((command) => command.data), label);
        const deflate = who.decoder !== null;
        assert.deepEqual(compressed, [deflate, deflate, deflate, false, deflate], label);
      }
      for (const who of everyone) who.client.destroy();
    });
  });
}
