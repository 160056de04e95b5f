// `deno task check`: the static checks of scripts/check_steps.mjs, stopping at the first failure.

import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkSteps } from "./check_steps.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
for (const step of checkSteps(root)) {
  console.log(`\n=== ${step.name}`);
  const [command, ...args] = step.cmd;
  const { status } = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (status !== 0) {
    console.error(`Cannot pass the checks: "${step.name}" failed`);
    process.exit(1);
  }
}
