// The black-box adapter suite on the Durable Object adapter (WebSocket
// Hibernation API), on the real workerd runtime with in-memory storage.

import { CAPABILITIES } from "../support/capabilities.ts";
import { startWorker } from "../support/workerd.ts";
import { defineBlackBoxSuite } from "./black_box_suite.ts";

defineBlackBoxSuite(
  "workerd (Durable Object)",
  () =>
    startWorker({
      entry: "tests/support/contract_durable_object.ts",
      durableObjects: [{ className: "ContractObject", binding: "CONTRACT" }],
    }),
  CAPABILITIES.workerd,
);
