import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ProtocolError } from "../../../src/errors/protocol_error.ts";
import { acceptUpgrade } from "../../../src/handshake/accept_upgrade.ts";
import { buildRejection } from "../../../src/handshake/build_responses.ts";
import { createClientHandshake } from "../../../src/handshake/client_handshake.ts";
import {
  HttpHeadParser,
  type RequestHead,
  type ResponseHead,
} from "../../../src/handshake/http_head_parser.ts";
import { parseExtensions } from "../../../src/handshake/parse_extensions.ts";
import { parseTokenList } from "../../../src/handshake/parse_token_list.ts";
import { bytes, protocolErrorOf, RFC_REQUEST, RFC_RESPONSE, seededRandom } from "./fixtures.ts";

/** Feeds `input` in random-sized chunks; returns the head, null, or the ProtocolError. */
function feed(
  kind: "request" | "response",
  input: Uint8Array,
  random: () => number,
): RequestHead | ResponseHead | ProtocolError | null {
  const parser = new HttpHeadParser({ kind, maxHeadSize: 4096, maxLineLength: 1024 });
  let offset = 0;
  try {
    while (offset < input.length) {
      const size = 1 + Math.floor(random() * 64);
      const head = parser.push(input.subarray(offset, offset + size));
      if (head !== null) return head;
      offset += size;
    }
    return null;
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
}

const INTERESTING = bytes('\r\n\t :,;="\\\x00\x7f\xff/aZ9');

function mutate(input: Uint8Array, random: () => number): Uint8Array {
  const out = [...input];
  const edits = 1 + Math.floor(random() * 4);
  for (let edit = 0; edit < edits; edit++) {
    const at = Math.floor(random() * (out.length + 1));
    const byte = random() < 0.5
      ? INTERESTING[Math.floor(random() * INTERESTING.length)]
      : Math.floor(random() * 256);
    const kind = random();
    if (kind < 0.4) out[Math.min(at, out.length - 1)] = byte;
    else if (kind < 0.7) out.splice(at, 0, byte);
    else if (kind < 0.9) out.splice(at, 1);
    else out.splice(at, 0, ...out.slice(at, at + Math.floor(random() * 40)));
  }
  return Uint8Array.from(out);
}

/** Runs the whole server path; anything thrown must be a ProtocolError that yields a rejection. */
async function serve(head: RequestHead): Promise<void> {
  try {
    await acceptUpgrade(head, {
      protocols: ["chat"],
      negotiateExtensions: (offers) => offers.slice(0, 1),
    });
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    assert.ok(buildRejection(error).length > 0);
  }
}

describe("hostile input", () => {
  test("parser yields only heads, null or ProtocolError when fed 3,000 random byte strings", () => {
    const random = seededRandom(0x5eed);
    for (let round = 0; round < 3000; round++) {
      const input = new Uint8Array(Math.floor(random() * 300));
      for (let index = 0; index < input.length; index++) input[index] = Math.floor(random() * 256);
      // A printable prefix sometimes, so that random bytes also reach the field-line code.
      if (round % 2 === 0) input.set(bytes("GET / HTTP/1.1\r\n").subarray(0, input.length));
      feed(round % 3 === 0 ? "response" : "request", input, random);
    }
  });

  test("server path throws only ProtocolError when fed 5,000 mutated valid requests", async () => {
    const random = seededRandom(42);
    const valid = bytes(
      RFC_REQUEST.slice(0, -2) + 'Sec-WebSocket-Extensions: permessage-deflate; a="1"; b\r\n\r\n',
    );
    const outcomes = { head: 0, error: 0, incomplete: 0 };
    for (let round = 0; round < 5000; round++) {
      const result = feed("request", mutate(valid, random), random);
      if (result === null) outcomes.incomplete++;
      else if (result instanceof ProtocolError) {
        assert.ok(result.status === 400 || result.status === 431 || result.status === 505);
        outcomes.error++;
      } else {
        outcomes.head++;
        await serve(result as RequestHead);
      }
    }
    // Each path must have been exercised for the test to mean something.
    assert.ok(
      outcomes.head > 100 && outcomes.error > 100 && outcomes.incomplete > 10,
      JSON.stringify(outcomes),
    );
  });

  test("client verify throws only ProtocolError when fed 3,000 mutated responses", async () => {
    const random = seededRandom(7);
    const client = await createClientHandshake("ws://a/", {
      protocols: ["chat"],
      extensions: [{ name: "permessage-deflate", params: new Map() }],
    });
    const valid = bytes(
      RFC_RESPONSE.slice(0, -2) + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
    );
    for (let round = 0; round < 3000; round++) {
      const result = feed("response", mutate(valid, random), random);
      if (result === null || result instanceof ProtocolError) continue;
      try {
        client.verify(result as ResponseHead);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
      }
    }
  });

  test("token and extension parsers throw only ProtocolError on 5,000 random strings", () => {
    const random = seededRandom(99);
    const alphabet = 'ab-_~!;,="\\ \t/()\x00\u00e9\u2028';
    for (let round = 0; round < 5000; round++) {
      let value = "";
      const length = Math.floor(random() * 40);
      for (let index = 0; index < length; index++) {
        value += alphabet[Math.floor(random() * alphabet.length)];
      }
      for (const parse of [parseTokenList, parseExtensions]) {
        try {
          parse(value);
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
        }
      }
    }
  });
});

describe("adversarial inputs", () => {
  test("parser rejects Sec-WebSocket-Protocol of b, 100k spaces and x with 431 at the line limit", () => {
    const head = RFC_REQUEST.slice(0, -2) + "Sec-WebSocket-Protocol: b" + " ".repeat(100_000) +
      "x\r\n\r\n";
    const error = protocolErrorOf(() => new HttpHeadParser({ kind: "request" }).push(bytes(head)));
    assert.equal(error.status, 431);
  });

  test("server rejects b, 100k spaces and x with 400 when the limits let it through", async () => {
    const value = "b" + " ".repeat(100_000) + "x";
    const head = new HttpHeadParser({
      kind: "request",
      maxHeadSize: 1 << 20,
      maxLineLength: 1 << 20,
    }).push(bytes(RFC_REQUEST.slice(0, -2) + `Sec-WebSocket-Protocol: ${value}\r\n\r\n`));
    let error: unknown;
    try {
      await acceptUpgrade(head as RequestHead, { protocols: ["b"] });
    } catch (caught) {
      error = caught;
    }
    assert.ok(error instanceof ProtocolError);
    assert.equal(error.code, "INVALID_TOKEN_LIST");
    assert.equal(error.status, 400);
  });

  test("parser rejects a head with 5,000 headers pushed one byte at a time", () => {
    const input = bytes("GET / HTTP/1.1\r\n" + "a: b\r\n".repeat(5000) + "\r\n");
    const parser = new HttpHeadParser({ kind: "request", maxHeadSize: 1 << 20 });
    const error = protocolErrorOf(() => {
      for (let index = 0; index < input.length; index++) {
        parser.push(input.subarray(index, index + 1));
      }
    });
    assert.equal(error.code, "TOO_MANY_HEADERS");
    assert.equal(error.status, 431);
  });

  test("parser rejects a 1 MB value pushed in 1 KiB chunks before buffering it", () => {
    const parser = new HttpHeadParser({ kind: "request" });
    parser.push(bytes("GET / HTTP/1.1\r\nX: "));
    const chunk = new Uint8Array(1024).fill(0x61);
    let pushed = 0;
    const error = protocolErrorOf(() => {
      for (; pushed < 1024; pushed++) parser.push(chunk);
    });
    assert.equal(error.status, 431);
    // Stopped at the 8 KiB limit, not after the whole megabyte.
    assert.ok(pushed <= 8, `stopped after ${pushed} chunks`);
  });
});
