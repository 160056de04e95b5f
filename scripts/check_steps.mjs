// The static checks, in one list: `deno task check` runs them (scripts/check.mjs), and so does
// the test runner (scripts/test.mjs) before the tests. Plain JavaScript, so that Node 20, Node 24
// and Deno all read it.

import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Each step: a name and a command, run from the repository root. `doc` marks a step whose
 * output reports test counts in Deno's format.
 */
export function checkSteps(root) {
  const deno = join(root, "node_modules", ".bin", "deno");
  const node24 = join(root, "node_modules", "node24", "bin", "node");
  // Every public entry point, as JSR and the npm build publish them (deno.json `exports`).
  const entryPoints = Object.values(
    JSON.parse(readFileSync(join(root, "deno.json"), "utf8")).exports,
  );
  return [
    { name: "deno fmt --check", cmd: [deno, "fmt", "--check"] },
    { name: "deno lint", cmd: [deno, "lint"] },
    {
      name: "deno check",
      cmd: [deno, "check", ...entryPoints, "src/", "tests/", "examples/", "scripts/"],
    },
    { name: "deno check --doc-only", cmd: [deno, "check", "--doc-only", ...entryPoints, "src/"] },
    { name: "deno doc --lint (every entry point)", cmd: [deno, "doc", "--lint", ...entryPoints] },
    {
      name: "doc examples: type-checked and run",
      cmd: [deno, "test", "-A", "--doc", ...entryPoints, "src/"],
      doc: true,
    },
    { name: "README snippets type-check", cmd: [node24, "scripts/check_readme.ts"] },
    {
      // Facts of the repository, not of the package (the npm build does not run them): no import
      // circle in src/, src/adapters/ holds entry points only, the README lists every error code.
      name: "repository checks: layout, import circles, error catalogue",
      cmd: [node24, "--test", "--test-reporter=spec", "tests/repo/*.test.ts"],
    },
    {
      name: "topic client browser build is current",
      cmd: [node24, "scripts/build_topic_client.ts", "--check"],
    },
    { name: "deno publish --dry-run", cmd: [deno, "publish", "--dry-run", "--allow-dirty"] },
  ];
}
