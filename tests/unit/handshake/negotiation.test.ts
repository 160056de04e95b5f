import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { computeAcceptKey } from "../../../src/handshake/compute_accept_key.ts";
import { HeaderMap } from "../../../src/handshake/header_map.ts";
import {
  type ExtensionOffer,
  formatExtensions,
  parseExtensions,
} from "../../../src/handshake/parse_extensions.ts";
import { parseTokenList } from "../../../src/handshake/parse_token_list.ts";
import { selectSubprotocol } from "../../../src/handshake/select_subprotocol.ts";
import { protocolErrorOf } from "./fixtures.ts";

describe("computeAcceptKey", () => {
  test("computeAcceptKey gives the RFC 6455 answer for the sample key", async () => {
    assert.equal(
      await computeAcceptKey("dGhlIHNhbXBsZSBub25jZQ=="),
      "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
    );
  });

  test("computeAcceptKey gives a different answer when the key differs", async () => {
    assert.notEqual(
      await computeAcceptKey("AAAAAAAAAAAAAAAAAAAAAA=="),
      "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
    );
  });
});

describe("HeaderMap", () => {
  test("HeaderMap joins duplicates, counts field lines and keeps wire order", () => {
    const headers = new HeaderMap([["B", "1"], ["a", "2"], ["b", "3"]]);
    assert.equal(headers.get("b"), "1, 3");
    assert.equal(headers.count("B"), 2);
    assert.equal(headers.count("c"), 0);
    assert.equal(headers.get("c"), null);
    assert.equal(headers.has("A"), true);
    assert.equal(headers.size, 3);
    assert.deepEqual([...headers.entries()], [["b", "1"], ["a", "2"], ["b", "3"]]);
    assert.equal(headers.toHeaders().get("b"), "1, 3");
  });

  test("HeaderMap treats __proto__ and constructor as ordinary names", () => {
    const headers = new HeaderMap([["__proto__", "x"]]);
    assert.equal(headers.get("__proto__"), "x");
    assert.equal(headers.get("constructor"), null);
    assert.equal(headers.count("toString"), 0);
  });
});

describe("parseTokenList", () => {
  test("parseTokenList splits on commas with OWS and skips empty elements", () => {
    assert.deepEqual(parseTokenList("a, b ,c\t,\t d"), ["a", "b", "c", "d"]);
    assert.deepEqual(parseTokenList(" , ,a,, "), ["a"]);
    assert.deepEqual(parseTokenList(""), []);
  });

  test("parseTokenList throws 400 INVALID_TOKEN_LIST when an element is not a token", () => {
    for (const value of ["a b", "a;b", "a/b", '"a"', "a,\u00e9", "a\r\n", "a@"]) {
      const error = protocolErrorOf(() => parseTokenList(value));
      assert.equal(error.code, "INVALID_TOKEN_LIST", JSON.stringify(value));
      assert.equal(error.status, 400);
    }
  });

  test("parseTokenList rejects b, a million spaces and x in one pass", () => {
    const error = protocolErrorOf(() => parseTokenList("b" + " ".repeat(1_000_000) + "x"));
    assert.equal(error.code, "INVALID_TOKEN_LIST");
  });

  test("parseTokenList accepts a token followed by a million spaces", () => {
    assert.deepEqual(parseTokenList("b" + " ".repeat(1_000_000)), ["b"]);
  });
});

describe("parseExtensions", () => {
  test("parseExtensions reads names, bare params, token and quoted values", () => {
    const offers = parseExtensions(
      'permessage-deflate ; client_max_window_bits ; server_max_window_bits = "10" , x-y;a=b,',
    );
    assert.deepEqual(offers, [
      {
        name: "permessage-deflate",
        params: new Map<string, string | true>([
          ["client_max_window_bits", true],
          ["server_max_window_bits", "10"],
        ]),
      },
      { name: "x-y", params: new Map([["a", "b"]]) },
    ]);
  });

  test("parseExtensions unescapes quoted-pairs when the result is a token", () => {
    assert.equal(parseExtensions('a; b="\\1\\0"')[0].params.get("b"), "10");
  });

  test("parseExtensions keeps constructor, __proto__ and hasOwnProperty as plain data", () => {
    const offers = parseExtensions(
      'constructor; __proto__=1; hasOwnProperty, __proto__; constructor="x"',
    );
    assert.equal(offers[0].name, "constructor");
    assert.equal(offers[0].params.get("__proto__"), "1");
    assert.equal(offers[0].params.get("hasOwnProperty"), true);
    assert.equal(offers[1].name, "__proto__");
    assert.equal(offers[1].params.get("constructor"), "x");
    assert.equal(Object.getPrototypeOf(offers[1]), Object.prototype);
    assert.equal(offers[0].params.get("toString"), undefined);
  });

  test("parseExtensions marks an offer with a parameter named twice instead of refusing the header", () => {
    const offers = parseExtensions("a; b; b=1, c; d=2");
    assert.deepEqual([...offers[0].params], [["b", true], ["", true]]);
    assert.deepEqual([...offers[1].params], [["d", "2"]]);
  });

  test("parseExtensions throws 400 INVALID_EXTENSIONS when the grammar is broken", () => {
    for (
      const value of [
        ";a",
        "a;",
        "a; =1",
        "a; b=",
        'a; b=""',
        'a; b="c d"',
        'a; b="c',
        "a; b=c d",
        "a b",
        'a; b="\\',
        'a; b="c"d',
        "a=1",
        "é",
      ]
    ) {
      const error = protocolErrorOf(() => parseExtensions(value));
      assert.equal(error.code, "INVALID_EXTENSIONS", JSON.stringify(value));
      assert.equal(error.status, 400);
    }
  });

  test("parseExtensions rejects an unclosed quoted param full of backslash-x in one pass", () => {
    const value = 'permessage-deflate; a="' + "\\x".repeat(500_000);
    const error = protocolErrorOf(() => parseExtensions(value));
    assert.equal(error.code, "INVALID_EXTENSIONS");
  });

  test("formatExtensions round-trips parseExtensions output", () => {
    const value = "permessage-deflate; client_max_window_bits=10; server_no_context_takeover, x";
    assert.equal(formatExtensions(parseExtensions(value)), value);
  });

  test("formatExtensions throws 500 INVALID_EXTENSIONS when a name or value is not a token", () => {
    const bad: ExtensionOffer[][] = [
      [{ name: "a b", params: new Map() }],
      [{ name: "a", params: new Map([["b\r\nX", true]]) }],
      [{ name: "a", params: new Map([["b", "1, 2"]]) }],
      [{ name: "a", params: new Map([["b", ""]]) }],
    ];
    for (const offers of bad) {
      const error = protocolErrorOf(() => formatExtensions(offers));
      assert.equal(error.code, "INVALID_EXTENSIONS");
      assert.equal(error.status, 500);
    }
  });
});

describe("selectSubprotocol", () => {
  test("selectSubprotocol picks the server's first supported protocol that was offered", () => {
    assert.equal(selectSubprotocol(["a", "b", "c"], ["c", "b"]), "c");
    assert.equal(selectSubprotocol(["a"], ["b"]), undefined);
    assert.equal(selectSubprotocol([], ["b"]), undefined);
  });

  test("selectSubprotocol compares names case-sensitively", () => {
    assert.equal(selectSubprotocol(["Chat"], ["chat"]), undefined);
  });

  test("selectSubprotocol honours a callback that picks an offered protocol or none", () => {
    assert.equal(selectSubprotocol(["a", "b"], (offered) => offered[1]), "b");
    assert.equal(selectSubprotocol(["a", "b"], () => undefined), undefined);
  });

  test("selectSubprotocol throws 500 UNOFFERED_SUBPROTOCOL when the callback invents one", () => {
    const error = protocolErrorOf(() => selectSubprotocol(["a"], () => "b"));
    assert.equal(error.code, "UNOFFERED_SUBPROTOCOL");
    assert.equal(error.status, 500);
  });

  test("selectSubprotocol gives the callback a copy it cannot use to widen the offer", () => {
    const offered = ["a"];
    const error = protocolErrorOf(() =>
      selectSubprotocol(offered, (list) => {
        list.push("evil");
        return "evil";
      })
    );
    assert.equal(error.code, "UNOFFERED_SUBPROTOCOL");
    assert.deepEqual(offered, ["a"]);
  });
});
