/**
 * A workerd WebSocket (a Worker's or a Durable Object's) under a Peer: the
 * native socket transport with workerd's calls, and the answer to the
 * client's close frame, which workerd leaves to us.
 *
 * @module
 */

import type { PeerInit } from "../../api/peer.ts";
import { closeFrameViolation } from "../../frame/close_frame_violation.ts";
import { NativeSocketTransport } from "../../server/native_socket_transport.ts";
import type { ServerCore } from "../../server/server_core.ts";
import { bufferedAmountOf } from "./workerd_web_socket.ts";

/**
 * The parts of a workerd WebSocket the transport uses.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface WorkerdSocket {
  readonly readyState: number;
  readonly bufferedAmount?: number;
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
}

/**
 * One workerd socket under a Peer.
 *
 * @example
 * ```ts ignore
 * const transport = new WorkerdTransport(core, socket, init, "Cloudflare Workers");
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export class WorkerdTransport extends NativeSocketTransport {
  readonly socket: WorkerdSocket;

  /** `who` names the runtime in the "ping unsupported" error. */
  constructor(core: ServerCore, socket: WorkerdSocket, init: PeerInit<unknown>, who: string) {
    super(core, init);
    this.socket = socket;
    this.pingUnsupported = `${who} do not expose pings (workerd answers the client's pings itself)`;
  }

  send(data: string | Uint8Array): number {
    this.socket.send(data);
    return bufferedAmountOf(this.socket);
  }

  get bufferedAmount(): number {
    return bufferedAmountOf(this.socket);
  }

  protected closeSocket(code?: number, reason?: string): void {
    if (code === undefined) this.socket.close();
    else this.socket.close(code, reason);
  }

  protected get socketOpen(): boolean {
    return this.socket.readyState === 1;
  }

  /**
   * The socket closed. Only a clean close came with a close frame that we
   * may still answer (`mayAnswer`: the socket is not closed already): a
   * frame that breaks the rules fails the connection, a good one is echoed.
   */
  closeEvent(code: number, reason: string, wasClean: boolean, mayAnswer: boolean): void {
    const answerable = wasClean && !this.closeSent && mayAnswer;
    const violation = answerable ? closeFrameViolation(code, reason) : undefined;
    if (violation !== undefined) {
      const failCode = violation.closeCode ?? 1002;
      this.session.failed(violation);
      this.closeOnce(failCode, "");
      this.finish(failCode, "", false);
      return;
    }
    // Echo the client's code and reason; 1005 means its close frame had no code.
    if (answerable) this.closeOnce(code === 1005 ? undefined : code, reason);
    this.finish(code, reason, wasClean);
  }
}
