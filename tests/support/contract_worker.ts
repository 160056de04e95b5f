/**
 * The contract handler on Cloudflare Workers, for the black-box suite on
 * workerd: the same handler file the Node, Deno and Bun servers run.
 *
 * @module
 */

import { createWorkerFetch } from "../../src/adapters/cloudflare.ts";
import { contractHandler } from "./contract_handler.ts";

export default {
  fetch: createWorkerFetch(contractHandler, {
    maxMessageSize: 65536,
    protocols: ["chat", "superchat"],
    backpressureLimit: 64 * 1024,
  }),
};
