/**
 * The topic suite's handler in a Durable Object on the WebSocket Hibernation
 * API, for tests/adapters/topics_durable_object.test.ts on workerd: the same
 * handler and options as tests/support/topics_server.ts. Every upgrade goes
 * to one instance (the default name) of the class bound as TOPICS:
 * TopicsObject (history in memory) or StoredTopicsObject (in storage).
 *
 * @module
 */

import {
  createDurableObject,
  createDurableObjectFetch,
  type DurableObjectContext,
  type DurableObjectOptions,
} from "../../src/adapters/cloudflare_durable_object.ts";
import type { Handler } from "../../src/api/handler.ts";
import { TOPICS_SUITE_OPTIONS, topicsHandler, useTopicServer } from "./topics_handler.ts";

function handler({ publish, subscriberCount }: DurableObjectContext): Handler {
  useTopicServer({ publish, subscriberCount });
  return topicsHandler;
}

const options: DurableObjectOptions = {
  topics: TOPICS_SUITE_OPTIONS,
  backpressureLimit: 256 * 1024,
  maxBufferedAmount: 1024 * 1024,
};

/** History in memory. */
export const TopicsObject = createDurableObject(handler, options);

/** History in storage. */
export const StoredTopicsObject = createDurableObject(handler, {
  ...options,
  topicHistory: "storage",
});

export default {
  fetch: createDurableObjectFetch({ binding: "TOPICS" }),
};
