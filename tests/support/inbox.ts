/**
 * A WebSocket client that keeps every message it receives, in order, for
 * tests that wait for "the next one" (the topic suite, the chat contract).
 *
 * @module
 */

import assert from "node:assert/strict";
import type WebSocket from "ws";
import { open } from "./ws_client.ts";

/** One received message. */
export interface Received {
  text: string | null;
  bytes: Buffer;
  json: Record<string, unknown> | null;
}

/** Every message a client receives, in order, with waiting for the next ones. */
export class Inbox {
  readonly socket: WebSocket;
  readonly all: Received[] = [];
  #read = 0;
  #waiter: (() => void) | null = null;

  constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on("message", (data: Buffer, isBinary: boolean) => {
      const text = isBinary ? null : data.toString();
      let json: Record<string, unknown> | null = null;
      if (text !== null && text.startsWith("{")) json = JSON.parse(text);
      this.all.push({ text, bytes: data, json });
      this.#waiter?.();
    });
  }

  static async open(url: string): Promise<Inbox> {
    return new Inbox(await open(url));
  }

  send(command: object): void {
    this.socket.send(JSON.stringify(command));
  }

  /** The next unread message (waits up to 5 s). */
  async next(): Promise<Received> {
    const deadline = Date.now() + 5_000;
    while (this.#read >= this.all.length) {
      if (Date.now() > deadline) throw new Error("no message within 5 s");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = null;
    }
    return this.all[this.#read++];
  }

  /** The next unread JSON message. */
  async json(): Promise<Record<string, unknown>> {
    const message = await this.next();
    assert.ok(message.json !== null, `expected JSON, got ${message.text ?? "binary"}`);
    return message.json;
  }

  /** Sends a command and returns the next JSON message (its answer). */
  async ask(command: object): Promise<Record<string, unknown>> {
    this.send(command);
    return await this.json();
  }

  /** Unread messages, without waiting. */
  unread(): Received[] {
    return this.all.slice(this.#read);
  }

  close(): void {
    this.socket.close();
  }
}
