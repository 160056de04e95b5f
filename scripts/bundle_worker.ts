/**
 * Bundles a worker entry (TypeScript, relative `.ts` imports) into one ES
 * module for workerd, which runs JavaScript only, with esbuild from
 * node_modules.
 *
 *   node scripts/bundle_worker.ts examples/echo_worker.ts --outfile .test-build/worker.js
 *
 * @module
 */

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import process from "node:process";

const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));

/**
 * Bundles `entry` (relative to the repository root, or absolute) into the
 * single ES module `outFile`. Rejects with esbuild's diagnostics on failure.
 *
 * @example
 * ```ts ignore
 * await bundleWorker("examples/echo_worker.ts", "/tmp/worker.js");
 * ```
 */
export function bundleWorker(entry: string, outFile: string): Promise<void> {
  const esbuild = `${REPO_ROOT}node_modules/.bin/esbuild`;
  const args = [
    entry,
    "--bundle",
    "--format=esm",
    // Our sources use Web APIs only: no Node or browser shims.
    "--platform=neutral",
    "--target=es2022",
    `--outfile=${outFile}`,
    "--log-level=warning",
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(esbuild, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.setEncoding("utf8").on("data", (text: string) => output += text);
    child.stderr!.setEncoding("utf8").on("data", (text: string) => output += text);
    child.once("error", (error) => {
      reject(new Error(`Cannot bundle ${entry}: cannot run ${esbuild}: ${error.message}`));
    });
    child.once("exit", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`Cannot bundle ${entry}: esbuild exited with ${code}\n${output}`));
    });
  });
}

if (import.meta.main) {
  const [entry] = process.argv.slice(2);
  const outIndex = process.argv.indexOf("--outfile");
  if (!entry || entry.startsWith("--") || outIndex === -1 || !process.argv[outIndex + 1]) {
    console.error("usage: node scripts/bundle_worker.ts ENTRY.ts --outfile OUT.js");
    process.exit(2);
  }
  await bundleWorker(entry, process.argv[outIndex + 1]);
}
