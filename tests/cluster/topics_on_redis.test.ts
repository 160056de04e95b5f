// The black-box topic suite (tests/adapters/topics_suite.ts) again, with every publication going
// through a private redis-server (the Redis backplane), on Node, Deno and Bun.

import { after, before } from "node:test";
import { runtimesUnderTest, startExample } from "../support/example_server.ts";
import { type RedisServer, startRedisServer } from "../support/redis_server.ts";
import { defineTopicsSuite } from "../adapters/topics_suite.ts";

let redis: RedisServer;
before(async () => {
  redis = await startRedisServer();
});
after(async () => {
  await redis.stop(true);
});

for (const runtime of runtimesUnderTest()) {
  const engine = runtime === "node" ? "omnisocket" : "native";
  defineTopicsSuite(
    `${runtime} over Redis`,
    () =>
      startExample({
        runtime,
        file: "tests/support/redis_topics_server.ts",
        args: ["--engine", engine, "--redis", redis.url],
      }),
  );
}
