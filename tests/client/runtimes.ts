/**
 * Which runtimes the client tests run our client on, and how to start a script on each.
 *
 * @module
 */

import { join } from "node:path";

const root = join(import.meta.dirname!, "..", "..");

/** Node, Deno and Bun, or those OMNISOCKET_RUNTIMES lists. */
export function selectedRuntimes(): string[] {
  const wanted = process.env.OMNISOCKET_RUNTIMES;
  const all = ["node", "deno", "bun"];
  return wanted ? all.filter((runtime) => wanted.split(",").includes(runtime)) : all;
}

/** The command running `script` (relative to the repository) on `runtime`. */
export function runtimeCommand(runtime: string, script: string, exposeGc = false): string[] {
  const path = join(root, script);
  if (runtime === "deno") {
    const flags = exposeGc ? ["--v8-flags=--expose-gc"] : [];
    return [join(root, "node_modules/.bin/deno"), "run", "-A", ...flags, path];
  }
  if (runtime === "bun") return [join(root, "node_modules/.bin/bun"), path];
  return [join(root, "node_modules/node24/bin/node"), ...(exposeGc ? ["--expose-gc"] : []), path];
}
