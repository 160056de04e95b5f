// The black-box topic suite (tests/adapters/topics_suite.ts) again, with every publication going
// through a private redis-server (the Redis backplane), then through a private three-master Redis
// Cluster, on Node, Deno and Bun.

import { after, before } from "node:test";
import { runtimesUnderTest, startExample } from "../support/example_server.ts";
import { type RedisServer, startRedisServer } from "../support/redis_server.ts";
import { type RedisCluster, startRedisCluster } from "../support/redis_cluster.ts";
import { defineTopicsSuite } from "../adapters/topics_suite.ts";

let redis: RedisServer;
let cluster: RedisCluster;
before(async () => {
  [redis, cluster] = await Promise.all([startRedisServer(), startRedisCluster()]);
});
after(async () => {
  await Promise.all([redis.stop(true), cluster.stop()]);
});

for (const runtime of runtimesUnderTest()) {
  const engine = runtime === "node" ? "omnisocket" : "native";
  for (
    const [name, url] of [["Redis", () => redis.url], [
      "a Redis Cluster",
      () => cluster.url,
    ]] as const
  ) {
    defineTopicsSuite(
      `${runtime} over ${name}`,
      () =>
        startExample({
          runtime,
          file: "tests/support/redis_topics_server.ts",
          args: ["--engine", engine, "--redis", url()],
        }),
    );
  }
}
