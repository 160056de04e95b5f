/**
 * The compact encoding of one publication, on a sharded pub/sub channel and in a topic's history
 * (one string), plus the per-topic offset `"epoch:sequence"`.
 *
 * @module
 */

/** @internal One publication as it travels on a topic's channel. */
export interface ChannelMessage {
  epoch: string;
  seq: number;
  kind: string;
  /** When it was published, in milliseconds since the epoch (the publisher's clock). */
  time: number;
  origin: string;
  data: string;
}

// `<kind><epoch>:<seq>:<time>:<origin, URI-encoded>:<data>`: kind is one character ("s" text, "b"
// base64 bytes), the epoch hex, the time decimal, so the first four colons are separators and the
// data is the rest.
/** @internal Parses a channel message; null when it is not one of ours. */
export function parseChannelMessage(message: string): ChannelMessage | null {
  const a = message.indexOf(":", 1);
  const b = a < 0 ? -1 : message.indexOf(":", a + 1);
  const c = b < 0 ? -1 : message.indexOf(":", b + 1);
  const d = c < 0 ? -1 : message.indexOf(":", c + 1);
  if (d < 0) return null;
  const seq = Number(message.slice(a + 1, b));
  if (!Number.isSafeInteger(seq) || seq < 1) return null;
  return {
    kind: message[0],
    epoch: message.slice(1, a),
    seq,
    time: Number(message.slice(b + 1, c)),
    origin: decodeURIComponent(message.slice(c + 1, d)),
    data: message.slice(d + 1),
  };
}

/** @internal The data as published: text, or bytes (which travel as base64). */
export function dataOf(kind: string | undefined, data: string): string | Uint8Array {
  return kind === "b" ? decodeBytes(data) : data;
}

/** @internal Bytes as base64: the client hands replies back as strings. */
export function encodeBytes(bytes: Uint8Array): string {
  let latin1 = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    latin1 += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(latin1);
}

function decodeBytes(base64: string): Uint8Array {
  const latin1 = atob(base64);
  const bytes = new Uint8Array(latin1.length);
  for (let i = 0; i < latin1.length; i++) bytes[i] = latin1.charCodeAt(i);
  return bytes;
}

/** @internal `"epoch:sequence"` → its parts; null when it is not such an offset. */
export function parseOffset(offset: string): { epoch: string; seq: number } | null {
  const colon = offset.lastIndexOf(":");
  if (colon <= 0) return null;
  const digits = offset.slice(colon + 1);
  if (!/^\d{1,15}$/.test(digits)) return null;
  const seq = Number(digits);
  return seq >= 1 ? { epoch: offset.slice(0, colon), seq } : null;
}

/** @internal A fresh epoch: 16 hex digits. */
export function newEpoch(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  let epoch = "";
  for (const byte of bytes) epoch += byte.toString(16).padStart(2, "0");
  return epoch;
}
