import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { acceptUpgrade } from "../../../src/handshake/accept_upgrade.ts";
import {
  buildRejection,
  buildSwitchingProtocols,
  rejectionResponse,
} from "../../../src/handshake/build_responses.ts";
import { HttpHeadParser, type RequestHead } from "../../../src/handshake/http_head_parser.ts";
import { ProtocolError } from "../../../src/errors/protocol_error.ts";
import {
  bytes,
  protocolErrorOf,
  rejectionOf,
  RFC_REQUEST,
  RFC_RESPONSE,
  SEED_REQUEST,
  SEED_RESPONSE,
  text,
} from "./fixtures.ts";

function parse(head: string): RequestHead {
  return new HttpHeadParser({ kind: "request" }).push(bytes(head)) as RequestHead;
}

function seedWith(fields: string): RequestHead {
  return parse(SEED_REQUEST.slice(0, -2) + fields + "\r\n");
}

describe("acceptUpgrade and buildSwitchingProtocols", () => {
  test("server answers the seed request with the exact seed response bytes", async () => {
    const response = buildSwitchingProtocols(await acceptUpgrade(parse(SEED_REQUEST)));
    assert.deepEqual(response, bytes(SEED_RESPONSE));
  });

  test("server answers the RFC 6455 §1.3 sample with its exact response when it supports chat", async () => {
    const acceptance = await acceptUpgrade(parse(RFC_REQUEST), { protocols: ["chat"] });
    assert.equal(acceptance.key, "dGhlIHNhbXBsZSBub25jZQ==");
    assert.equal(acceptance.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assert.equal(acceptance.protocol, "chat");
    assert.equal(text(buildSwitchingProtocols(acceptance)), RFC_RESPONSE);
  });

  test("acceptUpgrade follows server preference order when protocols is a list", async () => {
    const acceptance = await acceptUpgrade(parse(RFC_REQUEST), {
      protocols: ["superchat", "chat"],
    });
    assert.equal(acceptance.protocol, "superchat");
  });

  test("acceptUpgrade joins Sec-WebSocket-Protocol fields sent as several lines", async () => {
    const head = seedWith("Sec-WebSocket-Protocol: a\r\nSec-WebSocket-Protocol: b, c\r\n");
    const seen: string[][] = [];
    const acceptance = await acceptUpgrade(head, {
      protocols: (offered) => (seen.push(offered), "c"),
    });
    assert.deepEqual(seen, [["a", "b", "c"]]);
    assert.equal(acceptance.protocol, "c");
  });

  test("acceptUpgrade answers no protocol when none is offered or none matches", async () => {
    assert.equal(
      (await acceptUpgrade(parse(SEED_REQUEST), { protocols: ["chat"] })).protocol,
      undefined,
    );
    assert.equal(
      (await acceptUpgrade(parse(RFC_REQUEST), { protocols: ["mqtt"] })).protocol,
      undefined,
    );
    assert.equal((await acceptUpgrade(parse(RFC_REQUEST))).protocol, undefined);
  });

  test("acceptUpgrade rejects with 500 UNOFFERED_SUBPROTOCOL when the callback invents one", async () => {
    const error = await rejectionOf(acceptUpgrade(parse(RFC_REQUEST), { protocols: () => "mqtt" }));
    assert.equal(error.code, "UNOFFERED_SUBPROTOCOL");
    assert.equal(error.status, 500);
  });

  test("acceptUpgrade rejects with 400 INVALID_TOKEN_LIST when the protocol list is malformed", async () => {
    const error = await rejectionOf(
      acceptUpgrade(seedWith("Sec-WebSocket-Protocol: chat super\r\n"), { protocols: ["chat"] }),
    );
    assert.equal(error.code, "INVALID_TOKEN_LIST");
    assert.equal(error.status, 400);
  });

  test("acceptUpgrade negotiates extensions and adds the formatted header", async () => {
    const head = seedWith(
      "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-other\r\n",
    );
    const acceptance = await acceptUpgrade(head, {
      negotiateExtensions: (offers) => {
        assert.deepEqual(offers.map((offer) => offer.name), ["permessage-deflate", "x-other"]);
        return [{
          name: "permessage-deflate",
          params: new Map([["client_max_window_bits", "15"]]),
        }];
      },
    });
    assert.equal(
      text(buildSwitchingProtocols(acceptance, [["Set-Cookie", "a=b"]])),
      SEED_RESPONSE.slice(0, -2) +
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=15\r\n" +
        "Set-Cookie: a=b\r\n\r\n",
    );
  });

  test("acceptUpgrade accepts no extension by default", async () => {
    const head = seedWith("Sec-WebSocket-Extensions: permessage-deflate\r\n");
    const acceptance = await acceptUpgrade(head);
    assert.deepEqual(acceptance.extensions, []);
    assert.equal(text(buildSwitchingProtocols(acceptance)), SEED_RESPONSE);
  });

  test("acceptUpgrade rejects with 500 UNOFFERED_EXTENSION when negotiation invents one", async () => {
    const head = seedWith("Sec-WebSocket-Extensions: permessage-deflate\r\n");
    const error = await rejectionOf(
      acceptUpgrade(head, { negotiateExtensions: () => [{ name: "x-evil", params: new Map() }] }),
    );
    assert.equal(error.code, "UNOFFERED_EXTENSION");
    assert.equal(error.status, 500);
  });

  test("acceptUpgrade rejects with 400 INVALID_EXTENSIONS when the offer is malformed", async () => {
    const error = await rejectionOf(
      acceptUpgrade(seedWith('Sec-WebSocket-Extensions: a; b="c d"\r\n')),
    );
    assert.equal(error.code, "INVALID_EXTENSIONS");
    assert.equal(error.status, 400);
  });

  test("acceptUpgrade rejects with 403 ORIGIN_REFUSED when the origin is not allowed", async () => {
    const allowed = { allowedOrigins: ["http://example.com"] };
    assert.ok(await acceptUpgrade(parse(RFC_REQUEST), allowed));
    for (
      const [head, options] of [
        [parse(RFC_REQUEST), { allowedOrigins: ["https://example.com"] }],
        [parse(SEED_REQUEST), allowed],
        [parse(RFC_REQUEST), { checkOrigin: (origin: string | null) => origin === "x" }],
        [parse(RFC_REQUEST), { ...allowed, checkOrigin: () => false }],
      ] as const
    ) {
      const error = await rejectionOf(acceptUpgrade(head, options));
      assert.equal(error.code, "ORIGIN_REFUSED");
      assert.equal(error.status, 403);
    }
  });

  test("acceptUpgrade passes null to checkOrigin when there is no Origin", async () => {
    const seen: (string | null)[] = [];
    await acceptUpgrade(parse(SEED_REQUEST), {
      checkOrigin: (origin) => (seen.push(origin), true),
    });
    assert.deepEqual(seen, [null]);
  });

  test("acceptUpgrade works on a Web Request's headers", async () => {
    const headers = new Headers([...parse(RFC_REQUEST).headers.entries()]);
    const acceptance = await acceptUpgrade({ method: "GET", headers }, { protocols: ["chat"] });
    assert.equal(text(buildSwitchingProtocols(acceptance)), RFC_RESPONSE);
  });
});

describe("buildSwitchingProtocols extra headers", () => {
  test("buildSwitchingProtocols throws INVALID_HEADER when a value holds CR or LF", async () => {
    const acceptance = await acceptUpgrade(parse(SEED_REQUEST));
    const extras: Record<string, string>[] = [
      { "X-A": "a\r\nX-Injected: 1" },
      { "X-A": "a\nb" },
      { "X A": "a" },
      { "Sec-WebSocket-Accept": "x" },
      { connection: "close" },
      { "X-A": " padded" },
    ];
    for (const extra of extras) {
      const error = protocolErrorOf(() => buildSwitchingProtocols(acceptance, extra));
      assert.equal(error.code, "INVALID_HEADER", JSON.stringify(extra));
      assert.equal(error.status, 500);
    }
  });

  test("buildSwitchingProtocols accepts Headers, records and pairs", async () => {
    const acceptance = await acceptUpgrade(parse(SEED_REQUEST));
    const tail = "X-A: 1\r\n\r\n";
    for (
      const extra of [
        new Headers({ "X-A": "1" }),
        { "X-A": "1" },
        [["X-A", "1"]] as [string, string][],
      ]
    ) {
      const response = text(buildSwitchingProtocols(acceptance, extra));
      assert.equal(response.toLowerCase(), (SEED_RESPONSE.slice(0, -2) + tail).toLowerCase());
    }
  });
});

describe("buildRejection", () => {
  test("buildRejection writes exact bytes for a 426 with Upgrade and Sec-WebSocket-Version", () => {
    const error = new ProtocolError(
      "UNSUPPORTED_VERSION",
      "Cannot accept upgrade: Sec-WebSocket-Version must be 13",
      { status: 426, headers: { Upgrade: "websocket", "Sec-WebSocket-Version": "13" } },
    );
    assert.equal(
      text(buildRejection(error)),
      "HTTP/1.1 426 Upgrade Required\r\nConnection: Upgrade, close\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 55\r\n" +
        "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n" +
        "Cannot accept upgrade: Sec-WebSocket-Version must be 13",
    );
  });

  test("buildRejection answers each validation failure with its status and headers", async () => {
    const cases: [string, string, string, string][] = [
      [
        SEED_REQUEST.replace("GET", "POST"),
        "HTTP/1.1 405 Method Not Allowed",
        "close",
        "Allow: GET\r\n",
      ],
      [
        SEED_REQUEST.replace("Version: 13", "Version: 8"),
        "HTTP/1.1 426 Upgrade Required",
        "Upgrade, close",
        "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n",
      ],
      [SEED_REQUEST.replace("Host", "X-Host"), "HTTP/1.1 400 Bad Request", "close", ""],
      [SEED_REQUEST.replace("HTTP/1.1", "HTTP/1.0"), "HTTP/1.1 400 Bad Request", "close", ""],
    ];
    for (const [request, statusLine, connection, extraHeader] of cases) {
      const error = await rejectionOf(acceptUpgrade(parse(request)));
      const response = text(buildRejection(error));
      const body = error.message;
      assert.equal(
        response,
        `${statusLine}\r\nConnection: ${connection}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
          `Content-Length: ${body.length}\r\n${extraHeader}\r\n${body}`,
      );
    }
  });

  test("buildRejection answers 431 for a parser limit and counts UTF-8 bytes of a custom body", () => {
    const error = protocolErrorOf(() =>
      new HttpHeadParser({ kind: "request", maxHeadSize: 10 }).push(bytes(SEED_REQUEST))
    );
    const response = buildRejection(error, "trop grand é");
    assert.equal(
      new TextDecoder().decode(response),
      "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\n\r\ntrop grand é",
    );
  });

  test("buildRejection answers 500 when the error has no HTTP status", () => {
    const error = new ProtocolError("INTERNAL_ERROR", "Cannot x: y", { closeCode: 1002 });
    assert.match(text(buildRejection(error)), /^HTTP\/1\.1 500 Internal Server Error\r\n/);
  });

  test("buildRejection keeps a trailing space when the status has no known reason phrase", () => {
    const error = new ProtocolError("INTERNAL_ERROR", "Cannot x: y", { status: 499 });
    assert.match(text(buildRejection(error)), /^HTTP\/1\.1 499 \r\n/);
  });
});

describe("rejectionResponse", () => {
  test("rejectionResponse carries status, error headers and the message body", async () => {
    const error = new ProtocolError("METHOD_NOT_ALLOWED", "Cannot accept upgrade: use GET", {
      status: 405,
      headers: { Allow: "GET" },
    });
    const response = rejectionResponse(error);
    assert.equal(response.status, 405);
    assert.equal(response.headers.get("allow"), "GET");
    assert.equal(response.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(await response.text(), "Cannot accept upgrade: use GET");
  });
});
