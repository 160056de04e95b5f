// The black-box topic suite on the Durable Object adapter (WebSocket
// Hibernation API), on the real workerd runtime: topic history in the
// instance's memory (the default), then in its storage.

import { startWorker } from "../support/workerd.ts";
import { defineTopicsSuite } from "./topics_suite.ts";

for (
  const [history, className] of [
    ["memory", "TopicsObject"],
    ["storage", "StoredTopicsObject"],
  ] as const
) {
  defineTopicsSuite(
    `workerd (Durable Object, history in ${history})`,
    () =>
      startWorker({
        entry: "tests/support/topics_durable_object.ts",
        durableObjects: [{ className, binding: "TOPICS" }],
        // workerd negotiates permessage-deflate itself: the slow-subscriber
        // test's zero-filled 16 MiB would cross the wire as a few KiB and
        // never fill a queue. Uncompressed, as on the other runtimes.
        compatibilityFlags: ["no_web_socket_compression"],
      }),
  );
}
