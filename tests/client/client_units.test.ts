/**
 * Unit tests of the client's pure parts: proxy selection, the
 * permessage-deflate answer check, and the WHATWG constructor and close rules.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { acceptDeflateResponse, deflateOffer } from "../../src/client/client_deflate.ts";
import { selectProxy } from "../../src/client/proxy_tunnel.ts";
import { parseExtensions } from "../../src/handshake/parse_extensions.ts";
import { WebSocket } from "../../src/adapters/client.ts";

const env = (values: Record<string, string>) => (name: string) => values[name];

test("selectProxy uses HTTPS_PROXY for wss and HTTP_PROXY for ws", () => {
  const vars = env({ HTTPS_PROXY: "http://proxy:3128", http_proxy: "proxy2:8080" });
  assert.equal(selectProxy(new URL("wss://a.example/"), undefined, vars)?.host, "proxy:3128");
  assert.equal(selectProxy(new URL("ws://a.example/"), undefined, vars)?.host, "proxy2:8080");
});

test("selectProxy honours NO_PROXY names, suffixes, ports and *", () => {
  const vars = (noProxy: string) => env({ HTTPS_PROXY: "http://proxy:3128", NO_PROXY: noProxy });
  const url = new URL("wss://api.example.com/");
  assert.equal(selectProxy(url, undefined, vars("api.example.com")), null);
  assert.equal(selectProxy(url, undefined, vars(".example.com")), null);
  assert.equal(selectProxy(url, undefined, vars("*.example.com")), null);
  assert.equal(selectProxy(url, undefined, vars("example.com:443")), null);
  assert.equal(selectProxy(url, undefined, vars("*")), null);
  assert.notEqual(selectProxy(url, undefined, vars("other.com, example.com:80")), null);
});

test("selectProxy prefers the option, and false turns the environment off", () => {
  const vars = env({ HTTPS_PROXY: "http://proxy:3128" });
  assert.equal(selectProxy(new URL("wss://a/"), false, vars), null);
  assert.equal(selectProxy(new URL("wss://a/"), "http://other:1", vars)?.host, "other:1");
  assert.throws(
    () => selectProxy(new URL("wss://a/"), "socks5://x:1", vars),
    { code: "INVALID_PROXY" },
  );
});

test("acceptDeflateResponse accepts what RFC 7692 allows and refuses the rest", () => {
  const offer = deflateOffer({ clientMaxWindowBits: 12 }, true);
  const check = (value: string) => acceptDeflateResponse(offer, parseExtensions(value));
  assert.deepEqual(check("permessage-deflate; server_max_window_bits=10"), {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: 10,
    clientMaxWindowBits: 12,
  });
  assert.equal(check("permessage-deflate; client_max_window_bits=9")?.clientMaxWindowBits, 9);
  for (
    const bad of [
      "permessage-deflate; client_max_window_bits=13",
      "permessage-deflate; client_max_window_bits",
      "permessage-deflate; server_max_window_bits=08",
      "permessage-deflate; server_max_window_bits",
      "permessage-deflate; x=1",
    ]
  ) {
    assert.throws(() => check(bad), { code: "INVALID_EXTENSION_RESPONSE" }, bad);
  }
});

test("acceptDeflateResponse requires server_no_context_takeover when it was offered", () => {
  const offer = deflateOffer({}, false);
  assert.throws(
    () => acceptDeflateResponse(offer, parseExtensions("permessage-deflate")),
    { code: "INVALID_EXTENSION_RESPONSE" },
  );
  const agreement = acceptDeflateResponse(
    offer,
    parseExtensions("permessage-deflate; server_no_context_takeover"),
  );
  assert.equal(agreement?.clientNoContextTakeover, true);
});

test("WebSocket throws SyntaxError for a bad URL, scheme, fragment or subprotocol list", () => {
  for (const url of ["not a url", "ftp://a/", "ws://a/#x"]) {
    assert.throws(() => new WebSocket(url), { name: "SyntaxError" }, url);
  }
  assert.throws(() => new WebSocket("ws://127.0.0.1:1/", ["a", "a"]), { name: "SyntaxError" });
  assert.throws(() => new WebSocket("ws://127.0.0.1:1/", ["a b"]), { name: "SyntaxError" });
});

test("WebSocket maps http to ws, refuses send while connecting and bad close codes", async () => {
  const socket = new WebSocket("http://127.0.0.1:1/x", [], { proxy: false });
  assert.equal(socket.url, "ws://127.0.0.1:1/x");
  assert.equal(socket.binaryType, "blob");
  assert.equal(socket.readyState, WebSocket.CONNECTING);
  assert.throws(() => socket.send("x"), { name: "InvalidStateError" });
  assert.throws(() => socket.close(1001), { name: "InvalidAccessError" });
  assert.throws(() => socket.close(1000, "x".repeat(124)), { name: "SyntaxError" });
  const closed = new Promise<CloseEvent>((resolve) => socket.onclose = resolve);
  const error = new Promise<Event>((resolve) => socket.addEventListener("error", resolve));
  assert.equal((await closed).code, 1006);
  await error;
  assert.equal(socket.readyState, WebSocket.CLOSED);
});

test("WebSocket fails with ABORTED when its signal aborts while connecting", async () => {
  const controller = new AbortController();
  controller.abort();
  const socket = new WebSocket("ws://127.0.0.1:1/", [], { signal: controller.signal });
  const event = await new Promise<Event>((resolve) => socket.onerror = resolve);
  assert.equal((event as Event & { error: { code: string } }).error.code, "ABORTED");
});
