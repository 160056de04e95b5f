import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  HttpHeadParser,
  type RequestHead,
  type ResponseHead,
} from "../../../src/handshake/http_head_parser.ts";
import {
  bytes,
  protocolErrorOf,
  RFC_REQUEST,
  RFC_RESPONSE,
  SEED_REQUEST,
  text,
} from "./fixtures.ts";

function parseRequest(head: string, options = {}): RequestHead {
  const parser = new HttpHeadParser({ kind: "request", ...options });
  const result = parser.push(bytes(head));
  assert.notEqual(result, null);
  return result as RequestHead;
}

function requestError(head: string, options = {}) {
  return protocolErrorOf(() =>
    new HttpHeadParser({ kind: "request", ...options }).push(bytes(head))
  );
}

const FRAME = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";

describe("HttpHeadParser request", () => {
  test("parser returns the RFC 6455 sample request's fields in wire order", () => {
    const head = parseRequest(RFC_REQUEST);
    assert.equal(head.method, "GET");
    assert.equal(head.target, "/chat");
    assert.equal(head.httpVersion, "1.1");
    assert.deepEqual([...head.headers.entries()], [
      ["host", "server.example.com"],
      ["upgrade", "websocket"],
      ["connection", "Upgrade"],
      ["sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="],
      ["origin", "http://example.com"],
      ["sec-websocket-protocol", "chat, superchat"],
      ["sec-websocket-version", "13"],
    ]);
    assert.equal(head.rest.length, 0);
  });

  test("parser keeps the bytes after the blank line exactly when a frame shares the packet", () => {
    const head = parseRequest(SEED_REQUEST + FRAME);
    assert.equal(text(head.rest), FRAME);
  });

  test("parser returns null until the blank line when fed one byte at a time", () => {
    const input = bytes(SEED_REQUEST + FRAME);
    const parser = new HttpHeadParser({ kind: "request" });
    const headEnd = SEED_REQUEST.length;
    let head: RequestHead | null = null;
    for (let index = 0; index < headEnd; index++) {
      const result = parser.push(input.subarray(index, index + 1));
      if (index < headEnd - 1) assert.equal(result, null, `byte ${index}`);
      else head = result as RequestHead;
    }
    assert.ok(head);
    assert.equal(head.headers.get("sec-websocket-key"), "dGhlIHNhbXBsZSBub25jZQ==");
    assert.equal(head.rest.length, 0);
  });

  test("parser gives the same head when split in two at every position", () => {
    const input = bytes(SEED_REQUEST + FRAME);
    const expected = parseRequest(SEED_REQUEST + FRAME);
    for (let split = 0; split <= input.length; split++) {
      const parser = new HttpHeadParser({ kind: "request" });
      let head = parser.push(input.subarray(0, split)) as RequestHead | null;
      if (head === null) head = parser.push(input.subarray(split)) as RequestHead;
      else assert.ok(split >= SEED_REQUEST.length, `complete too early at ${split}`);
      assert.deepEqual([...head.headers.entries()], [...expected.headers.entries()]);
      // Completing in the first chunk leaves the second chunk unread.
      const rest = split >= SEED_REQUEST.length
        ? FRAME.slice(0, split - SEED_REQUEST.length)
        : FRAME;
      assert.equal(text(head.rest), rest, `split ${split}`);
    }
  });

  test("parser accepts a head split in three at every CRLF boundary pair", () => {
    const input = bytes(SEED_REQUEST);
    const crs = [...SEED_REQUEST].flatMap((char, index) => (char === "\r" ? [index + 1] : []));
    for (const first of crs) {
      for (const second of crs.filter((index) => index > first)) {
        const parser = new HttpHeadParser({ kind: "request" });
        assert.equal(parser.push(input.subarray(0, first)), null);
        assert.equal(parser.push(input.subarray(first, second)), null);
        const head = parser.push(input.subarray(second)) as RequestHead;
        assert.equal(head.headers.get("host"), "server.example.com");
      }
    }
  });

  test("parser trims OWS around values and keeps inner whitespace", () => {
    const head = parseRequest("GET / HTTP/1.1\r\nX-A: \t a  b \t\r\nX-B:\r\nX-C:c\r\n\r\n");
    assert.equal(head.headers.get("x-a"), "a  b");
    assert.equal(head.headers.get("x-b"), "");
    assert.equal(head.headers.get("x-c"), "c");
  });

  test("parser decodes obs-text bytes one char per byte", () => {
    const head = parseRequest("GET / HTTP/1.1\r\nX-Name: caf\xe9\r\n\r\n");
    assert.equal(head.headers.get("x-name"), "caf\xe9");
  });

  test("parser tolerates an empty line before the request line", () => {
    assert.equal(parseRequest("\r\n" + SEED_REQUEST).target, "/chat");
  });

  test("parser refuses pushes after the head was returned", () => {
    const parser = new HttpHeadParser({ kind: "request" });
    parser.push(bytes(SEED_REQUEST));
    const error = protocolErrorOf(() => parser.push(bytes("x")));
    assert.equal(error.code, "HEAD_ALREADY_PARSED");
  });

  test("parser throws the same error again after a failure", () => {
    const parser = new HttpHeadParser({ kind: "request" });
    const first = protocolErrorOf(() => parser.push(bytes("GET / HTTP/1.1\n")));
    assert.equal(protocolErrorOf(() => parser.push(bytes("\r\n"))), first);
  });

  test("parser constructor rejects a limit that is not a positive integer", () => {
    assert.throws(() => new HttpHeadParser({ kind: "request", maxHeadSize: 0 }), RangeError);
  });
});

describe("HttpHeadParser grammar errors", () => {
  const cases: [string, string, number][] = [
    ["GET / HTTP/1.1\nHost: a\r\n\r\n", "BARE_LF", 400],
    ["GET / HTTP/1.1\r\nHost: a\n\r\n", "BARE_LF", 400],
    ["GET / HTTP/1.1\r\nHost: a\r\n\n", "BARE_LF", 400],
    ["GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", "INVALID_HEADER_VALUE", 400],
    ["GET / HTTP/1.1\r\nHost: a\x00b\r\n\r\n", "INVALID_HEADER_VALUE", 400],
    ["GET / HTTP/1.1\r\nHost: a\x7fb\r\n\r\n", "INVALID_HEADER_VALUE", 400],
    ["GET / HTTP/1.1\r\nHost : a\r\n\r\n", "WHITESPACE_BEFORE_COLON", 400],
    ["GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", "WHITESPACE_BEFORE_COLON", 400],
    ["GET / HTTP/1.1\r\nHost: a\r\n b\r\n\r\n", "OBS_FOLD", 400],
    ["GET / HTTP/1.1\r\nHost: a\r\n\tb\r\n\r\n", "OBS_FOLD", 400],
    ["GET / HTTP/1.1\r\nHo(st: a\r\n\r\n", "INVALID_HEADER_NAME", 400],
    ["GET / HTTP/1.1\r\n: a\r\n\r\n", "INVALID_HEADER_NAME", 400],
    ["GET / HTTP/1.1\r\nHost a\r\n\r\n", "WHITESPACE_BEFORE_COLON", 400],
    ["GET / HTTP/1.1\r\nHosta\r\n\r\n", "MISSING_COLON", 400],
    ["GET  / HTTP/1.1\r\n\r\n", "INVALID_REQUEST_LINE", 400],
    ["GET / HTTP/1.1 \r\n\r\n", "INVALID_HTTP_VERSION", 400],
    ["GET /  HTTP/1.1\r\n\r\n", "INVALID_HTTP_VERSION", 400],
    ["GET\r\n\r\n", "INVALID_REQUEST_LINE", 400],
    ["GET /\r\n\r\n", "INVALID_REQUEST_LINE", 400],
    [" GET / HTTP/1.1\r\n\r\n", "INVALID_METHOD", 400],
    ["G(T / HTTP/1.1\r\n\r\n", "INVALID_METHOD", 400],
    ["GET /\x7f HTTP/1.1\r\n\r\n", "INVALID_TARGET", 400],
    ["GET /\xe9 HTTP/1.1\r\n\r\n", "INVALID_TARGET", 400],
    ["GET / HTTP/11\r\n\r\n", "INVALID_HTTP_VERSION", 400],
    ["GET / http/1.1\r\n\r\n", "INVALID_HTTP_VERSION", 400],
    ["GET / HTTP/2.0\r\n\r\n", "HTTP_VERSION_NOT_SUPPORTED", 505],
  ];
  for (const [head, code, status] of cases) {
    test(`parser throws ${code} when the head is ${JSON.stringify(head)}`, () => {
      const error = requestError(head);
      assert.equal(error.code, code);
      assert.equal(error.status, status);
      assert.match(error.message, /^Cannot parse HTTP head: /);
    });
  }
});

describe("HttpHeadParser limits", () => {
  test("parser throws 431 TOO_MANY_HEADERS when 5,000 headers arrive", () => {
    const head = "GET / HTTP/1.1\r\n" + "X: y\r\n".repeat(5000) + "\r\n";
    const error = requestError(head);
    assert.equal(error.code, "TOO_MANY_HEADERS");
    assert.equal(error.status, 431);
  });

  test("parser accepts exactly maxHeaderCount headers", () => {
    const head = parseRequest("GET / HTTP/1.1\r\n" + "X: y\r\n".repeat(100) + "\r\n");
    assert.equal(head.headers.count("x"), 100);
  });

  test("parser throws 431 when a 1 MB value arrives in one chunk", () => {
    const error = requestError("GET / HTTP/1.1\r\nX: " + "a".repeat(1 << 20) + "\r\n\r\n");
    assert.equal(error.status, 431);
    assert.equal(error.code, "HEAD_TOO_LARGE");
  });

  test("parser throws 431 LINE_TOO_LONG as soon as a line passes maxLineLength without CRLF", () => {
    const parser = new HttpHeadParser({ kind: "request", maxLineLength: 100, maxHeadSize: 10_000 });
    assert.equal(parser.push(bytes("GET / HTTP/1.1\r\nX: " + "a".repeat(97))), null);
    const error = protocolErrorOf(() => parser.push(bytes("aa")));
    assert.equal(error.code, "LINE_TOO_LONG");
    assert.equal(error.status, 431);
  });

  test("parser accepts a line of exactly maxLineLength and refuses one byte more", () => {
    const options = { maxLineLength: 50, maxHeadSize: 10_000 };
    const line = "X: " + "a".repeat(47);
    assert.equal(
      parseRequest(`GET / HTTP/1.1\r\n${line}\r\n\r\n`, options).headers.get("x")?.length,
      47,
    );
    const error = requestError(`GET / HTTP/1.1\r\n${line}a\r\n\r\n`, options);
    assert.equal(error.code, "LINE_TOO_LONG");
  });

  test("parser throws HEAD_TOO_LARGE when the head passes maxHeadSize, counting the final CRLF", () => {
    const head = "GET / HTTP/1.1\r\nX: y\r\n\r\n";
    assert.ok(parseRequest(head, { maxHeadSize: head.length }));
    const error = requestError(head, { maxHeadSize: head.length - 1 });
    assert.equal(error.code, "HEAD_TOO_LARGE");
    assert.equal(error.status, 431);
  });

  test("parser does not count bytes after the head toward maxHeadSize", () => {
    const head = parseRequest(SEED_REQUEST + "x".repeat(10_000), {
      maxHeadSize: SEED_REQUEST.length,
    });
    assert.equal(head.rest.length, 10_000);
  });

  test("parser throws 431 when an 8 KiB+ head arrives one byte at a time", () => {
    const input = bytes("GET / HTTP/1.1\r\n" + "X-Padding: 0123456789abcdef\r\n".repeat(400));
    const parser = new HttpHeadParser({ kind: "request", maxHeaderCount: 1000 });
    const error = protocolErrorOf(() => {
      for (let index = 0; index < input.length; index++) {
        parser.push(input.subarray(index, index + 1));
      }
    });
    assert.equal(error.code, "HEAD_TOO_LARGE");
  });
});

describe("HttpHeadParser response", () => {
  test("parser reads the RFC 6455 sample 101 response", () => {
    const parser = new HttpHeadParser({ kind: "response" });
    const head = parser.push(bytes(RFC_RESPONSE)) as ResponseHead;
    assert.equal(head.httpVersion, "1.1");
    assert.equal(head.status, 101);
    assert.equal(head.reason, "Switching Protocols");
    assert.equal(head.headers.get("sec-websocket-protocol"), "chat");
  });

  test("parser accepts a status line without reason phrase", () => {
    for (const line of ["HTTP/1.1 101 ", "HTTP/1.1 101"]) {
      const head = new HttpHeadParser({ kind: "response" }).push(bytes(`${line}\r\n\r\n`));
      assert.equal((head as ResponseHead).status, 101);
      assert.equal((head as ResponseHead).reason, "");
    }
  });

  test("parser throws INVALID_STATUS_LINE when the status code is malformed", () => {
    for (const line of ["HTTP/1.1 1O1 OK", "HTTP/1.1  101 OK", "HTTP/1.1 1010 OK", "HTTP/1.1 10"]) {
      const error = protocolErrorOf(() =>
        new HttpHeadParser({ kind: "response" }).push(bytes(`${line}\r\n\r\n`))
      );
      assert.equal(error.code, "INVALID_STATUS_LINE", line);
    }
  });

  test("parser throws INVALID_HTTP_VERSION when a response line starts with a request line", () => {
    const error = protocolErrorOf(() =>
      new HttpHeadParser({ kind: "response" }).push(bytes(SEED_REQUEST))
    );
    assert.equal(error.code, "INVALID_HTTP_VERSION");
  });
});
