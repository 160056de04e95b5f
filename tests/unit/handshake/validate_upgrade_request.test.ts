import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { HeaderMap } from "../../../src/handshake/header_map.ts";
import {
  type UpgradeRequest,
  validateUpgradeRequest,
} from "../../../src/handshake/validate_upgrade_request.ts";
import { upgradeRequestFromRequest } from "../../../src/handshake/upgrade_request_from_request.ts";
import { protocolErrorOf } from "./fixtures.ts";

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const VALID_FIELDS: [string, string][] = [
  ["Host", "server.example.com"],
  ["Upgrade", "websocket"],
  ["Connection", "Upgrade"],
  ["Sec-WebSocket-Key", KEY],
  ["Sec-WebSocket-Version", "13"],
];

/** The valid request with `name` replaced by `values` (none = removed, several = repeated). */
function requestWith(name: string, values: string[], extra: Partial<UpgradeRequest> = {}) {
  const fields = VALID_FIELDS.filter(([field]) => field.toLowerCase() !== name.toLowerCase());
  for (const value of values) fields.push([name, value]);
  return { method: "GET", httpVersion: "1.1", headers: new HeaderMap(fields), ...extra };
}

describe("validateUpgradeRequest", () => {
  test("validateUpgradeRequest returns the key when the request is the RFC sample", () => {
    assert.equal(validateUpgradeRequest(requestWith("X", [])), KEY);
  });

  test("validateUpgradeRequest accepts token lists and any case in Upgrade and Connection", () => {
    const request = requestWith("Upgrade", ["foo, WebSocket"]);
    assert.equal(validateUpgradeRequest(request), KEY);
    assert.equal(validateUpgradeRequest(requestWith("Connection", ["keep-alive, Upgrade"])), KEY);
    assert.equal(validateUpgradeRequest(requestWith("Connection", ["keep-alive", "upgrade"])), KEY);
    assert.equal(validateUpgradeRequest(requestWith("Upgrade", ["HTTP/2.0, websocket"])), KEY);
  });

  test("validateUpgradeRequest accepts an unknown HTTP version and HTTP/1.9", () => {
    assert.equal(validateUpgradeRequest(requestWith("X", [], { httpVersion: undefined })), KEY);
    assert.equal(validateUpgradeRequest(requestWith("X", [], { httpVersion: "1.9" })), KEY);
  });

  test("validateUpgradeRequest throws 405 with Allow: GET when the method is not GET", () => {
    for (const method of ["POST", "get", "HEAD"]) {
      const error = protocolErrorOf(() => validateUpgradeRequest(requestWith("X", [], { method })));
      assert.equal(error.code, "METHOD_NOT_ALLOWED");
      assert.equal(error.status, 405);
      assert.deepEqual(error.headers, { Allow: "GET" });
    }
  });

  test("validateUpgradeRequest throws 426 with Upgrade and Sec-WebSocket-Version when the version differs", () => {
    for (const values of [[], ["8"], ["13, 13"], ["13", "13"], [" 13x"]]) {
      const error = protocolErrorOf(() =>
        validateUpgradeRequest(requestWith("Sec-WebSocket-Version", values))
      );
      assert.equal(error.code, "UNSUPPORTED_VERSION", JSON.stringify(values));
      assert.equal(error.status, 426);
      assert.deepEqual(error.headers, { Upgrade: "websocket", "Sec-WebSocket-Version": "13" });
    }
  });

  const badRequests: [string, UpgradeRequest][] = [
    ["UNSUPPORTED_HTTP_VERSION", requestWith("X", [], { httpVersion: "1.0" })],
    ["UNSUPPORTED_HTTP_VERSION", requestWith("X", [], { httpVersion: "0.9" })],
    ["MISSING_HOST", requestWith("Host", [])],
    ["MISSING_HOST", requestWith("Host", [" "])],
    ["DUPLICATE_HOST", requestWith("Host", ["a", "b"])],
    ["INVALID_UPGRADE", requestWith("Upgrade", [])],
    ["INVALID_UPGRADE", requestWith("Upgrade", ["websockets"])],
    ["INVALID_UPGRADE", requestWith("Upgrade", ["web socket"])],
    ["INVALID_CONNECTION", requestWith("Connection", [])],
    ["INVALID_CONNECTION", requestWith("Connection", ["keep-alive"])],
    ["INVALID_CONNECTION", requestWith("Connection", ["Upgrade;x"])],
    ["MISSING_KEY", requestWith("Sec-WebSocket-Key", [])],
    ["DUPLICATE_KEY", requestWith("Sec-WebSocket-Key", [KEY, KEY])],
    ["INVALID_KEY", requestWith("Sec-WebSocket-Key", [""])],
    ["INVALID_KEY", requestWith("Sec-WebSocket-Key", ["dGhlIHNhbXBsZSBub25jZQ="])],
    ["INVALID_KEY", requestWith("Sec-WebSocket-Key", ["dGhlIHNhbXBsZSBub25jZR=="])],
    ["INVALID_KEY", requestWith("Sec-WebSocket-Key", ["dGhlIHNhbXBsZSBub25j ZQ=="])],
    ["INVALID_KEY", requestWith("Sec-WebSocket-Key", ["dGhlIHNhbXBsZSBub25jZQ+="])],
    ["INVALID_KEY", requestWith("Sec-WebSocket-Key", ["AAAAAAAAAAAAAAAAAAAAAAAAAA=="])],
    ["INVALID_KEY", requestWith("Sec-WebSocket-Key", ["dGhlIHNhbXBsZSBub25jZ!=="])],
  ];
  for (const [code, request] of badRequests) {
    const fields = JSON.stringify([...(request.headers as HeaderMap).entries()].slice(4));
    test(`validateUpgradeRequest throws 400 ${code} for ${request.httpVersion} ${fields}`, () => {
      const error = protocolErrorOf(() => validateUpgradeRequest(request));
      assert.equal(error.code, code);
      assert.equal(error.status, 400);
      assert.match(error.message, /^Cannot accept upgrade: /);
    });
  }

  test("validateUpgradeRequest accepts exactly the keys that base64 round-trips to 16 bytes", () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const accepted = (key: string) => {
      try {
        return validateUpgradeRequest(requestWith("Sec-WebSocket-Key", [key])) === key;
      } catch {
        return false;
      }
    };
    const roundTrips = (key: string) => {
      try {
        const decoded = atob(key);
        return decoded.length === 16 && btoa(decoded) === key;
      } catch {
        return false;
      }
    };
    // Every character in every significant position, and a few outside the alphabet.
    for (const position of [0, 7, 20, 21]) {
      for (const char of alphabet + "-_=.!") {
        const key = KEY.slice(0, position) + char + KEY.slice(position + 1);
        assert.equal(accepted(key), roundTrips(key), key);
      }
    }
  });

  test("validateUpgradeRequest refuses keys duplicated in Web Headers as INVALID_KEY", () => {
    const headers = new Headers(VALID_FIELDS);
    headers.append("Sec-WebSocket-Key", KEY);
    const error = protocolErrorOf(() => validateUpgradeRequest({ method: "GET", headers }));
    assert.equal(error.code, "INVALID_KEY");
  });
});

describe("upgradeRequestFromRequest", () => {
  test("upgradeRequestFromRequest passes method, headers and url through with no version", () => {
    const request = new Request("http://server.example.com/chat?x=1", { headers: VALID_FIELDS });
    const upgrade = upgradeRequestFromRequest(request);
    assert.equal(upgrade.method, "GET");
    assert.equal(upgrade.httpVersion, undefined);
    assert.equal(upgrade.url, "http://server.example.com/chat?x=1");
    assert.equal(validateUpgradeRequest(upgrade), KEY);
  });

  test("upgradeRequestFromRequest leads to 405 when the Request is a POST", () => {
    const request = new Request("http://a/", { method: "POST", headers: VALID_FIELDS });
    const error = protocolErrorOf(() => validateUpgradeRequest(upgradeRequestFromRequest(request)));
    assert.equal(error.status, 405);
  });
});
