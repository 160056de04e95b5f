/**
 * The examples/echo_client.ts contract on Node, Deno and Bun, against the
 * fuzzing server: one line, `closed CODE REASON_JSON` or `error MESSAGE`, exit 0.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, test } from "node:test";
import { type FuzzServer, startFuzzServer } from "./fuzz_server.ts";
import { runtimeCommand, selectedRuntimes } from "./runtimes.ts";

let server: FuzzServer;
before(async () => {
  server = await startFuzzServer();
});
after(() => server.close());

function run(runtime: string, args: string[]): Promise<{ code: number | null; stdout: string }> {
  const [command, ...rest] = runtimeCommand(runtime, "examples/echo_client.ts");
  const child = spawn(command, [...rest, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (text: string) => stdout += text);
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout })));
}

const cases: [string, string[], string][] = [
  ["f-close-1000-reason", [], 'closed 1000 "bye"\n'],
  ["f-close-empty", [], 'closed 1005 ""\n'],
  ["f-server-drops-tcp", [], 'closed 1006 ""\n'],
  ["f-invalid-utf8", [], 'closed 1006 ""\n'],
  ["d-compressed-echo", ["--deflate"], 'closed 1000 ""\n'],
  [
    "h-status-200",
    [],
    "error Cannot complete client handshake: the server answered 200, not 101\n",
  ],
];

for (const runtime of selectedRuntimes()) {
  test(`echo_client.ts on ${runtime} prints one line and exits 0 for each ending`, async () => {
    for (const [id, flags, line] of cases) {
      const { code, stdout } = await run(runtime, [
        `ws://127.0.0.1:${server.port}/case/${id}`,
        ...flags,
      ]);
      assert.equal(stdout, line, id);
      assert.equal(code, 0, id);
    }
    const echoed = await server.record("d-compressed-echo");
    assert.ok(echoed.messages.length >= 1);
  });
}
