// Interop with clients nobody here wrote: python3-websockets (Debian), the
// global WebSocket of Node, Deno and Bun, against the echo server on every runtime.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { REPO_ROOT, runtimesUnderTest, startExample } from "../support/example_server.ts";

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (data) => (output += data));
    child.stderr.on("data", (data) => (output += data));
    child.on("close", (code) => resolve({ code, output }));
  });
}

const CLIENTS: [string, string, string[]][] = [
  ["python3-websockets", "/usr/bin/python3", ["tests/interop/python_client.py"]],
  ["Node's WebSocket", `${REPO_ROOT}node_modules/.bin/node`, ["tests/interop/native_client.ts"]],
  ["Deno's WebSocket", `${REPO_ROOT}node_modules/.bin/deno`, [
    "run",
    "-A",
    "tests/interop/native_client.ts",
  ]],
  ["Bun's WebSocket", `${REPO_ROOT}node_modules/.bin/bun`, ["tests/interop/native_client.ts"]],
];

for (const runtime of runtimesUnderTest()) {
  describe(`echo server on ${runtime}`, () => {
    for (const [name, command, args] of CLIENTS) {
      test(`round-trips text, binary and a close code with ${name}`, async () => {
        const server = await startExample({ runtime, file: "examples/echo.ts" });
        try {
          const { code, output } = await run(command, [...args, server.url]);
          assert.equal(code, 0, output);
          assert.match(output, /^ok$/m);
        } finally {
          await server.stop();
        }
      });
    }
  });
}

// permessage-deflate: the --deflate echo on our engine (every runtime) and on Bun's native server.
const DEFLATE_CLIENTS: [string, string, string[], boolean][] = [
  ["python3-websockets", "/usr/bin/python3", ["tests/interop/python_client.py"], true],
  ["ws with perMessageDeflate", `${REPO_ROOT}node_modules/.bin/node`, [
    "tests/interop/ws_deflate_client.ts",
  ], true],
  [
    "Node's WebSocket",
    `${REPO_ROOT}node_modules/.bin/node`,
    ["tests/interop/native_client.ts"],
    true,
  ],
  // Deno's client offers no extension: the echo must work uncompressed all the same.
  ["Deno's WebSocket", `${REPO_ROOT}node_modules/.bin/deno`, [
    "run",
    "-A",
    "tests/interop/native_client.ts",
  ], false],
  [
    "Bun's WebSocket",
    `${REPO_ROOT}node_modules/.bin/bun`,
    ["tests/interop/native_client.ts"],
    true,
  ],
];

for (const runtime of runtimesUnderTest()) {
  const servers: [string, string[]][] = [[`${runtime} (omnisocket engine)`, [
    "--engine",
    "omnisocket",
  ]]];
  if (runtime === "bun") servers.push(["bun (native)", []]);
  for (const [serverName, engineArgs] of servers) {
    describe(`echo server --deflate on ${serverName}`, () => {
      for (const [name, command, args, offers] of DEFLATE_CLIENTS) {
        test(`negotiates permessage-deflate and round-trips with ${name}`, async () => {
          const server = await startExample({
            runtime,
            file: "examples/echo.ts",
            args: [...engineArgs, "--deflate"],
          });
          try {
            const { code, output } = await run(command, [...args, server.url, "--deflate"]);
            assert.equal(code, 0, output);
            assert.match(output, /^ok$/m);
            if (offers) assert.match(output, /^extensions: permessage-deflate/m);
            else assert.match(output, /^extensions: $/m);
          } finally {
            await server.stop();
          }
        });
      }
    });
  }
}
