// The metrics suite on Node, and on Deno and Bun with both engines (their
// native WebSocket server and ours), each a server of its own started from
// tests/support/metrics_server.ts.

import assert from "node:assert/strict";
import { test } from "node:test";
import { runtimesUnderTest, startExample } from "../support/example_server.ts";
import { Inbox } from "../support/inbox.ts";
import { METRICS_SUITE_ORIGIN } from "../support/metrics_handler.ts";
import { open } from "../support/ws_client.ts";
import { defineMetricsSuite } from "./metrics_suite.ts";

for (const runtime of runtimesUnderTest()) {
  const engines = runtime === "node" ? ["omnisocket"] : ["native", "omnisocket"];
  for (const engine of engines) {
    defineMetricsSuite(
      runtime === "node" ? runtime : `${runtime} (${engine} engine)`,
      () =>
        startExample({
          runtime,
          file: "tests/support/metrics_server.ts",
          args: ["--engine", engine],
        }),
      {
        topics: true,
        malformedReachServer: true,
        backpressureSeen: !(runtime === "bun" && engine === "native"),
      },
    );
  }
}

// Where our engine compresses (Node; Deno and Bun with `engine: "omnisocket"`), deflate's bytes in
// and out are counted: their ratio is the compression ratio.
for (const runtime of runtimesUnderTest()) {
  test(`metrics on ${runtime} (omnisocket engine) count deflate's bytes in and out`, async () => {
    const server = await startExample({
      runtime,
      file: "tests/support/metrics_server.ts",
      args: ["--engine", "omnisocket", "--deflate"],
    });
    try {
      const client = new Inbox(
        await open(server.url, [], { origin: METRICS_SUITE_ORIGIN, perMessageDeflate: true }),
      );
      assert.match(client.socket.extensions, /permessage-deflate/);
      assert.equal((await client.ask({ cmd: "sub", topic: "zip" })).ready, "zip");
      const data = "compress me ".repeat(2000); // 24 000 characters
      client.send({ cmd: "pub", topic: "zip", data, self: true });
      const [first, second] = [await client.json(), await client.json()];
      const delivered = "data" in first ? first : second;
      assert.equal(delivered.data, data);
      client.close();
      const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      const read = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1]);
      const input = read("omnisocket_deflate_input_bytes_total");
      const output = read("omnisocket_deflate_output_bytes_total");
      assert.ok(input > 24_000, `deflate input ${input} bytes`);
      assert.ok(output > 0 && output < input / 20, `deflate output ${output} of ${input} bytes`);
    } finally {
      await server.stop();
    }
  });
}
