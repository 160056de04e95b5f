/**
 * A worker for tests/adapters/cloudflare.test.ts that exposes what its hooks
 * saw: every hook call is recorded, and GET /events returns the record as
 * JSON (one isolate serves every request, so module state is shared).
 * Messages are commands: "info", "ping", "terminate", "close CODE REASON",
 * "flood COUNT" (COUNT messages of 256 KiB, recording backpressure);
 * anything else is echoed.
 *
 * @module
 */

import { createWorkerFetch } from "../../src/adapters/cloudflare.ts";
import type { Handler } from "../../src/api/handler.ts";
import type { ProtocolError } from "../../src/errors/protocol_error.ts";

const events: Record<string, unknown>[] = [];

const handler: Handler<{ user: string }> = {
  upgrade(request, info) {
    const url = new URL(request.url);
    if (url.searchParams.has("deny")) return 401;
    events.push({ hook: "upgrade", offeredProtocols: info.offeredProtocols });
    return {
      data: { user: url.searchParams.get("user") ?? "" },
      headers: { "X-Probe": "accepted" },
      protocol: info.offeredProtocols.includes("hook-choice") ? "hook-choice" : undefined,
    };
  },
  open(peer) {
    events.push({ hook: "open", id: peer.id });
  },
  message(peer, message) {
    const text = message.isBinary ? "" : message.text();
    const [command, ...rest] = text.split(" ");
    if (command === "info") {
      peer.send(JSON.stringify({
        id: peer.id,
        protocol: peer.protocol,
        extensions: peer.extensions,
        remoteAddress: peer.remoteAddress,
        data: peer.data,
        bufferedAmount: peer.bufferedAmount,
      }));
    } else if (command === "ping") {
      try {
        peer.ping();
        peer.send("ping sent");
      } catch (error) {
        peer.send(`ping threw ${(error as ProtocolError).code}`);
      }
    } else if (command === "terminate") {
      peer.terminate();
    } else if (command === "close") {
      peer.close(Number(rest[0]), rest.slice(1).join(" "));
    } else if (command === "flood") {
      const chunk = new Uint8Array(256 * 1024);
      let refused = 0;
      for (let i = 0; i < Number(rest[0]); i++) if (!peer.send(chunk)) refused++;
      events.push({
        hook: "flooded",
        id: peer.id,
        user: peer.data.user,
        refused,
        bufferedAmount: peer.bufferedAmount,
      });
    } else {
      peer.send(message.data);
    }
  },
  close(peer, details) {
    events.push({ hook: "close", id: peer.id, ...details });
  },
  error(peer, error) {
    events.push({ hook: "error", id: peer.id, code: (error as ProtocolError).code });
  },
  drain(peer) {
    events.push({ hook: "drain", id: peer.id, bufferedAmount: peer.bufferedAmount });
  },
};

const upgrade = createWorkerFetch(handler, {
  protocols: ["chat", "superchat"],
  maxMessageSize: 1024,
  allowedOrigins: ["https://allowed.example"],
  backpressureLimit: 512 * 1024,
});

/** The worker: /events answers the record; everything else goes to the adapter (426 without Upgrade). */
export default {
  fetch(request: Request, env: unknown, ctx: unknown): Promise<Response> {
    if (new URL(request.url).pathname === "/events") {
      return Promise.resolve(Response.json(events));
    }
    return upgrade(request, env, ctx);
  },
};
