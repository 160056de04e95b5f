/**
 * The client conformance suite: our client against a fuzzing server of our
 * own (tests/client/fuzz_server.ts), every case, on Node, Deno and Bun
 * (OMNISOCKET_RUNTIMES narrows the list), permessage-deflate included.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { type ClientCase, clientCases } from "./client_cases.ts";
import { type FuzzServer, startFuzzServer, type WireRecord } from "./fuzz_server.ts";
import { runtimeCommand, selectedRuntimes } from "./runtimes.ts";

let server: FuzzServer;
before(async () => {
  server = await startFuzzServer();
});
after(() => server.close());

for (const runtime of selectedRuntimes()) {
  describe(`our client on ${runtime}`, () => {
    const results = new Map<string, Promise<Record<string, unknown>>>();
    let all: Promise<Map<string, Record<string, unknown>>>;
    before(() => {
      all = runDriver(runtime, clientCases);
    });
    for (const kase of clientCases) {
      results.set(kase.id, Promise.resolve({}));
      test(`client passes ${kase.group} case ${kase.id}`, async () => {
        const seen = (await all).get(kase.id);
        assert.ok(seen, `the driver reported nothing for ${kase.id}`);
        const wire = seen.opened || kase.expect.wire !== undefined
          ? await server.record(kase.id)
          : undefined;
        check(kase, seen, wire);
      });
    }
  });
}

function check(
  kase: ClientCase,
  seen: Record<string, unknown>,
  wire: WireRecord | undefined,
): void {
  const expect = kase.expect;
  if (expect.handshakeError !== undefined) {
    assert.equal(seen.opened, false, "the connection must not open");
    assert.equal(seen.errorCode, expect.handshakeError);
    assert.equal(seen.code, 1006);
    return;
  }
  assert.equal(seen.opened, true, `it must open (error ${seen.errorCode})`);
  assert.equal(wire?.unmasked, false, "every client frame is masked");
  if (expect.wire !== undefined) assert.equal(wire?.closeCode, expect.wire, "close code on wire");
  if (expect.app !== undefined) assert.equal(seen.code, expect.app, "close code seen by the app");
  if (expect.reason !== undefined) assert.equal(seen.reason, expect.reason);
  if (expect.echoes !== undefined) assert.deepEqual(wire?.messages, expect.echoes);
  if (expect.pongs !== undefined) assert.deepEqual(wire?.pongs, expect.pongs);
  if (expect.protocol !== undefined) assert.equal(seen.protocol, expect.protocol);
  if (expect.extensions !== undefined) assert.equal(seen.extensions, expect.extensions);
}

function runDriver(
  runtime: string,
  cases: ClientCase[],
): Promise<Map<string, Record<string, unknown>>> {
  const list = JSON.stringify(cases.map(({ id, deflate, protocols, maxMessageSize }) => ({
    id,
    deflate,
    protocols,
    maxMessageSize,
  })));
  const [command, ...args] = runtimeCommand(runtime, "tests/client/client_driver.ts");
  const child = spawn(command, [...args, String(server.port), list], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (text: string) => output += text);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill(), 120_000);
    child.on("error", reject);
    child.on("close", () => {
      clearTimeout(timer);
      const map = new Map<string, Record<string, unknown>>();
      for (const line of output.split("\n")) {
        if (!line.startsWith("{")) continue;
        const seen = JSON.parse(line) as Record<string, unknown>;
        map.set(seen.id as string, seen);
      }
      resolve(map);
    });
  });
}
