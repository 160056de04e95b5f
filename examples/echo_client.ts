/**
 * The echo client: connects to URL with omnisocket's client, echoes every
 * message it receives as it came (text as text, binary as binary, whole
 * messages), answers pings (the client does), and when the connection is
 * over prints exactly one line, then exits with status 0:
 *
 *   closed CODE REASON_JSON   (1005: a close frame without code; 1006: none came)
 *   error MESSAGE             (the connection never opened)
 *
 *   deno run -A examples/echo_client.ts URL [--deflate]
 *   bun examples/echo_client.ts URL [--deflate]
 *   node examples/echo_client.ts URL [--deflate]     (Node >= 22.18)
 *
 * `--deflate` offers permessage-deflate.
 *
 * @module
 */

import { WebSocket } from "../src/adapters/client.ts";
import { commandLineArgs, exit } from "./support/runtime.ts";

const args = commandLineArgs();
const url = args.find((arg) => !arg.startsWith("--"));
if (url === undefined) {
  console.log("error usage: echo_client.ts URL [--deflate]");
  exit(0);
}

let opened = false;
let failure = "";
let socket: WebSocket;
try {
  socket = new WebSocket(url, [], { perMessageDeflate: args.includes("--deflate") });
} catch (error) {
  console.log(`error ${(error as Error).message}`);
  exit(0);
}
socket.binaryType = "arraybuffer";
socket.onopen = () => {
  opened = true;
};
socket.onmessage = (event) => socket.send(event.data);
socket.onerror = (event) => {
  failure ||= (event as Event & { message?: string }).message ?? "connection failed";
};
socket.onclose = (event) => {
  if (opened) console.log(`closed ${event.code} ${JSON.stringify(event.reason)}`);
  else console.log(`error ${failure || "connection failed"}`);
  exit(0);
};
