import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { isValidCloseCode } from "../../../src/frame/is_valid_close_code.ts";

describe("isValidCloseCode", () => {
  test("isValidCloseCode accepts 1000-1003, 1007-1014 and 3000-4999", () => {
    for (const code of [1000, 1001, 1002, 1003, 1007, 1010, 1011, 1014, 3000, 3999, 4000, 4999]) {
      assert.equal(isValidCloseCode(code), true, String(code));
    }
  });

  test("isValidCloseCode refuses reserved, local-only and unassigned codes", () => {
    for (
      const code of [0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535, -1]
    ) {
      assert.equal(isValidCloseCode(code), false, String(code));
    }
  });

  test("isValidCloseCode refuses non-integers", () => {
    assert.equal(isValidCloseCode(1000.5), false);
    assert.equal(isValidCloseCode(Number.NaN), false);
  });
});
