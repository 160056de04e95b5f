/**
 * Interop: our client (on each runtime of OMNISOCKET_RUNTIMES, all three by
 * default) against our server on every adapter and engine, `ws`'s server,
 * Bun's and Deno's native servers and python websockets' server, with and
 * without permessage-deflate, over TLS (a certificate made here with
 * openssl), and through an HTTP CONNECT proxy started here.
 *
 * @module
 */

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type RunningExample, type Runtime, startExample } from "../support/example_server.ts";
import { runtimeCommand, selectedRuntimes } from "./runtimes.ts";

interface Target {
  name: string;
  url: string;
  deflate?: boolean;
  ca?: string;
  proxy?: string;
  /** The server compresses when offered. */
  compresses?: boolean;
}

const servers: { stop(): Promise<unknown> }[] = [];
const targets: Target[] = [];
let certDir = "";
let proxy: Server;
const tunnels: string[] = [];
const proxySockets = new Set<Socket>();

async function ours(runtime: Runtime, args: string[] = []): Promise<RunningExample> {
  const server = await startExample({ runtime, file: "examples/echo.ts", args });
  servers.push(server);
  return server;
}

async function script(runtime: Runtime, file: string, args: string[] = []) {
  const server = await startExample({ runtime, file, args });
  servers.push(server);
  return server;
}

function python(args: string[]): Promise<{ url: string }> {
  const child = spawn("/usr/bin/python3", ["tests/client/servers/python_echo.py", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  servers.push({
    stop: () => {
      child.kill();
      return Promise.resolve();
    },
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (text: string) => {
      out += text;
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (match) resolve({ url: `ws://127.0.0.1:${match[1]}/` });
    });
    child.on("exit", () => reject(new Error(`python server exited: ${out}`)));
  });
}

before(async () => {
  certDir = mkdtempSync(join(tmpdir(), "omnisocket-client-tls-"));
  // A CA and a leaf it signs: rustls (Deno) refuses a self-signed CA certificate as the server's.
  const file = (name: string) => join(certDir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=omnisocket test CA",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
  );
  openssl(
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    file("key.pem"),
    "-out",
    file("leaf.csr"),
  );
  writeFileSync(
    file("leaf.ext"),
    "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
  );
  openssl(
    "x509",
    "-req",
    "-in",
    file("leaf.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-days",
    "1",
    "-extfile",
    file("leaf.ext"),
    "-out",
    file("cert.pem"),
  );
  const ca = readFileSync(join(certDir, "ca.pem"), "utf8");

  proxy = createServer();
  proxy.on("connect", (request, client: Socket, head: Buffer) => {
    tunnels.push(request.url ?? "");
    const [host, port] = (request.url ?? "").split(":");
    const upstream = connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    proxySockets.add(client).add(upstream);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;

  const [
    node,
    nodeDeflate,
    deno,
    denoEngine,
    bun,
    bunEngine,
    bunDeflate,
    ws,
    wsDeflate,
    wsTls,
    bunNative,
    bunNativeDeflate,
    denoNative,
    py,
    pyDeflate,
  ] = await Promise.all([
    ours("node"),
    ours("node", ["--deflate"]),
    ours("deno"),
    ours("deno", ["--engine", "omnisocket", "--deflate"]),
    ours("bun"),
    ours("bun", ["--engine", "omnisocket", "--deflate"]),
    ours("bun", ["--deflate"]),
    script("node", "tests/client/servers/ws_echo.mjs"),
    script("node", "tests/client/servers/ws_echo.mjs", ["--deflate"]),
    script("node", "tests/client/servers/ws_echo.mjs", [
      "--deflate",
      "--cert",
      join(certDir, "cert.pem"),
      "--key",
      join(certDir, "key.pem"),
    ]),
    script("bun", "tests/client/servers/bun_native_echo.ts"),
    script("bun", "tests/client/servers/bun_native_echo.ts", ["--deflate"]),
    script("deno", "tests/client/servers/deno_native_echo.ts"),
    python([]),
    python(["--deflate"]),
  ]);
  const wss = `wss://127.0.0.1:${(wsTls as RunningExample).port}/`;
  targets.push(
    { name: "omnisocket on Node", url: node.url },
    { name: "omnisocket on Node, deflate", url: nodeDeflate.url, deflate: true, compresses: true },
    { name: "omnisocket on Node, deflate not enabled", url: node.url, deflate: true },
    { name: "omnisocket on Deno (native)", url: deno.url },
    {
      name: "omnisocket on Deno (engine), deflate",
      url: denoEngine.url,
      deflate: true,
      compresses: true,
    },
    { name: "omnisocket on Bun (native)", url: bun.url },
    {
      name: "omnisocket on Bun (native), deflate",
      url: bunDeflate.url,
      deflate: true,
      compresses: true,
    },
    {
      name: "omnisocket on Bun (engine), deflate",
      url: bunEngine.url,
      deflate: true,
      compresses: true,
    },
    { name: "ws", url: ws.url },
    { name: "ws, deflate", url: wsDeflate.url, deflate: true, compresses: true },
    { name: "ws over TLS, deflate", url: wss, ca, deflate: true, compresses: true },
    { name: "Bun.serve", url: bunNative.url },
    { name: "Bun.serve, deflate", url: bunNativeDeflate.url, deflate: true, compresses: true },
    { name: "Deno.upgradeWebSocket", url: denoNative.url, deflate: true },
    { name: "python websockets", url: py.url },
    { name: "python websockets, deflate", url: pyDeflate.url, deflate: true, compresses: true },
    { name: "omnisocket on Node through a CONNECT proxy", url: node.url, proxy: proxyUrl },
    {
      name: "ws over TLS through a CONNECT proxy, deflate",
      url: wss,
      ca,
      proxy: proxyUrl,
      deflate: true,
      compresses: true,
    },
  );
});

after(async () => {
  for (const socket of proxySockets) socket.destroy();
  proxy?.close();
  await Promise.all(servers.map((server) => server.stop()));
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

for (const runtime of selectedRuntimes()) {
  describe(`our client on ${runtime} against other servers`, () => {
    let results: Promise<Map<string, Record<string, unknown>>>;
    before(() => {
      results = runDriver(runtime, targets);
    });
    test("client echoes text, compressible text, binary and empty messages, pings and closes 1000 with every server", async () => {
      const seen = await results;
      const failures: string[] = [];
      for (const target of targets) {
        const result = seen.get(target.name);
        try {
          assert.ok(result, "no result");
          assert.equal(result.error, undefined, "no error");
          assert.equal(result.echoes, 4, "all four echoes");
          assert.equal(result.pong, true, "pong");
          assert.equal(result.code, 1000, "close code");
          assert.equal(result.wasClean, true, "clean close");
          assert.equal(
            String(result.extensions).startsWith("permessage-deflate"),
            target.compresses === true,
            `extensions ${result.extensions}`,
          );
        } catch (error) {
          failures.push(`${target.name}: ${(error as Error).message} ${JSON.stringify(result)}`);
        }
      }
      assert.deepEqual(failures, []);
    });
    test("client tunnels through the proxy with CONNECT host:port", async () => {
      await results;
      assert.ok(tunnels.some((tunnel) => /^127\.0\.0\.1:\d+$/.test(tunnel)));
      assert.ok(tunnels.length >= 2);
    });
  });
}

function runDriver(
  runtime: string,
  list: Target[],
): Promise<Map<string, Record<string, unknown>>> {
  const [command, ...args] = runtimeCommand(runtime, "tests/client/interop_driver.ts");
  const child = spawn(command, [...args, JSON.stringify(list)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (text: string) => output += text);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill(), 120_000);
    child.on("error", reject);
    child.on("close", () => {
      clearTimeout(timer);
      const map = new Map<string, Record<string, unknown>>();
      for (const line of output.split("\n")) {
        if (!line.startsWith("{")) continue;
        const result = JSON.parse(line) as Record<string, unknown>;
        map.set(result.name as string, result);
      }
      resolve(map);
    });
  });
}
