/**
 * permessage-deflate (RFC 7692), after Autobahn's sections 12 and 13: messages of 16 B to
 * 128 KiB compressed by the client, unfragmented and fragmented, each echoed and decoded with
 * exactly the window the server announced; section 13 repeats this for each parameter set a
 * client may offer, and for three offers at once. The client side is node:zlib's streaming
 * deflate and inflate (the same API Autobahn's Python client wraps), with real context takeover.
 *
 * @module
 */

import zlib from "node:zlib";
import type { ConformanceCase } from "../case_kit.ts";
import { describeFrame, type RawClient } from "../raw_client.ts";
import { encodeFrame, OP } from "../frame_codec.ts";

const SIZES = [16, 64, 256, 1024, 4096, 8192, 16384, 32768, 65536, 131072];
const FRAGMENTS = [256, 1024, 4096, 32768];
const MESSAGES_PER_CASE = 8;
const SYNC_TAIL = Uint8Array.from([0, 0, 0xff, 0xff]);

type Kind = "text" | "binary" | "utf8" | "runs" | "random";

// One response parameter set, read from `Sec-WebSocket-Extensions`.
interface Agreement {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverBits: number;
  clientBits: number;
}

/** Parses the server's answer and checks it against the offers (RFC 7692 §7.1). */
function agreementOf(answer: string, offer: string): Agreement {
  if (answer.includes(",")) throw new Error(`server accepted more than one offer: "${answer}"`);
  const params = new Map<string, string | true>();
  for (const part of answer.split(";").slice(1)) {
    const [name, value] = part.trim().split("=");
    if (params.has(name)) throw new Error(`server repeated ${name} in "${answer}"`);
    params.set(name, value === undefined ? true : value.replace(/"/g, ""));
  }
  const bits = (name: string) => {
    const value = params.get(name);
    if (value === undefined) return 15;
    const number = Number(value);
    if (value === true || !Number.isInteger(number) || number < 8 || number > 15) {
      throw new Error(`server answered an invalid ${name} in "${answer}"`);
    }
    return number;
  };
  for (const name of params.keys()) {
    if (
      ![
        "server_no_context_takeover",
        "client_no_context_takeover",
        "server_max_window_bits",
        "client_max_window_bits",
      ].includes(name)
    ) throw new Error(`server answered an unknown parameter ${name}`);
  }
  const agreement = {
    serverNoContextTakeover: params.has("server_no_context_takeover"),
    clientNoContextTakeover: params.has("client_no_context_takeover"),
    serverBits: bits("server_max_window_bits"),
    clientBits: bits("client_max_window_bits"),
  };
  // The answer must honour one of the offers.
  const honours = offer.split(",").some((one) => {
    const offered = one.split(";").slice(1).map((part) => part.trim().split("="));
    const get = (name: string) => offered.find(([key]) => key === name);
    const serverBits = get("server_max_window_bits");
    if (get("server_no_context_takeover") && !agreement.serverNoContextTakeover) return false;
    if (serverBits && agreement.serverBits > Number(serverBits[1])) return false;
    if (params.has("client_max_window_bits") && !get("client_max_window_bits")) return false;
    const clientBits = get("client_max_window_bits");
    if (clientBits?.[1] !== undefined && agreement.clientBits > Number(clientBits[1])) return false;
    return true;
  });
  if (!honours) throw new Error(`server's answer "${answer}" honours none of "${offer}"`);
  return agreement;
}

/** A node:zlib stream fed one message at a time, each ended with a sync flush. */
class LiveStream {
  #make: () => zlib.DeflateRaw | zlib.InflateRaw;
  #stream: zlib.DeflateRaw | zlib.InflateRaw | undefined;
  #chunks: Uint8Array[] = [];
  #error: Error | undefined;

  constructor(make: () => zlib.DeflateRaw | zlib.InflateRaw) {
    this.#make = make;
  }

  async run(input: Uint8Array, fresh: boolean): Promise<Uint8Array> {
    if (fresh || this.#stream === undefined) {
      this.#stream?.close();
      const stream = this.#make();
      stream.on("data", (chunk: Uint8Array) => this.#chunks.push(chunk));
      stream.on("error", (error: Error) => (this.#error = error));
      this.#stream = stream;
    }
    const stream = this.#stream;
    stream.write(input);
    await new Promise<void>((resolve) =>
      stream.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve())
    );
    await new Promise((resolve) => setImmediate(resolve));
    if (this.#error) throw this.#error;
    const out = Buffer.concat(this.#chunks.splice(0));
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  }

  close(): void {
    this.#stream?.close();
  }
}

function payloadOf(kind: Kind, size: number, index: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let seed = (size * 31 + index * 7919 + kind.length) >>> 0;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16;
  if (kind === "text" || kind === "utf8") {
    const words = kind === "text"
      ? ['{"id":', '"name":', '"value":', "true,", "null,", '"items":[', "],", "} "]
      : ["héllo ", "wörld ", "данные ", "数据 ", "🙂 ", "text ", "ünïcødé ", "ascii "];
    const encoder = new TextEncoder();
    let at = 0;
    while (at < size) {
      const word = encoder.encode(words[random() % words.length] + (random() % 1000));
      if (at + word.length > size) {
        bytes.fill(0x20, at); // pad with spaces: still valid UTF-8
        break;
      }
      bytes.set(word, at);
      at += word.length;
    }
    return bytes;
  }
  for (let i = 0; i < size; i++) {
    bytes[i] = kind === "random"
      ? random() & 0xff
      : kind === "runs"
      ? (i >> 6) & 0x0f
      : random() & 0x0f;
  }
  return bytes;
}

function compressionCase(
  id: string,
  description: string,
  offer: string,
  kind: Kind,
  size: number,
  fragment: number,
): ConformanceCase {
  const opcode = kind === "text" || kind === "utf8" ? OP.text : OP.binary;
  return {
    id,
    description,
    offer,
    byteDelivery: size * MESSAGES_PER_CASE <= 16_384,
    timeoutMs: 10_000,
    async run(client: RawClient, delivery) {
      const agreement = agreementOf(client.extensions, offer);
      const deflater = new LiveStream(() =>
        zlib.createDeflateRaw({ windowBits: Math.max(9, agreement.clientBits) })
      );
      const inflater = new LiveStream(() =>
        zlib.createInflateRaw({ windowBits: agreement.serverBits })
      );
      try {
        for (let index = 0; index < MESSAGES_PER_CASE; index++) {
          const message = payloadOf(kind, size, index);
          const compressed = await deflater.run(message, agreement.clientNoContextTakeover);
          const body = compressed.subarray(0, compressed.length - 4);
          const frames: Uint8Array[] = [];
          const step = fragment === 0 ? Math.max(body.length, 1) : fragment;
          for (let at = 0; at < body.length || at === 0; at += step) {
            const first = at === 0;
            frames.push(encodeFrame({
              opcode: first ? opcode : OP.cont,
              rsv: first ? 4 : 0,
              fin: at + step >= body.length,
              payload: body.subarray(at, at + step),
            }));
          }
          await client.send(frames, delivery);
          await expectEcho(client, opcode, message, inflater, agreement, index);
        }
        await client.closeHandshake();
      } finally {
        deflater.close();
        inflater.close();
      }
    },
  };
}

async function expectEcho(
  client: RawClient,
  opcode: number,
  message: Uint8Array,
  inflater: LiveStream,
  agreement: Agreement,
  index: number,
): Promise<void> {
  const what = `echo of message ${index} (${message.length} bytes)`;
  const parts: Uint8Array[] = [];
  let compressed = false;
  for (let first = true;; first = false) {
    const arrival = await client.next(what);
    if (typeof arrival === "string") throw new Error(`TCP closed (${arrival}) instead of ${what}`);
    if (arrival.opcode !== (first ? opcode : OP.cont)) {
      throw new Error(`got ${describeFrame(arrival)} instead of ${what}`);
    }
    if (!first && arrival.rsv !== 0) throw new Error(`RSV set on a continuation frame of ${what}`);
    if (first) compressed = (arrival.rsv & 4) !== 0;
    parts.push(arrival.payload);
    if (arrival.fin) break;
  }
  let got = Buffer.concat(parts);
  if (compressed) {
    // Decoded with exactly the announced window: a reference further back fails here.
    const inflated = await inflater.run(
      Buffer.concat([got, SYNC_TAIL]),
      agreement.serverNoContextTakeover,
    );
    got = Buffer.from(inflated);
  }
  if (!got.equals(message)) {
    throw new Error(
      `${what} differs${compressed ? " after inflating" : ""}: got ${got.length} bytes`,
    );
  }
}

const GROUPS_12: [string, Kind, string][] = [
  ["12.1", "text", "JSON-like text"],
  ["12.2", "binary", "low-entropy binary"],
  ["12.3", "utf8", "multi-byte UTF-8 text"],
  ["12.4", "runs", "binary with long runs"],
  ["12.5", "random", "incompressible binary"],
];

// After Autobahn 13.x: (server_no_context_takeover requested, server_max_window_bits requested).
const OFFERS_13: [string, string][] = [
  ["13.1", "permessage-deflate; client_max_window_bits"],
  ["13.2", "permessage-deflate; server_no_context_takeover; client_max_window_bits"],
  ["13.3", "permessage-deflate; server_max_window_bits=8; client_max_window_bits"],
  ["13.4", "permessage-deflate; server_max_window_bits=15; client_max_window_bits"],
  [
    "13.5",
    "permessage-deflate; server_no_context_takeover; server_max_window_bits=8; client_max_window_bits",
  ],
  [
    "13.6",
    "permessage-deflate; server_no_context_takeover; server_max_window_bits=15; client_max_window_bits",
  ],
  [
    "13.7",
    "permessage-deflate; server_no_context_takeover; server_max_window_bits=8; client_max_window_bits, " +
    "permessage-deflate; server_no_context_takeover; client_max_window_bits, " +
    "permessage-deflate; client_max_window_bits",
  ],
];

// Per group: every size unfragmented, then 64 KiB and 128 KiB at each fragment size (18 cases).
function sized(prefix: string, offer: string, kind: Kind, label: string): ConformanceCase[] {
  const cases = SIZES.map((size, i) =>
    compressionCase(
      `${prefix}.${i + 1}`,
      `${label}, ${size} B compressed, echoed`,
      offer,
      kind,
      size,
      0,
    )
  );
  let n = SIZES.length;
  for (const size of [65536, 131072]) {
    for (const fragment of FRAGMENTS) {
      cases.push(compressionCase(
        `${prefix}.${++n}`,
        `${label}, ${size} B compressed in ${fragment} B fragments, echoed`,
        offer,
        kind,
        size,
        fragment,
      ));
    }
  }
  return cases;
}

/** Sections 12 (payloads and sizes) and 13 (parameter sets). */
export const compressionCases: ConformanceCase[] = [
  ...GROUPS_12.flatMap(([prefix, kind, label]) =>
    sized(prefix, "permessage-deflate; client_max_window_bits", kind, label)
  ),
  ...OFFERS_13.flatMap(([prefix, offer]) => sized(prefix, offer, "text", `offer "${offer}"`)),
];
