import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runtimesUnderTest, startExample } from "../support/example_server.ts";

const CRLF = "\r\n";

// RFC 6455 §1.2/§1.3: the sample request and the server's answer, byte for byte.
const SAMPLE_REQUEST = [
  "GET /chat HTTP/1.1",
  "Host: server.example.com",
  "Upgrade: websocket",
  "Connection: Upgrade",
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
  "Origin: http://example.com",
  "Sec-WebSocket-Protocol: chat, superchat",
  "Sec-WebSocket-Version: 13",
].join(CRLF) + CRLF + CRLF;

const SAMPLE_RESPONSE = [
  "HTTP/1.1 101 Switching Protocols",
  "Upgrade: websocket",
  "Connection: Upgrade",
  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
  "Sec-WebSocket-Protocol: chat",
].join(CRLF) + CRLF + CRLF;

/** Writes `request` in the given pieces and collects everything until the server closes. */
function exchange(port: number, pieces: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.setNoDelay(true);
    socket.on("connect", async () => {
      for (const piece of pieces) {
        socket.write(piece);
        await new Promise((r) => setTimeout(r, 2));
      }
    });
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("latin1")));
    socket.setTimeout(5000, () => reject(new Error("server neither answered nor closed in 5 s")));
  });
}

function statusLine(response: string): string {
  return response.slice(0, response.indexOf(CRLF));
}

for (const runtime of runtimesUnderTest()) {
  describe(`examples/handshake_server.ts on ${runtime}`, () => {
    test("answers the RFC sample request with the RFC sample response", async () => {
      const server = await startExample({ runtime, file: "examples/handshake_server.ts" });
      try {
        assert.equal(await exchange(server.port, [SAMPLE_REQUEST]), SAMPLE_RESPONSE);
      } finally {
        await server.stop();
      }
    });

    test("answers the same when the request arrives in pieces split mid-CRLF", async () => {
      const server = await startExample({ runtime, file: "examples/handshake_server.ts" });
      try {
        const cut = SAMPLE_REQUEST.indexOf(CRLF) + 1;
        const pieces = [
          SAMPLE_REQUEST.slice(0, cut),
          SAMPLE_REQUEST.slice(cut, cut + 7),
          SAMPLE_REQUEST.slice(cut + 7),
        ];
        assert.equal(await exchange(server.port, pieces), SAMPLE_RESPONSE);
      } finally {
        await server.stop();
      }
    });

    test("rejects Sec-WebSocket-Version 8 with 426 and names version 13", async () => {
      const server = await startExample({ runtime, file: "examples/handshake_server.ts" });
      try {
        const response = await exchange(server.port, [
          SAMPLE_REQUEST.replace("Version: 13", "Version: 8"),
        ]);
        assert.equal(statusLine(response), "HTTP/1.1 426 Upgrade Required");
        assert.match(response, /\r\nSec-WebSocket-Version: 13\r\n/i);
        assert.match(response, /\r\nUpgrade: websocket\r\n/i);
        assert.match(response, /\r\nConnection: Upgrade, close\r\n/i);
      } finally {
        await server.stop();
      }
    });

    test("rejects a POST with 405 and Allow: GET", async () => {
      const server = await startExample({ runtime, file: "examples/handshake_server.ts" });
      try {
        const response = await exchange(server.port, [SAMPLE_REQUEST.replace("GET", "POST")]);
        assert.equal(statusLine(response), "HTTP/1.1 405 Method Not Allowed");
        assert.match(response, /\r\nAllow: GET\r\n/i);
      } finally {
        await server.stop();
      }
    });

    test("verifies its handshake with examples/handshake_client.ts", async () => {
      const server = await startExample({ runtime, file: "examples/handshake_server.ts" });
      try {
        const { code, stdout } = await runClient(`ws://127.0.0.1:${server.port}/chat`, "chat");
        assert.equal(code, 0, stdout);
        assert.match(stdout, /verified: 101 with a matching accept, protocol chat/);
      } finally {
        await server.stop();
      }
    });
  });
}

function runClient(
  url: string,
  protocol: string,
): Promise<{ code: number | null; stdout: string }> {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [
      "examples/handshake_client.ts",
      url,
      "--protocol",
      protocol,
    ], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (data) => (stdout += data));
    child.stderr.on("data", (data) => (stdout += data));
    child.on("close", (code) => resolve({ code, stdout }));
  });
}
