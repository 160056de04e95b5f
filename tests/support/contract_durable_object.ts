/**
 * The contract handler in a Durable Object on the WebSocket Hibernation API,
 * for the black-box suite on workerd: the same handler file the Node, Deno
 * and Bun servers and the plain Worker run. Every upgrade goes to one
 * instance (the default name).
 *
 * @module
 */

import {
  createDurableObject,
  createDurableObjectFetch,
} from "../../src/adapters/cloudflare_durable_object.ts";
import { contractHandler } from "./contract_handler.ts";

/** The Durable Object class, bound as CONTRACT in tests/adapters/black_box_durable_object.test.ts. */
export const ContractObject = createDurableObject(contractHandler, {
  maxMessageSize: 65536,
  protocols: ["chat", "superchat"],
  backpressureLimit: 64 * 1024,
});

export default {
  fetch: createDurableObjectFetch({ binding: "CONTRACT" }),
};
