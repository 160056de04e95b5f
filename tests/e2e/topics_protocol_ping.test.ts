// topicsProtocol's pingInterval on a real server (Node): a connection that answers nothing is
// pinged once and closed with 1001 after two intervals; one that answers (the topic client)
// stays. The Durable Object case, where the option is meant to be used, is in
// tests/adapters/topics_protocol_durable_object.test.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import { serve } from "../../src/adapters/node.ts";
import {
  formatTopicMessage,
  topicsProtocol,
} from "../../src/api/topics_protocol/topics_protocol.ts";
import { TopicClient } from "../../src/adapters/topic_client.ts";

test("topicsProtocol pingInterval closes a silent connection with 1001 and keeps an answering one", async () => {
  const server = await serve(topicsProtocol({ pingInterval: 200 }), {
    port: 0,
    heartbeatInterval: 0,
    topics: { format: formatTopicMessage },
  });
  const url = server.url.replace("http", "ws");
  const client = new TopicClient(url, { timeout: 60_000, pingInterval: 60_000 });
  try {
    const silent = new WebSocket(url);
    const heard: string[] = [];
    silent.onmessage = (event) => heard.push(JSON.parse(String(event.data)).type);
    const opened = Date.now();
    const code = await new Promise<number>((resolve) => (silent.onclose = (e) => resolve(e.code)));
    const after = Date.now() - opened;
    assert.equal(code, 1001);
    assert.deepEqual(heard, ["ping"]);
    assert.ok(after >= 350 && after < 2_000, `closed after ${after} ms (interval 200)`);
    assert.ok(client.connected, "the topic client answered the pings and is still connected");
  } finally {
    client.close();
    await server.close();
  }
});
