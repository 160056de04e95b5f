// A plain Cloudflare Worker has no topics (a Durable Object is needed for
// them): subscribe and publish fail loudly instead of doing nothing.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Inbox } from "../support/inbox.ts";
import { type RunningWorker, startWorker } from "../support/workerd.ts";

let worker: RunningWorker;
before(async () => {
  worker = await startWorker({ entry: "tests/support/topics_worker.ts" });
});
after(() => worker.stop());

test("the plain Worker adapter rejects subscribe and publish with UNSUPPORTED_ON_RUNTIME", async () => {
  const inbox = await Inbox.open(`ws://127.0.0.1:${worker.port}/`);
  assert.deepEqual(await inbox.ask({ cmd: "sub", topic: "room" }), {
    error: "UNSUPPORTED_ON_RUNTIME",
    topic: "room",
  });
  assert.deepEqual(await inbox.ask({ cmd: "pub", topic: "room", data: "x" }), {
    error: "UNSUPPORTED_ON_RUNTIME",
    topic: "room",
  });
  assert.deepEqual(await inbox.ask({ cmd: "topics" }), { topics: [] });
  inbox.close();
});
