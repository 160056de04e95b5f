// The metrics suite on Node, and on Deno and Bun with both engines (their
// native WebSocket server and ours), each a server of its own started from
// tests/support/metrics_server.ts.

import { runtimesUnderTest, startExample } from "../support/example_server.ts";
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
      { topics: true, malformedReachServer: true },
    );
  }
}
