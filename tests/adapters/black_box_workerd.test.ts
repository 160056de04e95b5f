// The black-box adapter suite on the real workerd runtime.

import { CAPABILITIES } from "../support/capabilities.ts";
import { startWorker } from "../support/workerd.ts";
import { defineBlackBoxSuite } from "./black_box_suite.ts";

defineBlackBoxSuite(
  "workerd",
  () => startWorker({ entry: "tests/support/contract_worker.ts" }),
  CAPABILITIES.workerd,
);
