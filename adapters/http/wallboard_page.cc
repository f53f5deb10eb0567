// The wallboard page served at `/`: one self-contained document (no
// external scripts, fonts or styles, so it works on a closed network). It
// subscribes to /events and rebuilds its tiles from each snapshot with
// textContent only (queue names are never parsed as HTML). Values carry
// data-* attributes with the raw numbers, for tests and for scraping.

#include "wallboard.h"

namespace ccengine::http {

const std::string_view kWallboardPage = R"html(<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>坐席监控 · Contact center wallboard</title>
<style>
  :root { color-scheme: dark; }
  body { margin: 0; font-family: "Noto Sans CJK SC", "Noto Sans", sans-serif;
         background: #0f1419; color: #e6e6e6; }
  header { display: flex; justify-content: space-between; align-items: baseline;
           padding: 16px 28px; background: #1a2129; }
  h1 { margin: 0; font-size: 28px; font-weight: 600; }
  #status { font-size: 18px; color: #8fa3b3; }
  #alerts { margin: 16px 28px 0; padding: 0; list-style: none; }
  #alerts li { background: #7a1f1f; color: #fff; padding: 10px 16px; margin-bottom: 8px;
               border-radius: 6px; font-size: 22px; }
  #agents { display: flex; gap: 14px; margin: 16px 28px; flex-wrap: wrap; }
  #agents div { background: #1a2129; border-radius: 8px; padding: 10px 18px; min-width: 150px; }
  #agents b { display: block; font-size: 40px; }
  #queues { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr));
            gap: 16px; margin: 0 28px 28px; }
  .tile { background: #1a2129; border-radius: 10px; padding: 16px 20px;
          border-left: 8px solid #2e7d32; }
  .tile.alert { border-left-color: #c62828; background: #2a1a1d; }
  .tile h2 { margin: 0 0 10px; font-size: 26px; }
  .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 16px; }
  .f .l { display: block; font-size: 15px; color: #8fa3b3; }
  .f b { font-size: 34px; font-variant-numeric: tabular-nums; }
  .tile.alert [data-field="sl_today"] { color: #ff6b6b; }
</style>
</head>
<body>
<header>
  <h1>坐席监控 Wallboard</h1>
  <span id="status">连接中 Connecting…</span>
</header>
<ul id="alerts"></ul>
<div id="agents"></div>
<main id="queues" data-version="0" data-at=""></main>
<script>
"use strict";
const STATES = [["available", "空闲 Available"], ["reserved", "振铃 Ringing"],
                ["busy", "通话 Busy"], ["wrap_up", "话后 Wrap-up"],
                ["not_ready", "小休 Not ready"]];
const board = document.getElementById("queues");
const status = document.getElementById("status");
const pct = v => v === null ? "–" : Math.round(v * 100) + "%";
const secs = v => {
  if (v === null) return "–";
  const s = Math.round(v);
  return s >= 60 ? Math.floor(s / 60) + "m " + (s % 60) + "s" : s + "s";
};
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
function field(parent, key, label, value, text) {
  const d = el("div", "f");
  const b = el("b", "", text);
  b.dataset.field = key;
  b.dataset.value = value === null ? "" : String(value);
  d.append(el("span", "l", label), b);
  parent.append(d);
}
function render(s) {
  const alerts = document.getElementById("alerts");
  alerts.replaceChildren();
  const tiles = [];
  for (const q of s.queues) {
    const t = el("section", q.alert ? "tile alert" : "tile");
    t.dataset.queue = q.name;
    t.append(el("h2", "", q.name));
    const g = el("div", "grid");
    field(g, "waiting", "等待 Waiting", q.waiting, String(q.waiting));
    field(g, "longest_wait_s", "最长等待 Longest wait", q.longest_wait_s, secs(q.longest_wait_s));
    field(g, "sl_today", "今日服务水平 SL today · 目标 " + pct(q.sl_target), q.sl_today,
          pct(q.sl_today));
    field(g, "asa_today_s", "平均应答 ASA", q.asa_today_s, secs(q.asa_today_s));
    field(g, "offered_today", "今日来电 Offered", q.offered_today, String(q.offered_today));
    field(g, "abandoned_today", "今日放弃 Abandoned", q.abandoned_today,
          String(q.abandoned_today));
    t.append(g);
    tiles.push(t);
    if (q.alert) {
      const li = el("li", "", "⚠ " + q.name + "：服务水平 " + pct(q.sl_today) + " 低于目标 " +
                    pct(q.sl_target) + " · below target");
      li.dataset.alertQueue = q.name;
      alerts.append(li);
    }
  }
  board.replaceChildren(...tiles);
  const agents = document.getElementById("agents");
  agents.replaceChildren();
  for (const [key, label] of STATES) {
    const d = el("div", "");
    const b = el("b", "", String(s.agents[key]));
    b.dataset.state = key;
    b.dataset.value = String(s.agents[key]);
    d.append(el("span", "l", label), b);
    agents.append(d);
  }
  board.dataset.version = String(s.version);
  board.dataset.at = String(s.at);
  status.textContent = "更新于 Updated " + new Date(s.at * 1000).toLocaleTimeString("zh-CN");
}
// The browser retries a dropped stream itself, but not one the server
// refused (503 when all streams are taken): then connect again, waiting
// longer each time, up to half a minute.
let retry = 1000;
function connect() {
  const events = new EventSource("events");
  events.onmessage = e => { retry = 1000; render(JSON.parse(e.data)); };
  events.onerror = () => {
    status.textContent = "重新连接 Reconnecting…";
    if (events.readyState === EventSource.CLOSED) {
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    }
  };
}
connect();
</script>
</body>
</html>
)html";

}  // namespace ccengine::http
