import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Message } from "../../../src/api/message.ts";
import { decideUpgrade } from "../../../src/api/decide_upgrade.ts";
import { negotiateUpgrade } from "../../../src/api/negotiate_upgrade.ts";
import { DEFAULT_SERVER_OPTIONS, resolveServerOptions } from "../../../src/api/server_options.ts";
import { PeerSession } from "../../../src/api/peer_session.ts";
import { joinHeartbeat, leaveHeartbeat } from "../../../src/api/heartbeat.ts";
import type { PeerTransport } from "../../../src/api/peer.ts";
import type { Handler } from "../../../src/api/handler.ts";
import { ProtocolError } from "../../../src/errors/protocol_error.ts";

const SAMPLE_HEADERS = {
  Host: "server.example.com",
  Upgrade: "websocket",
  Connection: "Upgrade",
  "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
  "Sec-WebSocket-Version": "13",
};

function upgradeSource(headers: Record<string, string> = SAMPLE_HEADERS, method = "GET") {
  const request = new Request("http://server.example.com/chat", { method, headers });
  return {
    upgradeRequest: { method, headers: request.headers },
    request: () => request,
    remoteAddress: "",
  };
}

/** A transport that records what the Peer asked of it. */
function recordingTransport(buffered = 0) {
  const calls: string[] = [];
  const transport: PeerTransport & { buffered: number } = {
    buffered,
    send(data) {
      calls.push(`send ${typeof data === "string" ? data : `[${data.length}]`}`);
      return transport.buffered;
    },
    ping: () => void calls.push("ping"),
    close: (code, reason) => void calls.push(`close ${code} ${reason}`),
    terminate: () => void calls.push("terminate"),
    get bufferedAmount() {
      return transport.buffered;
    },
  };
  return { calls, transport };
}

function session(handler: Handler<undefined>, transport: PeerTransport, options = {}) {
  return new PeerSession(handler, transport, {
    request: new Request("http://x/"),
    data: undefined,
    protocol: "",
    extensions: "",
    remoteAddress: "",
  }, { options: resolveServerOptions({ heartbeatInterval: 0, ...options }) });
}

describe("Message", () => {
  test("Message reads text as text, bytes and JSON", () => {
    const message = new Message('{"a":1}');
    assert.equal(message.isBinary, false);
    assert.equal(message.text(), '{"a":1}');
    assert.deepEqual(message.bytes(), new TextEncoder().encode('{"a":1}'));
    assert.deepEqual(message.json(), { a: 1 });
  });

  test("Message reads binary as bytes and decodes it as UTF-8 text", () => {
    const message = new Message(new Uint8Array([0x68, 0xc3, 0xa9]));
    assert.equal(message.isBinary, true);
    assert.equal(message.text(), "hé");
  });
});

describe("resolveServerOptions", () => {
  test("resolveServerOptions fills every default when given nothing", () => {
    assert.deepEqual(resolveServerOptions(), DEFAULT_SERVER_OPTIONS);
    assert.equal(DEFAULT_SERVER_OPTIONS.maxMessageSize, 16 * 1024 * 1024);
    assert.equal(DEFAULT_SERVER_OPTIONS.maxBufferedAmount, 16 * 1024 * 1024);
  });

  test("resolveServerOptions rejects an unknown option by name", () => {
    assert.throws(
      () => resolveServerOptions({ maxMesageSize: 1 } as never),
      /unknown option "maxMesageSize"/,
    );
  });

  test("resolveServerOptions rejects a negative size and a limit above the cap", () => {
    assert.throws(() => resolveServerOptions({ maxMessageSize: -1 }), RangeError);
    assert.throws(
      () => resolveServerOptions({ backpressureLimit: 10, maxBufferedAmount: 5 }),
      RangeError,
    );
  });
});

describe("decideUpgrade", () => {
  const info = { offeredProtocols: ["chat"], remoteAddress: "" };

  test("decideUpgrade turns a returned status into a text rejection", async () => {
    const outcome = await decideUpgrade({ upgrade: () => 401 }, new Request("http://x/"), info);
    assert.equal(outcome.accepted, false);
    if (!outcome.accepted) assert.equal(outcome.response.status, 401);
  });

  test("decideUpgrade refuses a status that is not 4xx or 5xx", async () => {
    await assert.rejects(
      decideUpgrade({ upgrade: () => 200 }, new Request("http://x/"), info),
      TypeError,
    );
  });

  test("decideUpgrade refuses a subprotocol the client did not offer with 500", async () => {
    await assert.rejects(
      decideUpgrade({ upgrade: () => ({ protocol: "other" }) }, new Request("http://x/"), info),
      (error: unknown) => error instanceof ProtocolError && error.status === 500,
    );
  });

  test("decideUpgrade refuses hook headers that name a field of the handshake with 500", async () => {
    for (const name of ["Upgrade", "sec-websocket-accept", "Sec-WebSocket-Protocol"]) {
      const error = await decideUpgrade(
        { upgrade: () => ({ headers: { [name]: "x" } }) },
        new Request("http://x/"),
        info,
      ).then(() => undefined, (thrown: unknown) => thrown);
      assert.ok(error instanceof ProtocolError, name);
      assert.equal(error.code, "INVALID_HEADER");
      assert.equal(error.status, 500);
    }
  });

  test("decideUpgrade refuses hook headers that carry a line break", async () => {
    await assert.rejects(
      decideUpgrade(
        { upgrade: () => ({ headers: { "X-A": "1\r\nX-B: 2" } }) },
        new Request("http://x/"),
        info,
      ),
      ProtocolError,
    );
  });
});

describe("negotiateUpgrade", () => {
  const options = resolveServerOptions({ protocols: ["chat"] });

  test("negotiateUpgrade validates before the hook runs", async () => {
    let hookRan = false;
    const outcome = await negotiateUpgrade(
      { upgrade: () => void (hookRan = true) },
      options,
      upgradeSource({ ...SAMPLE_HEADERS, "Sec-WebSocket-Version": "8" }),
    );
    assert.equal(outcome.accepted, false);
    if (!outcome.accepted) assert.equal(outcome.response.status, 426);
    assert.equal(hookRan, false);
  });

  test("negotiateUpgrade lets the hook's subprotocol win over the server list", async () => {
    const outcome = await negotiateUpgrade(
      { upgrade: () => ({ protocol: "superchat" }) },
      options,
      upgradeSource({ ...SAMPLE_HEADERS, "Sec-WebSocket-Protocol": "chat, superchat" }),
    );
    assert.equal(outcome.accepted, true);
    if (outcome.accepted) {
      assert.equal(outcome.acceptance.protocol, "superchat");
      assert.deepEqual(outcome.acceptance.headers.at(-1), ["Sec-WebSocket-Protocol", "superchat"]);
    }
  });

  test("negotiateUpgrade answers 500 when the hook throws", async () => {
    const logged: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      const outcome = await negotiateUpgrade(
        {
          upgrade: () => {
            throw new Error("boom");
          },
        },
        options,
        upgradeSource(),
      );
      assert.equal(outcome.accepted, false);
      if (!outcome.accepted) assert.equal(outcome.response.status, 500);
      assert.equal(logged.length, 1);
    } finally {
      console.error = original;
    }
  });
  test("negotiateUpgrade decides without a promise when nothing is asynchronous", () => {
    const source = { ...upgradeSource(), computeAccept: () => "accept-value" };
    const outcome = negotiateUpgrade({}, options, source);
    assert.ok(!(outcome instanceof Promise));
    assert.equal(outcome.accepted, true);
    if (outcome.accepted) {
      assert.equal(outcome.acceptance.accept, "accept-value");
      assert.equal(outcome.headers, undefined);
    }
    const refused = negotiateUpgrade({}, options, {
      ...upgradeSource({ ...SAMPLE_HEADERS, Upgrade: "h2c" }),
      computeAccept: () => "accept-value",
    });
    assert.ok(!(refused instanceof Promise));
    assert.equal(refused.accepted, false);
    if (!refused.accepted) assert.equal(refused.response.status, 400);
  });

  test("negotiateUpgrade returns a promise when the hook or the accept value is asynchronous", async () => {
    const withHook = negotiateUpgrade({ upgrade: () => ({ data: 7 }) }, options, {
      ...upgradeSource(),
      computeAccept: () => "accept-value",
    });
    assert.ok(withHook instanceof Promise);
    const accepted = await withHook;
    assert.equal(accepted.accepted && accepted.data, 7);
    // The default accept value comes from Web Crypto, which is asynchronous.
    const withCrypto = negotiateUpgrade({}, options, upgradeSource());
    assert.ok(withCrypto instanceof Promise);
    const settled = await withCrypto;
    assert.equal(settled.accepted && settled.acceptance.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });
});

describe("Peer and PeerSession", () => {
  test("peer.close refuses a code an endpoint may not send and stays open", () => {
    const { calls, transport } = recordingTransport();
    const driver = session({}, transport);
    driver.opened();
    assert.throws(
      () => driver.peer.close(1006),
      (error: unknown) => error instanceof ProtocolError && error.code === "INVALID_CLOSE_CODE",
    );
    assert.throws(() => driver.peer.close(1000, "x".repeat(124)), ProtocolError);
    assert.equal(driver.peer.readyState, 1);
    driver.peer.close(4000, "bye");
    assert.deepEqual(calls, ["close 4000 bye"]);
    assert.equal(driver.peer.readyState, 2);
  });

  test("peer.send returns false past the backpressure limit and drain fires once emptied", async () => {
    const { transport } = recordingTransport();
    let drains = 0;
    const driver = session({ drain: () => void drains++ }, transport, {
      backpressureLimit: 10,
      maxBufferedAmount: 100,
    });
    driver.opened();
    assert.equal(driver.peer.send("small"), true);
    transport.buffered = 50;
    assert.equal(driver.peer.send("more"), false);
    const drained = driver.peer.drained();
    transport.buffered = 0;
    driver.flushed();
    await drained;
    assert.equal(drains, 1);
  });

  test("peer.send closes with 1008 past maxBufferedAmount", () => {
    const { calls, transport } = recordingTransport(200);
    const driver = session({}, transport, { backpressureLimit: 10, maxBufferedAmount: 100 });
    driver.opened();
    assert.equal(driver.peer.send("x"), false);
    assert.deepEqual(calls, ["send x", "close 1008 send buffer overflow"]);
  });

  test("a throwing message hook reaches the error hook with the same peer", () => {
    const { transport } = recordingTransport();
    const seen: unknown[] = [];
    const driver = session({
      message() {
        throw new Error("hook bug");
      },
      error(peer, error) {
        seen.push(peer, error.message);
      },
    }, transport);
    driver.opened();
    driver.received("hi");
    assert.deepEqual(seen, [driver.peer, "hook bug"]);
  });

  test("the close hook runs once with the real code and reason", () => {
    const { transport } = recordingTransport();
    const closes: unknown[] = [];
    const driver = session({ close: (_, details) => void closes.push(details) }, transport);
    driver.opened();
    driver.closed(4001, "bye", true);
    driver.closed(1006, "", false);
    assert.deepEqual(closes, [{ code: 4001, reason: "bye", wasClean: true }]);
    assert.equal(driver.peer.readyState, 3);
  });
});

describe("joinHeartbeat", () => {
  test("joinHeartbeat beats every member until it leaves", async () => {
    const counts = [0, 0];
    const first = { beat: () => counts[0]++ };
    const second = { beat: () => counts[1]++ };
    joinHeartbeat(5, first);
    joinHeartbeat(5, second);
    await new Promise((resolve) => setTimeout(resolve, 40));
    leaveHeartbeat(5, first);
    const firstAtLeave = counts[0];
    await new Promise((resolve) => setTimeout(resolve, 40));
    leaveHeartbeat(5, second);
    assert.ok(firstAtLeave >= 2, `first beat ${firstAtLeave} times`);
    assert.equal(counts[0], firstAtLeave, "no beats after leaving");
    assert.ok(counts[1] > firstAtLeave, "the other member kept beating");
  });

  test("leaveHeartbeat does nothing for a member that never joined or already left", async () => {
    let beats = 0;
    const member = { beat: () => beats++ };
    leaveHeartbeat(5, member);
    joinHeartbeat(5, member);
    leaveHeartbeat(5, { beat: () => {} });
    // Waits for two beats rather than a fixed time: a loaded machine delays timers.
    for (let waited = 0; beats < 2 && waited < 2_000; waited += 5) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    leaveHeartbeat(5, member);
    leaveHeartbeat(5, member);
    const atLeave = beats;
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.ok(atLeave >= 2, `beat ${atLeave} times`);
    assert.equal(beats, atLeave);
  });
});
