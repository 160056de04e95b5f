/**
 * A received WebSocket message, text or binary, with readers for each form.
 *
 * @module
 */

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * One complete message as it arrived: `data` is a string for text frames and
 * a `Uint8Array` for binary frames; `text()`, `bytes()` and `json()` convert.
 *
 * @example
 * ```ts
 * import { Message } from "@omnisocket/core";
 *
 * const message = new Message('{"hello":"world"}');
 * console.log(message.isBinary); // false
 * console.log(message.json<{ hello: string }>().hello); // "world"
 * ```
 */
export class Message {
  /** The payload exactly as received: string for text, bytes for binary. */
  readonly data: string | Uint8Array;

  /** Wraps a received payload. */
  constructor(data: string | Uint8Array) {
    this.data = data;
  }

  /** True for a binary message, false for text. */
  get isBinary(): boolean {
    return typeof this.data !== "string";
  }

  /** The payload as text (binary payloads are decoded as UTF-8, invalid bytes replaced). */
  text(): string {
    return typeof this.data === "string" ? this.data : decoder.decode(this.data);
  }

  /** The payload as bytes (text payloads are encoded as UTF-8). */
  bytes(): Uint8Array {
    return typeof this.data === "string" ? encoder.encode(this.data) : this.data;
  }

  /** The payload parsed as JSON; throws a `SyntaxError` when it is not JSON. */
  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T;
  }
}
