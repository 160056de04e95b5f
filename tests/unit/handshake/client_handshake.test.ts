import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { acceptUpgrade } from "../../../src/handshake/accept_upgrade.ts";
import { buildSwitchingProtocols } from "../../../src/handshake/build_responses.ts";
import { createClientHandshake } from "../../../src/handshake/client_handshake.ts";
import { computeAcceptKey } from "../../../src/handshake/compute_accept_key.ts";
import {
  HttpHeadParser,
  type RequestHead,
  type ResponseHead,
} from "../../../src/handshake/http_head_parser.ts";
import { bytes, protocolErrorOf, rejectionOf, text } from "./fixtures.ts";

function parseResponse(head: string): ResponseHead {
  return new HttpHeadParser({ kind: "response" }).push(bytes(head)) as ResponseHead;
}

async function okResponse(key: string, extra = ""): Promise<string> {
  return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    `Sec-WebSocket-Accept: ${await computeAcceptKey(key)}\r\n${extra}\r\n`;
}

describe("createClientHandshake request", () => {
  test("client request has the exact head shape with a fresh canonical key", async () => {
    const handshake = await createClientHandshake("ws://example.com/chat?room=1");
    assert.match(handshake.key, /^[A-Za-z0-9+/]{21}[AQgw]==$/);
    assert.equal(
      text(handshake.request),
      "GET /chat?room=1 HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n" +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${handshake.key}\r\n` +
        "Sec-WebSocket-Version: 13\r\n\r\n",
    );
  });

  test("client request uses a different key on every call", async () => {
    const keys = new Set<string>();
    for (let index = 0; index < 20; index++) keys.add((await createClientHandshake("ws://a/")).key);
    assert.equal(keys.size, 20);
  });

  test("client request puts the port in Host only when it is not the default", async () => {
    const host = async (url: string) =>
      text((await createClientHandshake(url)).request).split("\r\n")[1];
    assert.equal(await host("ws://a:80/"), "Host: a");
    assert.equal(await host("wss://a:443/"), "Host: a");
    assert.equal(await host("ws://a:8080/"), "Host: a:8080");
    assert.equal(await host("wss://a:80/"), "Host: a:80");
    assert.equal(await host("ws://[::1]:9000"), "Host: [::1]:9000");
  });

  test("client request uses / as target when the URL has no path", async () => {
    const request = text((await createClientHandshake(new URL("wss://a"))).request);
    assert.ok(request.startsWith("GET / HTTP/1.1\r\n"));
  });

  test("client request offers protocols, extensions and extra headers in order", async () => {
    const handshake = await createClientHandshake("ws://a/", {
      protocols: ["chat", "superchat"],
      extensions: [{
        name: "permessage-deflate",
        params: new Map([["client_max_window_bits", true]]),
      }],
      headers: { Origin: "http://a" },
    });
    assert.ok(
      text(handshake.request).endsWith(
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat, superchat\r\n" +
          "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" +
          "Origin: http://a\r\n\r\n",
      ),
    );
  });

  test("createClientHandshake rejects INVALID_URL for other schemes, fragments and garbage", async () => {
    for (
      const url of ["http://a/", "https://a/", "ws://a/#x", "ws://a/#", "not a url", "ftp://a"]
    ) {
      const error = await rejectionOf(createClientHandshake(url));
      assert.equal(error.code, "INVALID_URL", url);
    }
  });

  test("createClientHandshake rejects bad protocols and header injection", async () => {
    for (const protocols of [["a b"], ["a", "a"], [""], ["a,b"]]) {
      const error = await rejectionOf(createClientHandshake("ws://a/", { protocols }));
      assert.equal(error.code, "INVALID_SUBPROTOCOL");
    }
    const badHeaders: Record<string, string>[] = [
      { "X-A": "1\r\nX-B: 2" },
      { Host: "evil" },
      { "Sec-WebSocket-Key": "x" },
    ];
    for (const headers of badHeaders) {
      const error = await rejectionOf(createClientHandshake("ws://a/", { headers }));
      assert.equal(error.code, "INVALID_HEADER");
    }
  });
});

describe("ClientHandshake.verify", () => {
  test("verify returns the negotiated protocol and extensions when the response is valid", async () => {
    const handshake = await createClientHandshake("ws://a/", {
      protocols: ["chat"],
      extensions: [{ name: "permessage-deflate", params: new Map() }],
    });
    const response = await okResponse(
      handshake.key,
      "Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n",
    );
    const result = handshake.verify(parseResponse(response));
    assert.equal(result.protocol, "chat");
    assert.deepEqual(result.extensions, [
      { name: "permessage-deflate", params: new Map([["server_no_context_takeover", true]]) },
    ]);
  });

  test("verify accepts any case and token lists in Upgrade and Connection", async () => {
    const handshake = await createClientHandshake("ws://a/");
    const response = (await okResponse(handshake.key))
      .replace("Upgrade: websocket", "Upgrade: WebSocket")
      .replace("Connection: Upgrade", "Connection: keep-alive, upgrade");
    assert.deepEqual(handshake.verify(parseResponse(response)), {
      protocol: undefined,
      extensions: [],
    });
  });

  test("verify throws its own code for each kind of bad response", async () => {
    const handshake = await createClientHandshake("ws://a/", {
      protocols: ["chat"],
      extensions: [{ name: "permessage-deflate", params: new Map() }],
    });
    const good = await okResponse(handshake.key);
    const cases: [string, string][] = [
      [good.replace("101 Switching Protocols", "200 OK"), "UNEXPECTED_STATUS"],
      [good.replace("Upgrade: websocket\r\n", ""), "INVALID_UPGRADE"],
      [good.replace("Upgrade: websocket", "Upgrade: h2c"), "INVALID_UPGRADE"],
      [good.replace("Connection: Upgrade\r\n", ""), "INVALID_CONNECTION"],
      [good.replace("Connection: Upgrade", "Connection: close"), "INVALID_CONNECTION"],
      [good.replace(/Sec-WebSocket-Accept: .*\r\n/, ""), "INVALID_ACCEPT"],
      [
        good.replace(
          /Sec-WebSocket-Accept: .*\r\n/,
          "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n",
        ),
        "INVALID_ACCEPT",
      ],
      [
        await okResponse(handshake.key, "Sec-WebSocket-Protocol: superchat\r\n"),
        "UNOFFERED_SUBPROTOCOL",
      ],
      [
        await okResponse(handshake.key, "Sec-WebSocket-Protocol: chat, chat\r\n"),
        "UNOFFERED_SUBPROTOCOL",
      ],
      [
        await okResponse(handshake.key, "Sec-WebSocket-Extensions: x-webkit\r\n"),
        "UNOFFERED_EXTENSION",
      ],
      [await okResponse(handshake.key, "Sec-WebSocket-Extensions: a b\r\n"), "INVALID_EXTENSIONS"],
    ];
    for (const [response, code] of cases) {
      const error = protocolErrorOf(() => handshake.verify(parseResponse(response)));
      assert.equal(error.code, code, response);
      assert.match(error.message, /^Cannot /);
    }
  });

  test("verify rejects a protocol when none was offered", async () => {
    const handshake = await createClientHandshake("ws://a/");
    const response = await okResponse(handshake.key, "Sec-WebSocket-Protocol: chat\r\n");
    const error = protocolErrorOf(() => handshake.verify(parseResponse(response)));
    assert.equal(error.code, "UNOFFERED_SUBPROTOCOL");
  });
});

describe("client and server round trip", () => {
  test("client request goes through server parse, accept and 101, and verifies", async () => {
    const client = await createClientHandshake("ws://localhost:8080/chat", {
      protocols: ["superchat", "chat"],
      extensions: [{ name: "x-ext", params: new Map([["p", "1"]]) }],
      headers: [["Origin", "http://localhost:8080"]],
    });
    const serverParser = new HttpHeadParser({ kind: "request" });
    const request = serverParser.push(client.request) as RequestHead;
    assert.equal(request.target, "/chat");
    assert.equal(request.headers.get("host"), "localhost:8080");
    const acceptance = await acceptUpgrade(request, {
      protocols: ["chat"],
      allowedOrigins: ["http://localhost:8080"],
      negotiateExtensions: (offers) => offers,
    });
    const frame = new Uint8Array([0x81, 0x00]);
    const wire = buildSwitchingProtocols(acceptance);
    const clientParser = new HttpHeadParser({ kind: "response" });
    // Split inside the response's final CRLF, with a frame glued after it.
    assert.equal(clientParser.push(wire.subarray(0, wire.length - 1)), null);
    const packet = new Uint8Array([...wire.subarray(wire.length - 1), ...frame]);
    const head = clientParser.push(packet) as ResponseHead;
    assert.deepEqual(head.rest, frame);
    const result = client.verify(head);
    assert.equal(result.protocol, "chat");
    assert.deepEqual(result.extensions, [{ name: "x-ext", params: new Map([["p", "1"]]) }]);
  });
});
