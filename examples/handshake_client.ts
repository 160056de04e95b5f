/**
 * Performs and verifies a WebSocket client handshake against a server, then
 * prints what was sent and received. Exits 0 on a verified 101, 1 otherwise.
 *
 *   node examples/handshake_client.ts ws://127.0.0.1:8080/chat [--protocol chat]
 *
 * `node:net` is used on every runtime here: Deno and Bun both implement it.
 *
 * @module
 */

import { connect } from "node:net";
import { createClientHandshake, HttpHeadParser, type ResponseHead } from "../protocol.ts";
import { commandLineArgs, exit } from "./support/runtime.ts";

const args = commandLineArgs();
const url = new URL(args.find((arg) => !arg.startsWith("--")) ?? "ws://127.0.0.1:8080/");
const protocolFlag = args.indexOf("--protocol");
const protocols = protocolFlag === -1 ? [] : [args[protocolFlag + 1]];

const handshake = await createClientHandshake(url, { protocols });
const decoder = new TextDecoder();
console.log(`--- request\n${decoder.decode(handshake.request).trimEnd()}`);

const socket = connect(Number(url.port || 80), url.hostname);
const parser = new HttpHeadParser({ kind: "response" });
const received: Uint8Array[] = [];

socket.on("connect", () => socket.write(handshake.request));
socket.on("error", (error) => fail(`Cannot connect: ${error.message}`));
socket.on("data", (chunk: Uint8Array) => {
  received.push(chunk);
  let head: ResponseHead | null;
  try {
    head = parser.push(chunk) as ResponseHead | null;
    if (head === null) return;
    console.log(`--- response\n${received.map((c) => decoder.decode(c)).join("").trimEnd()}`);
    const { protocol } = handshake.verify(head);
    console.log(
      `--- verified: 101 with a matching accept${protocol ? `, protocol ${protocol}` : ""}`,
    );
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  socket.destroy();
  exit(0);
});

function fail(message: string): never {
  console.error(message);
  socket.destroy();
  exit(1);
}
