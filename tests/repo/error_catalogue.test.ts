// The README's "Errors" list and the code's catalogue of error codes are the same list.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ERROR_CODES } from "../../src/errors/error_code.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function readmeErrors(): Map<string, string> {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const start = readme.indexOf("\n## Errors\n");
  assert.ok(start >= 0, "README has an Errors section");
  const end = readme.indexOf("\n## ", start + 1);
  const listed = new Map<string, string>();
  for (const line of readme.slice(start, end).split("\n")) {
    const row = /^\|\s*`([A-Z0-9_]+)`\s*\|\s*([^|]+?)\s*\|/.exec(line);
    if (row) listed.set(row[1], row[2]);
  }
  return listed;
}

test("README Errors lists every code of the catalogue, and no other, with its answer", () => {
  const listed = readmeErrors();
  const catalogue = new Map(
    Object.entries(ERROR_CODES).map(([code, { answer }]) => [code, answer]),
  );
  assert.deepEqual([...listed.keys()].sort(), [...catalogue.keys()].sort());
  for (const [code, answer] of catalogue) assert.equal(listed.get(code), answer, code);
});

test("every ProtocolError code written in src/ is in the catalogue", () => {
  // The type checker enforces it for literals; this catches codes built at run time.
  const codes = new Set(Object.keys(ERROR_CODES));
  assert.ok(codes.has("MESSAGE_TOO_LARGE") && !codes.has("MESSAGE_TOO_BIG"));
  assert.ok(codes.has("CONTROL_FRAME_TOO_LONG"));
  assert.ok(!codes.has("PING_TOO_LONG") && !codes.has("CONTROL_PAYLOAD_TOO_LONG"));
});
