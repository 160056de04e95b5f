import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  deflateAgreementOf,
  type DeflatePolicy,
  negotiatePerMessageDeflate,
} from "../../../src/handshake/negotiate_permessage_deflate.ts";
import { formatExtensions, parseExtensions } from "../../../src/handshake/parse_extensions.ts";

const OPEN: DeflatePolicy = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};

// The response header value for `offer`, or null when every offer is declined.
function answer(offer: string, policy: DeflatePolicy = OPEN): string | null {
  const result = negotiatePerMessageDeflate(parseExtensions(offer), policy);
  return result === null ? null : formatExtensions([result.response]);
}

describe("negotiatePerMessageDeflate", () => {
  test("negotiatePerMessageDeflate accepts a bare offer with no parameters", () => {
    assert.equal(answer("permessage-deflate"), "permessage-deflate");
  });

  test("negotiatePerMessageDeflate answers Chromium's offer within the client window policy", () => {
    assert.equal(
      answer("permessage-deflate; client_max_window_bits", { ...OPEN, clientMaxWindowBits: 12 }),
      "permessage-deflate; client_max_window_bits=12",
    );
    assert.equal(answer("permessage-deflate; client_max_window_bits"), "permessage-deflate");
  });

  test("negotiatePerMessageDeflate never answers client_max_window_bits the client did not offer", () => {
    assert.equal(
      answer("permessage-deflate", { ...OPEN, clientMaxWindowBits: 9 }),
      "permessage-deflate",
    );
  });

  test("negotiatePerMessageDeflate answers server_max_window_bits=8 with 8, never 9", () => {
    assert.equal(
      answer("permessage-deflate; server_max_window_bits=8"),
      "permessage-deflate; server_max_window_bits=8",
    );
    assert.equal(
      answer('permessage-deflate; server_max_window_bits="8"; client_max_window_bits=8'),
      "permessage-deflate; server_max_window_bits=8; client_max_window_bits=8",
    );
  });

  test("negotiatePerMessageDeflate answers the smaller of the offered and allowed windows", () => {
    assert.equal(
      answer("permessage-deflate; server_max_window_bits=10", { ...OPEN, serverMaxWindowBits: 12 }),
      "permessage-deflate; server_max_window_bits=10",
    );
    assert.equal(
      answer("permessage-deflate; server_max_window_bits=14", { ...OPEN, serverMaxWindowBits: 12 }),
      "permessage-deflate; server_max_window_bits=12",
    );
    // Announced unasked when our compressor uses less than 15 (§7.1.2.1 allows it).
    assert.equal(
      answer("permessage-deflate", { ...OPEN, serverMaxWindowBits: 12 }),
      "permessage-deflate; server_max_window_bits=12",
    );
    assert.equal(
      answer("permessage-deflate; client_max_window_bits=10", { ...OPEN, clientMaxWindowBits: 12 }),
      "permessage-deflate; client_max_window_bits=10",
    );
  });

  test("negotiatePerMessageDeflate accepts both no_context_takeover flags and adds them by policy", () => {
    assert.equal(
      answer("permessage-deflate; server_no_context_takeover; client_no_context_takeover"),
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
    );
    assert.equal(
      answer("permessage-deflate", {
        ...OPEN,
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
      }),
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
    );
  });

  test("negotiatePerMessageDeflate declines invalid offers and takes the first valid one", () => {
    for (
      const invalid of [
        "permessage-deflate; x_unknown",
        "permessage-deflate; server_no_context_takeover=1",
        "permessage-deflate; client_no_context_takeover=true",
        "permessage-deflate; server_max_window_bits",
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=08",
        "permessage-deflate; server_max_window_bits=1a",
        "permessage-deflate; client_max_window_bits=0",
        "permessage-deflate; client_max_window_bits=100",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
      ]
    ) {
      assert.equal(answer(invalid), null, invalid);
      assert.equal(
        answer(`${invalid}, permessage-deflate; client_no_context_takeover`),
        "permessage-deflate; client_no_context_takeover",
        invalid,
      );
    }
  });

  test("negotiatePerMessageDeflate accepts the first of three valid offers (Autobahn 13.7)", () => {
    assert.equal(
      answer(
        "permessage-deflate; client_no_context_takeover; client_max_window_bits=8, " +
          "permessage-deflate; client_no_context_takeover, permessage-deflate",
      ),
      "permessage-deflate; client_no_context_takeover; client_max_window_bits=8",
    );
  });

  test("negotiatePerMessageDeflate ignores other extensions", () => {
    assert.equal(answer("x-webkit-deflate-frame, foo; bar=1"), null);
    assert.equal(answer("x-webkit-deflate-frame, permessage-deflate"), "permessage-deflate");
  });
});

describe("deflateAgreementOf", () => {
  test("deflateAgreementOf reads windows and flags back from the response", () => {
    const negotiated = negotiatePerMessageDeflate(
      parseExtensions(
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=9; client_max_window_bits",
      ),
      { ...OPEN, clientMaxWindowBits: 11 },
    )!;
    assert.deepEqual(deflateAgreementOf(negotiated.response), negotiated.agreement);
    assert.deepEqual(negotiated.agreement, {
      serverNoContextTakeover: true,
      clientNoContextTakeover: false,
      serverMaxWindowBits: 9,
      clientMaxWindowBits: 11,
    });
  });
});
