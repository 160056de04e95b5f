/**
 * Runs a worker on the real workerd runtime, locally and offline, until
 * SIGINT or SIGTERM:
 *
 *   node scripts/run_worker.ts examples/echo_worker.ts --port 8787
 *
 * Prints `listening on http://127.0.0.1:PORT`; the worker's console output
 * goes to this terminal. `--port 0` picks a free port.
 *
 * @module
 */

import process from "node:process";
import { startWorker } from "../tests/support/workerd.ts";

const args = process.argv.slice(2);
const portIndex = args.indexOf("--port");
const entry = args.find((arg, index) => !arg.startsWith("--") && index !== portIndex + 1);
const port = portIndex === -1 ? 8787 : Number(args[portIndex + 1]);
if (!entry || !Number.isInteger(port) || port < 0 || port > 65535) {
  console.error("usage: node scripts/run_worker.ts WORKER.ts [--port 8787]");
  process.exit(2);
}

const worker = await startWorker({ entry, port, stdio: "inherit" });
console.log(`listening on ${worker.url}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    await worker.stop();
    process.exit(0);
  });
}
