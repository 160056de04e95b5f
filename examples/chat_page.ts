/**
 * The chat page examples/chat.ts serves at GET /: pick a nickname, join
 * rooms, see their messages live and post to them. One HTML document and one
 * module: the topic client (`@omnisocket/core/topic-client`, built for
 * browsers by scripts/build_topic_client.ts), served at /topic-client.js. On a
 * reconnect (with backoff and jitter, or after a silent server was left) it
 * subscribes again from the last offset seen in each room, and says
 * "recovered" or "messages may be missing". `?server=ws://…` (repeatable)
 * names more servers of a cluster to try when this one is gone.
 *
 * @module
 */

/** The chat page's HTML; it connects to `ws://` or `wss://` on the host that served it, path `/`. */
export const chatPageHtml: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>omnisocket chat</title>
<style>
  body { font: 16px/1.4 system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; }
  form { display: flex; gap: .5rem; margin: .5rem 0; }
  input[type=text] { flex: 1; font: inherit; padding: .4rem; }
  button { font: inherit; padding: .4rem 1rem; }
  #status { color: #555; }
  #rooms { list-style: none; padding: 0; display: flex; gap: .5rem; flex-wrap: wrap; }
  #rooms li { border: 1px solid #ccc; border-radius: 1rem; padding: .1rem .6rem; }
  #rooms li.current { background: #def; }
  #log { list-style: none; padding: 0; }
  #log li { padding: .2rem 0; border-bottom: 1px solid #eee; overflow-wrap: anywhere; }
  .room { color: #555; }
  .nick { font-weight: bold; }
  .event { color: #a40; }
</style>
</head>
<body>
<h1>omnisocket chat</h1>
<p id="status">connecting…</p>
<form id="nick-form">
  <input id="nick" type="text" autocomplete="nickname" placeholder="Nickname" aria-label="Nickname" value="guest">
</form>
<form id="join-form">
  <input id="room" type="text" autocomplete="off" placeholder="Room, e.g. lobby" aria-label="Room">
  <button id="join" type="submit">Join</button>
</form>
<ul id="rooms" aria-label="Rooms"></ul>
<form id="send-form">
  <input id="text" type="text" autocomplete="off" placeholder="Message" aria-label="Message" disabled>
  <button id="send" type="submit" disabled>Send</button>
</form>
<ul id="log" aria-live="polite"></ul>
<script type="module">
  import { TopicClient } from "/topic-client.js";
  const $ = (id) => document.getElementById(id);
  const rooms = new Set();
  let current = null;
  let client = null;

  function line(parts) {
    const item = document.createElement("li");
    for (const [text, cls] of parts) {
      const span = document.createElement("span");
      span.textContent = text;
      if (cls) span.className = cls;
      item.append(span);
    }
    $("log").prepend(item);
  }

  function renderRooms() {
    const list = $("rooms");
    list.replaceChildren();
    for (const room of rooms.keys()) {
      const item = document.createElement("li");
      item.textContent = room + " ";
      item.className = room === current ? "current" : "";
      item.onclick = () => { current = room; renderRooms(); };
      const leave = document.createElement("button");
      leave.textContent = "×";
      leave.title = "Leave " + room;
      leave.onclick = (event) => {
        event.stopPropagation();
        rooms.delete(room);
        client.unsubscribe(room);
        if (current === room) current = rooms.keys().next().value ?? null;
        renderRooms();
      };
      item.append(leave);
      list.append(item);
    }
    const ready = current !== null && client?.connected === true;
    $("text").disabled = !ready;
    $("send").disabled = !ready;
  }

  function connect() {
    const url = new URL("/", location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    const servers = [url.href, ...new URLSearchParams(location.search).getAll("server")];
    client = new TopicClient(servers);
    const status = (text) => {
      $("status").textContent = text;
      renderRooms();
    };
    client.on("open", () => status("connected"));
    client.on("close", () => status("reconnecting…"));
    client.on("message", ({ topic, data }) => {
      data = data ?? {};
      line([["[" + topic + "] ", "room"], [String(data.nick ?? "?") + ": ", "nick"],
        [String(data.text ?? JSON.stringify(data)), "text"]]);
    });
    client.on("subscribed", ({ topic, recovered, resumed }) => {
      const how = !resumed ? "" : recovered ? " (recovered)" : " (messages may be missing)";
      line([["joined " + topic + how, "event"]]);
      if (resumed) $("status").textContent = recovered ? "recovered" : "messages may be missing";
    });
    client.on("error", ({ reason }) => line([["error: " + reason, "event"]]));
  }

  $("nick-form").onsubmit = (event) => event.preventDefault();
  $("join-form").onsubmit = (event) => {
    event.preventDefault();
    const room = $("room").value.trim();
    if (!room) return;
    if (!rooms.has(room)) {
      rooms.add(room);
      client.subscribe(room);
    }
    current = room;
    $("room").value = "";
    renderRooms();
  };
  $("send-form").onsubmit = (event) => {
    event.preventDefault();
    const text = $("text").value;
    if (!text || current === null) return;
    client.publish(current, { nick: $("nick").value || "guest", text })
      .catch((error) => line([["error: " + error.message, "event"]]));
    $("text").value = "";
  };
  connect();
</script>
</body>
</html>
`;
