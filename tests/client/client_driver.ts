/**
 * Runs conformance cases with our client on whatever runtime runs this file:
 * `client_driver.ts PORT CASES_JSON`; prints one JSON line per case with
 * what the application saw. It echoes every message (the server checks).
 *
 * @module
 */

import { WebSocket } from "../../src/adapters/client.ts";
import { commandLineArgs, exit } from "../../examples/support/runtime.ts";

interface DriverCase {
  id: string;
  deflate?: boolean;
  protocols?: string[];
  maxMessageSize?: number;
}

const [port, casesJson] = commandLineArgs();
const cases = JSON.parse(casesJson) as DriverCase[];

for (const kase of cases) {
  const result = await new Promise<Record<string, unknown>>((resolve) => {
    const seen: Record<string, unknown> = { id: kase.id, opened: false };
    const socket = new WebSocket(
      `ws://127.0.0.1:${port}/case/${encodeURIComponent(kase.id)}`,
      kase.protocols,
      {
        perMessageDeflate: kase.deflate ?? false,
        maxMessageSize: kase.maxMessageSize,
        handshakeTimeout: 500,
        closeTimeout: 1_000,
      },
    );
    socket.binaryType = "arraybuffer";
    socket.onopen = () => {
      seen.opened = true;
      seen.protocol = socket.protocol;
      seen.extensions = socket.extensions;
    };
    socket.onmessage = (event) => socket.send(event.data);
    socket.onerror = (event) => {
      seen.errorCode = (event as Event & { error?: { code?: string } }).error?.code;
    };
    socket.onclose = (event) => {
      Object.assign(seen, { code: event.code, reason: event.reason, wasClean: event.wasClean });
      resolve(seen);
    };
  });
  console.log(JSON.stringify(result));
}
exit(0);
