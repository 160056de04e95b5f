/**
 * The demo page the echo examples serve at GET /: type a message, send it
 * over a WebSocket to the same host, and watch the echo come back. One
 * self-contained HTML document (no external assets), shared by
 * examples/echo.ts (Node, Deno, Bun) and examples/echo_worker.ts (workerd).
 *
 * @module
 */

/** The demo page's HTML; it connects to `ws://` or `wss://` on the host that served it. */
export const demoPageHtml: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>omnisocket echo</title>
<style>
  body { font: 16px/1.4 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
  form { display: flex; gap: .5rem; }
  input[type=text] { flex: 1; font: inherit; padding: .4rem; }
  button { font: inherit; padding: .4rem 1rem; }
  #status, #extensions { color: #555; }
  #log { list-style: none; padding: 0; font-family: ui-monospace, monospace; }
  #log li { padding: .2rem 0; border-bottom: 1px solid #eee; overflow-wrap: anywhere; }
  .sent { color: #555; }
  .echo { color: #060; }
  .event { color: #a40; }
</style>
</head>
<body>
<h1>omnisocket echo</h1>
<p id="status">connecting…</p>
<p id="extensions"></p>
<form id="form">
  <input id="text" type="text" autocomplete="off" placeholder="Type a message" aria-label="Message" disabled>
  <label><input id="binary" type="checkbox"> binary</label>
  <button id="send" type="submit" disabled>Send</button>
</form>
<ul id="log" aria-live="polite"></ul>
<script>
  const status = document.getElementById("status");
  const form = document.getElementById("form");
  const text = document.getElementById("text");
  const binary = document.getElementById("binary");
  const send = document.getElementById("send");
  const log = document.getElementById("log");

  // textContent, never innerHTML: echoed text is untrusted.
  function append(kind, line) {
    const item = document.createElement("li");
    item.className = kind;
    item.textContent = line;
    log.prepend(item);
  }

  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/";
  const socket = new WebSocket(url);
  socket.binaryType = "arraybuffer";
  socket.onopen = () => {
    status.textContent = "connected to " + url;
    // What the server agreed to in Sec-WebSocket-Extensions (e.g. permessage-deflate).
    document.getElementById("extensions").textContent =
      "extensions: " + (socket.extensions || "none");
    text.disabled = false;
    send.disabled = false;
    text.focus();
  };
  socket.onmessage = (event) => {
    if (typeof event.data === "string") {
      append("echo", "echo (text): " + event.data);
    } else {
      append("echo", "echo (binary, " + event.data.byteLength + " bytes): " +
        new TextDecoder().decode(event.data));
    }
  };
  socket.onclose = (event) => {
    status.textContent = "closed: " + event.code + (event.reason ? " " + event.reason : "");
    text.disabled = true;
    send.disabled = true;
  };
  socket.onerror = () => append("event", "connection error");
  form.onsubmit = (event) => {
    event.preventDefault();
    if (text.value === "") return;
    if (binary.checked) {
      socket.send(new TextEncoder().encode(text.value));
      append("sent", "sent (binary): " + text.value);
    } else {
      socket.send(text.value);
      append("sent", "sent (text): " + text.value);
    }
    text.value = "";
  };
</script>
</body>
</html>
`;
