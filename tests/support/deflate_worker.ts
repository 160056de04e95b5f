/**
 * The echo handler on Cloudflare Workers with permessage-deflate on and
 * 1 MiB messages, for the compression tests on workerd.
 *
 * @module
 */

import { createWorkerFetch } from "../../src/adapters/cloudflare.ts";
import { echoHandler } from "../../examples/echo_handler.ts";

export default {
  fetch: createWorkerFetch(echoHandler, { perMessageDeflate: true, maxMessageSize: 1 << 20 }),
};
