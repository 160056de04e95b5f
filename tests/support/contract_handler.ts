/**
 * The handler behind the black-box adapter suite. One file, run unchanged by
 * every adapter; the URL and small JSON commands select what to exercise.
 *
 *   ?status=401          upgrade hook rejects with that status
 *   ?teapot              upgrade hook rejects with its own Response (418, X-Custom)
 *   ?user=NAME           per-connection data { user: NAME }
 *   ?protocol=P          the hook picks subprotocol P (else the server's list decides)
 *   every 101 carries    X-Contract: yes (extra headers from the hook)
 *
 *   {"cmd":"whoami"}                       -> {"user","protocol","id","samePeer","url"}
 *   {"cmd":"close","code":C,"reason":R}    -> peer.close(C, R)
 *   {"cmd":"flood","count":N,"size":S}     -> N binary messages of S bytes, then
 *                                             {"flooded":N,"refused":K} and, once drained, "drained"
 *   {"cmd":"closes"}                       -> the close details recorded so far
 *   anything else                          -> echoed
 *
 * @module
 */

import type { CloseDetails, Handler, Peer } from "../../mod.ts";

interface ContractData {
  user: string;
}

const closes: CloseDetails[] = [];
const openedPeers = new WeakSet<Peer<ContractData>>();

export const contractHandler: Handler<ContractData> = {
  upgrade(request) {
    const url = new URL(request.url);
    const status = url.searchParams.get("status");
    if (status) return Number(status);
    if (url.searchParams.has("teapot")) {
      return new Response("short and stout\n", { status: 418, headers: { "X-Custom": "teapot" } });
    }
    return {
      data: { user: url.searchParams.get("user") ?? "anonymous" },
      protocol: url.searchParams.get("protocol") ?? undefined,
      headers: { "X-Contract": "yes" },
    };
  },
  open(peer) {
    openedPeers.add(peer);
  },
  async message(peer, message) {
    const command = !message.isBinary && message.text().startsWith("{")
      ? message.json<Command>()
      : null;
    switch (command?.cmd) {
      case "whoami":
        peer.send(JSON.stringify({
          user: peer.data.user,
          protocol: peer.protocol,
          id: peer.id,
          samePeer: openedPeers.has(peer),
          url: peer.request.url,
        }));
        return;
      case "close":
        peer.close(command.code, command.reason);
        return;
      case "closes":
        peer.send(JSON.stringify(closes));
        return;
      case "flood": {
        let refused = 0;
        const payload = new Uint8Array(command.size ?? 1024);
        for (let i = 0; i < (command.count ?? 0); i++) if (!peer.send(payload)) refused++;
        peer.send(JSON.stringify({ flooded: command.count, refused }));
        await peer.drained();
        peer.send("drained");
        return;
      }
      default:
        peer.send(message.data);
    }
  },
  close(_peer, details) {
    closes.push(details);
  },
};

interface Command {
  cmd: string;
  code?: number;
  reason?: string;
  count?: number;
  size?: number;
}
