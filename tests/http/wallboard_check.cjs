// Drives the wallboard in a real headless Chromium (Debian's, through
// playwright-core) against a running ccengine-http-demo:
//   node wallboard_check.cjs BASE_URL SCREENSHOT.png
// Checks: the page fills from /events; its labels are Chinese and English;
// it follows the engine (each new snapshot /metrics shows is on the page
// within a second); for the same snapshot, its tiles show exactly the
// numbers /metrics gives; queues below target are flagged; a screenshot.
// Exits non-zero with a reason on the first failed check.
"use strict";
const { chromium } = require("playwright-core");

const [base, screenshot] = process.argv.slice(2);
const fail = (why) => { console.error("FAIL: " + why); process.exit(1); };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// /metrics as {at, queues: {name: {...}}, agents: {state: n}}.
async function metrics() {
  const res = await fetch(base + "/metrics");
  if (res.status !== 200) fail("/metrics answered " + res.status);
  const out = { at: NaN, queues: {}, agents: {} };
  const q = (name) => (out.queues[name] ??= {});
  for (const line of (await res.text()).split("\n")) {
    if (line.startsWith("#") || line === "") continue;
    const m = line.match(/^([a-z_]+)(?:\{(.*)\})? (\S+)$/);
    if (!m) fail("unparsable /metrics line: " + line);
    const [, name, labels = "", raw] = m;
    const value = raw === "NaN" ? null : Number(raw);
    const label = (k) => (labels.match(new RegExp(k + '="((?:[^"\\\\]|\\\\.)*)"')) || [])[1];
    const today = label("period") === "today";
    if (name === "ccengine_snapshot_time_seconds") out.at = value;
    else if (name === "ccengine_queue_waiting") q(label("queue")).waiting = value;
    else if (name === "ccengine_queue_service_level_target_ratio") q(label("queue")).target = value;
    else if (name === "ccengine_queue_period_offered" && today) q(label("queue")).offered_today = value;
    else if (name === "ccengine_queue_period_abandoned" && today) q(label("queue")).abandoned_today = value;
    else if (name === "ccengine_queue_service_level_ratio" && today) q(label("queue")).sl_today = value;
    else if (name === "ccengine_agents") out.agents[label("state")] = value;
  }
  return out;
}

// What the page shows, from its data-* attributes.
function shown(page) {
  return page.evaluate(() => {
    const num = (v) => (v === "" ? null : Number(v));
    const out = { at: Number(document.getElementById("queues").dataset.at), queues: {}, agents: {} };
    for (const t of document.querySelectorAll("section.tile")) {
      const q = (out.queues[t.dataset.queue] = { alert: t.classList.contains("alert") });
      for (const b of t.querySelectorAll("[data-field]")) q[b.dataset.field] = num(b.dataset.value);
    }
    for (const b of document.querySelectorAll("[data-state]")) out.agents[b.dataset.state] = num(b.dataset.value);
    out.alerts = [...document.querySelectorAll("[data-alert-queue]")].map((li) => li.dataset.alertQueue);
    return out;
  });
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    // Root in CI needs --no-sandbox; the rest keep Chromium off the (closed)
    // network.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(base + "/");
    await page.waitForFunction(() => Number(document.getElementById("queues").dataset.version) > 0,
                               null, { timeout: 5000 }).catch(() => fail("the page never received a snapshot"));
    const text = await page.textContent("body");
    for (const label of ["等待 Waiting", "今日服务水平 SL today", "通话 Busy", "今日放弃 Abandoned"]) {
      if (!text.includes(label)) fail("label missing: " + label);
    }

    // Follows the engine: each new snapshot on /metrics is on the page
    // within a second of being seen there.
    let worst = 0;
    let last = (await metrics()).at;
    for (let n = 0; n < 5; ) {
      const m = await metrics();
      if (!(m.at > last)) { await sleep(20); continue; }
      last = m.at;
      const t0 = Date.now();
      await page.waitForFunction((t) => Number(document.getElementById("queues").dataset.at) >= t,
                                 m.at, { timeout: 1000, polling: 10 })
          .catch(() => fail("the page was not at snapshot " + m.at + " within 1 s"));
      worst = Math.max(worst, Date.now() - t0);
      n++;
    }
    console.log("page followed 5 new snapshots, worst " + worst + " ms after /metrics showed them");

    // Same snapshot, same numbers.
    let compared = 0;
    for (let tries = 0; tries < 200 && compared < 3; tries++) {
      const [p, m] = [await shown(page), await metrics()];
      if (Math.abs(p.at - m.at) > 1e-6) { await sleep(15); continue; }
      for (const [name, mq] of Object.entries(m.queues)) {
        const pq = p.queues[name];
        if (!pq) fail("no tile for queue " + name);
        for (const key of ["waiting", "offered_today", "abandoned_today", "sl_today"]) {
          const a = pq[key], b = mq[key];
          const same = a === null || b === null ? a === b : Math.abs(a - b) < 1e-9;
          if (!same) fail(`${name}.${key}: page ${a}, /metrics ${b} (snapshot ${m.at})`);
        }
        const below = mq.sl_today !== null && mq.sl_today < mq.target;
        if (pq.alert !== below || p.alerts.includes(name) !== below) {
          fail(`${name}: alert shown ${pq.alert}, service level ${mq.sl_today} against ${mq.target}`);
        }
      }
      for (const [state, n] of Object.entries(m.agents)) {
        if (p.agents[state] !== n) fail(`agents ${state}: page ${p.agents[state]}, /metrics ${n}`);
      }
      compared++;
    }
    if (compared < 3) fail("never caught the page and /metrics on the same snapshot");
    const final = await shown(page);
    if (final.alerts.length === 0) fail("the overloaded demo shows no queue below target");
    console.log(`tiles equal /metrics on ${compared} snapshots; alerts: ${final.alerts.join(", ")}`);
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log("screenshot: " + screenshot);
  } finally {
    await browser.close();
  }
})().catch((e) => fail(e.stack || String(e)));
