/**
 * Incremental, strict HTTP/1.1 head parser (RFC 9112) for the opening handshake.
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";
import type { ErrorCode } from "../errors/error_code.ts";
import { HeaderMap } from "./header_map.ts";
import { isFieldValueCode, isOwsCode, isTokenCode } from "./http_chars.ts";
import { decodeLatin1 } from "./latin1.ts";

/**
 * A parsed request head (server side).
 *
 * @example
 * ```ts
 * import { HttpHeadParser, type RequestHead } from "@omnisocket/core/protocol";
 *
 * const parser = new HttpHeadParser({ kind: "request" });
 * const bytes = new TextEncoder().encode("GET /chat HTTP/1.1\r\nHost: a\r\n\r\n");
 * const head = parser.push(bytes) as RequestHead;
 * console.log(head.target, head.headers.get("host")); // "/chat" "a"
 * ```
 */
export interface RequestHead {
  /** Request method as sent, e.g. `"GET"` (methods are case-sensitive). */
  method: string;
  /** Request target as sent, e.g. `"/chat?room=1"`. */
  target: string;
  /** Version digits, e.g. `"1.1"`. */
  httpVersion: string;
  /** Field lines in wire order. */
  headers: HeaderMap;
  /** Bytes that followed the blank line in the last chunk (e.g. early frames); a view, not a copy. */
  rest: Uint8Array;
}

/**
 * A parsed response head (client side).
 *
 * @example
 * ```ts
 * import { HttpHeadParser, type ResponseHead } from "@omnisocket/core/protocol";
 *
 * const parser = new HttpHeadParser({ kind: "response" });
 * const bytes = new TextEncoder().encode("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n");
 * const head = parser.push(bytes) as ResponseHead;
 * console.log(head.status); // 101
 * ```
 */
export interface ResponseHead {
  /** Version digits, e.g. `"1.1"`. */
  httpVersion: string;
  /** Status code, e.g. `101`. */
  status: number;
  /** Reason phrase as sent (may be empty). */
  reason: string;
  /** Field lines in wire order. */
  headers: HeaderMap;
  /** Bytes that followed the blank line in the last chunk (e.g. early frames); a view, not a copy. */
  rest: Uint8Array;
}

/**
 * What to parse, and the limits that keep an untrusted peer from exhausting memory.
 *
 * @example A tighter head limit than the default
 * ```ts
 * import { HttpHeadParser, type HttpHeadParserOptions } from "@omnisocket/core/protocol";
 *
 * const options: HttpHeadParserOptions = { kind: "request", maxHeadSize: 4096 };
 * console.log(new HttpHeadParser(options) instanceof HttpHeadParser); // true
 * ```
 */
export interface HttpHeadParserOptions {
  /** `"request"` on a server, `"response"` on a client. */
  kind: "request" | "response";
  /** Maximum bytes of the whole head including the final blank line; default 8192. */
  maxHeadSize?: number;
  /** Maximum number of field lines; default 100. */
  maxHeaderCount?: number;
  /** Maximum bytes of one line excluding its CRLF; default 8192. */
  maxLineLength?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const COLON = 0x3a;
const INITIAL_LINE_CAPACITY = 256;
const EMPTY = new Uint8Array(0);

type StartLine =
  | { kind: "request"; method: string; target: string; httpVersion: string }
  | { kind: "response"; httpVersion: string; status: number; reason: string };

/**
 * Parses an HTTP/1.1 request or response head from chunks of any size.
 *
 * Work is linear in the bytes received however they are split: each byte is
 * copied at most once into the current line and each line is scanned once.
 * Grammar errors throw a {@linkcode ProtocolError} with status 400 (505 for an
 * HTTP major version other than 1), exceeded limits one with status 431. After
 * an error every further `push` throws the same error.
 *
 * @example Parsing a request that arrives in two pieces
 * ```ts
 * import { HttpHeadParser, type RequestHead } from "@omnisocket/core/protocol";
 *
 * const bytes = new TextEncoder().encode("GET /chat HTTP/1.1\r\nHost: a\r\n\r\n\x81");
 * const parser = new HttpHeadParser({ kind: "request" });
 * console.log(parser.push(bytes.subarray(0, 10))); // null: need more bytes
 * const head = parser.push(bytes.subarray(10)) as RequestHead;
 * console.log(head.target, head.headers.get("host"), head.rest); // "/chat" "a" Uint8Array [129]
 * ```
 */
export class HttpHeadParser {
  #kind: "request" | "response";
  #maxHeadSize: number;
  #maxHeaderCount: number;
  #maxLineLength: number;
  // Only lines split across chunks are copied here; allocated on first need.
  #line: Uint8Array = EMPTY;
  #lineLength = 0;
  #headSize = 0;
  #startLine: StartLine | null = null;
  #fields: [string, string][] = [];
  #finished = false;
  #error: ProtocolError | null = null;

  /** Creates a parser for one head; use a new parser for each head. */
  constructor(options: HttpHeadParserOptions) {
    this.#kind = options.kind;
    this.#maxHeadSize = positiveLimit(options.maxHeadSize, 8192, "maxHeadSize");
    this.#maxHeaderCount = positiveLimit(options.maxHeaderCount, 100, "maxHeaderCount");
    this.#maxLineLength = positiveLimit(options.maxLineLength, 8192, "maxLineLength");
  }

  /**
   * Feeds the next chunk. Returns null while the head is incomplete, then the
   * head once, with `rest` holding the bytes of this chunk after the blank line.
   */
  push(chunk: Uint8Array): RequestHead | ResponseHead | null {
    if (this.#error !== null) throw this.#error;
    if (this.#finished) {
      throw new ProtocolError(
        "HEAD_ALREADY_PARSED",
        "Cannot parse HTTP head: this parser already returned its head",
        { status: 500 },
      );
    }
    try {
      return this.#consume(chunk);
    } catch (error) {
      if (error instanceof ProtocolError) this.#error = error;
      throw error;
    }
  }

  #consume(chunk: Uint8Array): RequestHead | ResponseHead | null {
    let position = 0;
    while (position < chunk.length) {
      // Search no further than the head may still reach, so an oversized chunk
      // is refused after scanning at most maxHeadSize bytes of it.
      const searchEnd = Math.min(chunk.length, position + this.#maxHeadSize - this.#headSize + 1);
      const lineFeed = searchEnd === chunk.length
        ? chunk.indexOf(LF, position)
        : indexOfWithin(chunk, LF, position, searchEnd);
      const segmentEnd = lineFeed === -1 ? searchEnd : lineFeed;
      this.#headSize += segmentEnd - position + (lineFeed === -1 ? 0 : 1);
      if (this.#headSize > this.#maxHeadSize) {
        throw tooLarge("HEAD_TOO_LARGE", `the head exceeds ${this.#maxHeadSize} bytes`);
      }
      if (lineFeed !== -1 && this.#lineLength === 0) {
        // The whole line is in this chunk (the usual case): read it in place.
        const lineStart = position;
        position = lineFeed + 1;
        if (this.#completeLine(chunk, lineStart, lineFeed)) {
          return this.#finish(chunk.subarray(position));
        }
        continue;
      }
      this.#append(chunk, position, segmentEnd);
      if (lineFeed === -1) return null; // searchEnd is the chunk's end, or headSize threw above
      position = lineFeed + 1;
      const length = this.#lineLength;
      this.#lineLength = 0;
      if (this.#completeLine(this.#line, 0, length)) return this.#finish(chunk.subarray(position));
    }
    return null;
  }

  #append(chunk: Uint8Array, start: number, end: number): void {
    const length = this.#lineLength + end - start;
    // One byte of slack for the CR that must precede the LF.
    if (length > this.#maxLineLength + 1) {
      throw tooLarge("LINE_TOO_LONG", `a line exceeds ${this.#maxLineLength} bytes`);
    }
    if (this.#line.length === 0) this.#line = new Uint8Array(INITIAL_LINE_CAPACITY);
    if (end - start < 16 && length <= this.#line.length) {
      // Small pushes (one byte at a time, say) skip the subarray allocation.
      for (let index = start; index < end; index++) this.#line[this.#lineLength++] = chunk[index];
      return;
    }
    if (length > this.#line.length) {
      const grown = new Uint8Array(Math.min(this.#maxLineLength + 1, length * 2));
      grown.set(this.#line.subarray(0, this.#lineLength));
      this.#line = grown;
    }
    this.#line.set(chunk.subarray(start, end), this.#lineLength);
    this.#lineLength = length;
  }

  /** Handles the line `bytes[start, end)` whose LF just arrived; true when it was the blank line. */
  #completeLine(bytes: Uint8Array, start: number, end: number): boolean {
    if (end === start || bytes[end - 1] !== CR) {
      throw badRequest("BARE_LF", "a line ends in LF without CR");
    }
    const line = bytes.subarray(start, end - 1);
    if (line.length > this.#maxLineLength) {
      throw tooLarge("LINE_TOO_LONG", `a line exceeds ${this.#maxLineLength} bytes`);
    }
    if (this.#startLine === null) {
      // RFC 9112 §2.2: tolerate empty lines before the start line (they count toward the head size).
      if (line.length > 0) this.#startLine = this.#parseStartLine(line);
      return false;
    }
    if (line.length === 0) return true;
    this.#parseFieldLine(line);
    return false;
  }

  #parseStartLine(line: Uint8Array): StartLine {
    return this.#kind === "request" ? parseRequestLine(line) : parseStatusLine(line);
  }

  #parseFieldLine(line: Uint8Array): void {
    if (isOwsCode(line[0])) {
      throw badRequest("OBS_FOLD", "a field line starts with whitespace (obsolete line folding)");
    }
    let colon = 0;
    while (colon < line.length && line[colon] !== COLON) {
      const code = line[colon];
      if (isOwsCode(code)) {
        throw badRequest("WHITESPACE_BEFORE_COLON", "a field name is followed by whitespace");
      }
      if (!isTokenCode(code)) {
        throw badRequest("INVALID_HEADER_NAME", "a field name contains a non-token character");
      }
      colon++;
    }
    if (colon === line.length) throw badRequest("MISSING_COLON", "a field line has no colon");
    if (colon === 0) throw badRequest("INVALID_HEADER_NAME", "a field name is empty");
    let start = colon + 1;
    let end = line.length;
    while (start < end && isOwsCode(line[start])) start++;
    while (end > start && isOwsCode(line[end - 1])) end--;
    for (let index = start; index < end; index++) {
      if (!isFieldValueCode(line[index])) {
        throw badRequest("INVALID_HEADER_VALUE", "a field value contains CR, LF, NUL or a control");
      }
    }
    if (this.#fields.length >= this.#maxHeaderCount) {
      throw tooLarge("TOO_MANY_HEADERS", `the head has more than ${this.#maxHeaderCount} fields`);
    }
    // One string per line, cut in two: cheaper than decoding name and value apart.
    const text = decodeLatin1(line);
    this.#fields.push([text.slice(0, colon), text.slice(start, end)]);
  }

  #finish(rest: Uint8Array): RequestHead | ResponseHead {
    this.#finished = true;
    this.#line = EMPTY;
    const headers = new HeaderMap(this.#fields);
    this.#fields = [];
    const start = this.#startLine as StartLine;
    if (start.kind === "request") {
      const { method, target, httpVersion } = start;
      return { method, target, httpVersion, headers, rest };
    }
    const { httpVersion, status, reason } = start;
    return { httpVersion, status, reason, headers, rest };
  }
}

function parseRequestLine(line: Uint8Array): StartLine {
  const firstSpace = line.indexOf(SP);
  if (firstSpace === -1) {
    throw badRequest("INVALID_REQUEST_LINE", "the request line is not `method target version`");
  }
  for (let index = 0; index < firstSpace; index++) {
    if (!isTokenCode(line[index])) throw badRequest("INVALID_METHOD", "the method is not a token");
  }
  if (firstSpace === 0) throw badRequest("INVALID_METHOD", "the method is empty");
  const secondSpace = line.indexOf(SP, firstSpace + 1);
  if (secondSpace === -1 || secondSpace === firstSpace + 1) {
    throw badRequest("INVALID_REQUEST_LINE", "the request line is not `method target version`");
  }
  for (let index = firstSpace + 1; index < secondSpace; index++) {
    const code = line[index];
    if (code < 0x21 || code > 0x7e) {
      throw badRequest("INVALID_TARGET", "the request target contains a non-visible character");
    }
  }
  return {
    kind: "request",
    method: decodeLatin1(line, 0, firstSpace),
    target: decodeLatin1(line, firstSpace + 1, secondSpace),
    httpVersion: parseHttpVersion(line, secondSpace + 1, line.length),
  };
}

function parseStatusLine(line: Uint8Array): StartLine {
  const httpVersion = parseHttpVersion(line, 0, Math.min(8, line.length));
  const digits = line.subarray(9, 12);
  const validCode = line[8] === SP && digits.length === 3 && digits.every(isDigit);
  // The SP before an empty reason phrase is tolerated missing, as most clients do.
  if (!validCode || (line.length > 12 && line[12] !== SP)) {
    throw badRequest("INVALID_STATUS_LINE", "the status line is not `version code reason`");
  }
  for (let index = 13; index < line.length; index++) {
    if (!isFieldValueCode(line[index])) {
      throw badRequest("INVALID_STATUS_LINE", "the reason phrase contains a control character");
    }
  }
  return {
    kind: "response",
    httpVersion,
    status: (digits[0] - 0x30) * 100 + (digits[1] - 0x30) * 10 + (digits[2] - 0x30),
    reason: decodeLatin1(line, Math.min(13, line.length), line.length),
  };
}

// HTTP-version = "HTTP" "/" DIGIT "." DIGIT (RFC 9112 §2.3)
function parseHttpVersion(line: Uint8Array, start: number, end: number): string {
  const isVersion = end - start === 8 &&
    line[start] === 0x48 && line[start + 1] === 0x54 && line[start + 2] === 0x54 &&
    line[start + 3] === 0x50 && line[start + 4] === 0x2f && isDigit(line[start + 5]) &&
    line[start + 6] === 0x2e && isDigit(line[start + 7]);
  if (!isVersion) throw badRequest("INVALID_HTTP_VERSION", "the HTTP version is not HTTP/x.y");
  if (line[start + 5] !== 0x31) {
    throw new ProtocolError(
      "HTTP_VERSION_NOT_SUPPORTED",
      "Cannot parse HTTP head: only HTTP/1.x is spoken here",
      { status: 505 },
    );
  }
  return decodeLatin1(line, start + 5, end);
}

function indexOfWithin(bytes: Uint8Array, byte: number, start: number, end: number): number {
  const found = bytes.subarray(start, end).indexOf(byte);
  return found === -1 ? -1 : start + found;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function badRequest(code: ErrorCode, reason: string): ProtocolError {
  return new ProtocolError(code, `Cannot parse HTTP head: ${reason}`, { status: 400 });
}

function tooLarge(code: ErrorCode, reason: string): ProtocolError {
  return new ProtocolError(code, `Cannot parse HTTP head: ${reason}`, { status: 431 });
}

function positiveLimit(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`Cannot create HttpHeadParser: ${name} must be a positive integer`);
  }
  return value;
}
