/**
 * A raw TCP server that performs the WebSocket opening handshake with
 * omnisocket's core and prints each request and the response it sent.
 *
 *   deno run -A examples/handshake_server.ts --port 8080
 *   bun examples/handshake_server.ts --port 8080
 *   node examples/handshake_server.ts --port 8080     (Node >= 22.18)
 *
 * It closes each connection after the handshake: framing is the job of the
 * echo server (examples/echo.ts).
 *
 * @module
 */

import {
  acceptUpgrade,
  buildRejection,
  buildSwitchingProtocols,
  HttpHeadParser,
  ProtocolError,
  type RequestHead,
} from "../protocol.ts";
import { listenRawTcp } from "./support/listen_raw_tcp.ts";
import { onShutdownSignal, serverAddressArgs } from "./support/runtime.ts";

// The RFC 6455 sample exchange offers these; the server prefers them in this order.
const SUBPROTOCOLS = ["chat", "superchat"];
const decoder = new TextDecoder();
const address = serverAddressArgs();

const server = await listenRawTcp(address, (connection) => {
  const parser = new HttpHeadParser({ kind: "request" });
  let headBytes: Uint8Array[] = [];
  let done = false;

  const answer = (response: Uint8Array, request: Uint8Array[]) => {
    done = true;
    const requestText = request.map((chunk) => decoder.decode(chunk, { stream: true })).join("");
    console.log(`--- request from ${connection.remoteAddress}\n${requestText.trimEnd()}`);
    console.log(`--- response\n${decoder.decode(response).trimEnd()}\n`);
    connection.write([response]);
    connection.close();
  };

  return {
    data(chunk) {
      if (done) return;
      headBytes.push(chunk.slice());
      let head: RequestHead | null;
      try {
        head = parser.push(chunk) as RequestHead | null;
      } catch (error) {
        answer(rejectionFor(error), headBytes);
        return;
      }
      if (head === null) return;
      const request = headBytes;
      headBytes = [];
      acceptUpgrade(head, { protocols: SUBPROTOCOLS }).then(
        (acceptance) => answer(buildSwitchingProtocols(acceptance), trimToHead(request, head)),
        (error) => answer(rejectionFor(error), trimToHead(request, head)),
      );
    },
    drained() {},
    closed() {},
  };
});

console.log(`listening on http://${server.hostname}:${server.port}`);
onShutdownSignal(() => server.close());

function rejectionFor(error: unknown): Uint8Array {
  if (error instanceof ProtocolError) return buildRejection(error);
  // Not a client mistake: answer 500 and say so on the console.
  console.error(error);
  return buildRejection(
    new ProtocolError("INTERNAL_ERROR", "Cannot accept upgrade: internal error", { status: 500 }),
  );
}

// The bytes after the blank line are frames, not part of the request to print.
function trimToHead(chunks: Uint8Array[], head: RequestHead): Uint8Array[] {
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  let keep = total - head.rest.length;
  return chunks.map((chunk) => {
    const part = chunk.subarray(0, Math.max(0, Math.min(chunk.length, keep)));
    keep -= part.length;
    return part;
  });
}
