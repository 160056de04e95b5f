/**
 * The topic suite's handler on a plain Cloudflare Worker (no Durable
 * Object): topics are not available there, and say so.
 *
 * @module
 */

import { createWorkerFetch } from "../../src/adapters/cloudflare.ts";
import { TOPICS_SUITE_OPTIONS, topicsHandler } from "./topics_handler.ts";

export default {
  fetch: createWorkerFetch(topicsHandler, { topics: TOPICS_SUITE_OPTIONS }),
};
