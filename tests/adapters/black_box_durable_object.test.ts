// The black-box adapter suite on the Durable Object adapter (WebSocket
// Hibernation API), on the real workerd runtime with in-memory storage: at
// today's compatibility date, where workerd answers the client's close frame
// itself, and at 2025-09-01, before web_socket_auto_reply_to_close, where
// the adapter answers it from webSocketClose.

import { CAPABILITIES } from "../support/capabilities.ts";
import { startWorker } from "../support/workerd.ts";
import { defineBlackBoxSuite } from "./black_box_suite.ts";

for (const compatibilityDate of ["2026-11-01", "2025-09-01"]) {
  defineBlackBoxSuite(
    `workerd (Durable Object, compatibility date ${compatibilityDate})`,
    () =>
      startWorker({
        entry: "tests/support/contract_durable_object.ts",
        compatibilityDate,
        durableObjects: [{ className: "ContractObject", binding: "CONTRACT" }],
      }),
    CAPABILITIES.workerd,
  );
}
