import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_SERVER_OPTIONS, resolveServerOptions } from "../../../src/api/server_options.ts";
import { DEFAULT_PER_MESSAGE_DEFLATE } from "../../../src/api/per_message_deflate_options.ts";

describe("perMessageDeflate option", () => {
  test("perMessageDeflate is off by default and true takes every default", () => {
    assert.equal(DEFAULT_SERVER_OPTIONS.perMessageDeflate, false);
    assert.equal(resolveServerOptions().perMessageDeflate, false);
    assert.deepEqual(resolveServerOptions({ perMessageDeflate: true }).perMessageDeflate, {
      serverNoContextTakeover: false,
      clientNoContextTakeover: false,
      serverMaxWindowBits: 12,
      clientMaxWindowBits: 12,
      level: 6,
      memLevel: 4,
      threshold: 1024,
    });
  });

  test("perMessageDeflate fills in the fields an object leaves out", () => {
    const resolved = resolveServerOptions({
      perMessageDeflate: { serverMaxWindowBits: 9, serverNoContextTakeover: true },
    }).perMessageDeflate;
    assert.deepEqual(resolved, {
      ...DEFAULT_PER_MESSAGE_DEFLATE,
      serverMaxWindowBits: 9,
      serverNoContextTakeover: true,
    });
  });

  test("perMessageDeflate refuses unknown fields and values out of range at start-up", () => {
    for (
      const [value, pattern] of [
        [{ windowBits: 10 }, /unknown perMessageDeflate option "windowBits"/],
        [{ serverMaxWindowBits: 7 }, /serverMaxWindowBits must be an integer from 8 to 15, got 7/],
        [{ clientMaxWindowBits: 16 }, /clientMaxWindowBits must be an integer from 8 to 15/],
        [{ level: 10 }, /level must be an integer from 0 to 9/],
        [{ memLevel: 0 }, /memLevel must be an integer from 1 to 9/],
        [{ threshold: -1 }, /threshold must be an integer/],
        [{ threshold: 1.5 }, /threshold must be an integer/],
        [{ clientNoContextTakeover: "yes" }, /clientNoContextTakeover must be a boolean/],
        ["on", /perMessageDeflate must be a boolean or an object/],
      ] as const
    ) {
      assert.throws(
        // deno-lint-ignore no-explicit-any
        () => resolveServerOptions({ perMessageDeflate: value as any }),
        (error: Error) =>
          pattern.test(error.message) && error.message.startsWith("Cannot create server"),
        JSON.stringify(value),
      );
    }
  });
});
