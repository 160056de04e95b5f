/**
 * The live stats page examples/chat.ts serves at GET /stats with
 * `--metrics`: one self-contained HTML document (no external assets) that
 * opens a WebSocket to `/stats` on the host that served it and plots the
 * last 5 minutes on canvases: connections, messages/s in and out,
 * deliveries/s, backplane lag, closes by code. See examples/stats.ts.
 *
 * @module
 */

/** The stats page's HTML. */
export const statsPageHtml: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>omnisocket stats</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(28rem, 1fr)); gap: 1rem; }
  figure { margin: 0; border: 1px solid #ddd; border-radius: .4rem; padding: .5rem; }
  figcaption { display: flex; justify-content: space-between; font-weight: 600; }
  figcaption span { font-weight: 400; color: #555; }
  canvas { width: 100%; height: 140px; display: block; }
  #status { color: #555; }
  pre { font-size: 12px; color: #555; white-space: pre-wrap; }
</style>
</head>
<body data-samples="0">
<h1>omnisocket: the last 5 minutes</h1>
<p id="status">connecting…</p>
<div class="grid">
  <figure><figcaption>Connections <span id="v-connections"></span></figcaption><canvas id="c-connections"></canvas></figure>
  <figure><figcaption>Messages / s <span id="v-messages"></span></figcaption><canvas id="c-messages"></canvas></figure>
  <figure><figcaption>Deliveries / s <span id="v-deliveries"></span></figcaption><canvas id="c-deliveries"></canvas></figure>
  <figure><figcaption>Backplane lag (ms) <span id="v-lag"></span></figcaption><canvas id="c-lag"></canvas></figure>
  <figure><figcaption>Closes / s by code <span id="v-closes"></span></figcaption><canvas id="c-closes"></canvas></figure>
</div>
<pre id="last"></pre>
<script>
"use strict";
const WINDOW_MS = 5 * 60 * 1000;
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"];
let samples = [];

function series() {
  const codes = new Set();
  for (const s of samples) for (const code of Object.keys(s.closes)) codes.add(code);
  return {
    connections: [["open", (s) => s.connections]],
    messages: [["in", (s) => s.inPerSecond], ["out", (s) => s.outPerSecond]],
    deliveries: [["deliveries", (s) => s.deliveriesPerSecond]],
    lag: [["mean", (s) => s.lagMs]],
    closes: [...codes].sort().map((code) => [code, (s) => s.closes[code] ?? 0]),
  };
}

function draw(id, lines) {
  const canvas = document.getElementById("c-" + id);
  const width = canvas.width = canvas.clientWidth * devicePixelRatio;
  const height = canvas.height = canvas.clientHeight * devicePixelRatio;
  const g = canvas.getContext("2d");
  g.clearRect(0, 0, width, height);
  const now = samples.length ? samples[samples.length - 1].t : Date.now();
  let max = 1;
  for (const [, value] of lines) for (const s of samples) max = Math.max(max, value(s) ?? 0);
  g.strokeStyle = "#eee";
  g.lineWidth = 1;
  for (let i = 1; i < 4; i++) {
    g.beginPath();
    g.moveTo(0, (height * i) / 4);
    g.lineTo(width, (height * i) / 4);
    g.stroke();
  }
  g.fillStyle = "#888";
  g.font = 11 * devicePixelRatio + "px system-ui";
  g.fillText(String(Math.round(max * 100) / 100), 4, 12 * devicePixelRatio);
  const legend = [];
  lines.forEach(([name, value], index) => {
    const color = COLORS[index % COLORS.length];
    legend.push(name);
    g.strokeStyle = color;
    g.lineWidth = 2 * devicePixelRatio;
    g.beginPath();
    let started = false;
    for (const s of samples) {
      const v = value(s);
      if (v === null || v === undefined) { started = false; continue; }
      const x = width - ((now - s.t) / WINDOW_MS) * width;
      const y = height - (v / max) * (height - 16 * devicePixelRatio) - 2;
      if (started) g.lineTo(x, y); else g.moveTo(x, y);
      started = true;
    }
    g.stroke();
    g.fillStyle = color;
    g.fillText(name, width - 60 * devicePixelRatio, (14 + 13 * index) * devicePixelRatio);
  });
  const last = samples[samples.length - 1];
  const shown = last === undefined ? "" : lines.map(([name, value]) => {
    const v = value(last);
    return name + " " + (v === null || v === undefined ? "–" : Math.round(v * 10) / 10);
  }).join(", ");
  document.getElementById("v-" + id).textContent = shown;
}

function render() {
  const now = samples.length ? samples[samples.length - 1].t : Date.now();
  samples = samples.filter((s) => now - s.t <= WINDOW_MS);
  for (const [id, lines] of Object.entries(series())) draw(id, lines);
  document.body.dataset.samples = String(samples.length);
  document.getElementById("last").textContent = JSON.stringify(samples[samples.length - 1] ?? null);
}

function connect(delay) {
  const status = document.getElementById("status");
  const socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/stats");
  socket.onopen = () => { status.textContent = "live"; delay = 500; };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "history") samples = message.samples;
    else if (message.type === "sample") samples.push(message.sample);
    render();
  };
  socket.onclose = () => {
    status.textContent = "disconnected: retrying…";
    setTimeout(() => connect(Math.min(delay * 2, 8000)), delay * (0.5 + Math.random()));
  };
}
render();
connect(500);
addEventListener("resize", render);
</script>
</body>
</html>
`;
