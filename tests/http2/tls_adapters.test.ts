// wss:// on every standalone adapter: the contract handler served with
// `tls: { cert, key }` by Node (HTTP/2 + HTTP/1.1), Deno (native and our
// engine) and Bun (native and our engine), driven by the `ws` client over
// TLS (HTTP/1.1). Certificates are made by the test with openssl.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:https";
import { Agent, WebSocket as UndiciWebSocket } from "undici";
import { runtimesUnderTest, startExample } from "../support/example_server.ts";
import type { RunningExample, Runtime } from "../support/example_server.ts";
import { makeTestCertificate, type TestCertificate } from "../support/test_certificate.ts";
import { closed, nextMessage, open } from "../support/ws_client.ts";

let certificate: TestCertificate;
before(() => {
  certificate = makeTestCertificate();
});
after(() => certificate.remove());

const VARIANTS: [Runtime, string[]][] = runtimesUnderTest().flatMap((runtime) =>
  runtime === "node"
    ? [[runtime, []] as [Runtime, string[]]]
    : [[runtime, ["--engine", "native"]], [runtime, ["--engine", "omnisocket"]]] as [
      Runtime,
      string[],
    ][]
);

const insecure = { rejectUnauthorized: false };

for (const [runtime, engineArgs] of VARIANTS) {
  describe(`wss on ${runtime} ${engineArgs.join(" ")}`.trim(), () => {
    let server: RunningExample;
    before(async () => {
      server = await startExample({
        runtime,
        file: "tests/support/contract_server.ts",
        args: [...engineArgs, "--cert", certificate.certFile, "--key", certificate.keyFile],
      });
    });
    after(() => server.stop());

    test("the server prints an https URL and echoes text and binary over wss", async () => {
      assert.match(server.url, /^wss:\/\//);
      const socket = await open(server.url, [], insecure);
      try {
        const text = nextMessage(socket);
        socket.send("hello over tls");
        assert.equal((await text).data.toString(), "hello over tls");
        const binary = nextMessage(socket);
        socket.send(new Uint8Array([1, 2, 3]));
        const reply = await binary;
        assert.equal(reply.isBinary, true);
        assert.deepEqual([...reply.data], [1, 2, 3]);
      } finally {
        socket.close();
      }
    });

    test("peer.request.url is https: with the path and query, and the subprotocol negotiates", async () => {
      const socket = await open(`${server.url}room?user=ada`, ["superchat"], insecure);
      try {
        const reply = nextMessage(socket);
        socket.send(JSON.stringify({ cmd: "whoami" }));
        const whoami = JSON.parse((await reply).data.toString()) as WhoAmI;
        assert.equal(whoami.url, `https://127.0.0.1:${server.port}/room?user=ada`);
        assert.equal(whoami.user, "ada");
        assert.equal(whoami.protocol, "superchat");
        assert.equal(socket.protocol, "superchat");
      } finally {
        socket.close();
      }
    });

    test("a close asked of the server reaches the client with its code and reason", async () => {
      const socket = await open(server.url, [], insecure);
      const done = closed(socket);
      socket.send(JSON.stringify({ cmd: "close", code: 4001, reason: "bye over tls" }));
      assert.deepEqual(await done, { code: 4001, reason: "bye over tls" });
    });

    test("an upgrade refused by the hook answers its status over TLS", async () => {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`https://127.0.0.1:${server.port}/?status=401`, {
          ...insecure,
          headers: {
            Connection: "Upgrade",
            Upgrade: "websocket",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version": "13",
          },
        });
        req.on("response", (response) => {
          response.resume();
          resolve(response.statusCode!);
        });
        req.on("upgrade", () => reject(new Error("upgraded")));
        req.on("error", reject);
        req.end();
      });
      assert.equal(status, 401);
    });
  });
}

interface WhoAmI {
  user: string;
  protocol: string;
  url: string;
}

describe("examples/echo.ts --cert FILE --key FILE", () => {
  for (const [runtime, engineArgs] of VARIANTS) {
    test(`prints an https URL and echoes over wss on ${`${runtime} ${engineArgs.join(" ")}`.trim()}`, async () => {
      const server = await startExample({
        runtime,
        file: "examples/echo.ts",
        args: [...engineArgs, "--cert", certificate.certFile, "--key", certificate.keyFile],
      });
      try {
        assert.match(server.output(), /listening on https:\/\/127\.0\.0\.1:\d+/);
        const socket = await open(server.url, [], insecure);
        const reply = nextMessage(socket);
        socket.send("echo over tls");
        assert.equal((await reply).data.toString(), "echo over tls");
        socket.close();
        if (runtime !== "node") return;
        // Node: the same port serves WebSockets over HTTP/2 too.
        const agent = new Agent({ allowH2: true, connect: insecure });
        try {
          const h2 = new UndiciWebSocket(server.url, { dispatcher: agent });
          const echoed = await new Promise<string>((resolve, reject) => {
            h2.onopen = () => h2.send("echo over h2");
            h2.onmessage = (event) => resolve(String(event.data));
            h2.onerror = () => reject(new Error("WebSocket over HTTP/2 failed"));
          });
          assert.equal(echoed, "echo over h2");
          h2.close(1000);
          await new Promise((resolve) => (h2.onclose = resolve));
        } finally {
          await agent.close();
        }
      } finally {
        await server.stop();
      }
    });
  }
});
