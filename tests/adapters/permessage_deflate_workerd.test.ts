/**
 * permessage-deflate on workerd (Cloudflare adapter), with the checks every
 * other server gets; workerd owns its frames, so its deviations are flags in
 * tests/support/capabilities.ts.
 *
 * @module
 */

import { startWorker } from "../support/workerd.ts";
import { CAPABILITIES } from "../support/capabilities.ts";
import { deflateSuite } from "./permessage_deflate_suite.ts";

deflateSuite({
  name: "workerd",
  start: async () => {
    const worker = await startWorker({ entry: "tests/support/deflate_worker.ts" });
    return { url: `ws://127.0.0.1:${worker.port}/`, stop: () => worker.stop() };
  },
  boundsInflatedSize: true,
  strictDeflateFraming: CAPABILITIES.workerd.strictDeflateFraming,
});
