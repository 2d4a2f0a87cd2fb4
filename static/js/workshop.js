// Live workshop screens (participant, control, presenter): follow the workshop by polling, count down timers,
// draw the answer charts, keep drafts of typed answers.
//
// A region with data-poll is refreshed by asking its URL every data-poll-ms with If-None-Match: a 304 costs
// nothing and changes nothing; a 200 brings the region's new content and its ETag. While someone types in the
// region, a refresh that shows the same screen (data-screen) waits, so live counts never eat a half-typed
// answer; a new screen (the question closed) always wins. Polling pauses while the page is hidden and resumes
// at once when it is shown again (a phone waking up), and backs off after network errors.

const MAX_BACKOFF_MS = 10_000;
const DRAFTS = "archlab:ws:draft:";

// htmx swaps 2xx answers only; a refused answer (409 too late, 400 nothing to grade) carries the screen to show.
// Settling must not copy style attributes between old and new elements: the Content-Security-Policy forbids
// inline styles, even empty ones.
if (window.htmx) {
  window.htmx.config.attributesToSettle = ["class", "width", "height"];
  window.htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "(400|409)", swap: true },
    { code: "[45]..", swap: false, error: true },
  ];
}

function etagOf(root) {
  const el = root.querySelector("[data-etag]");
  return el ? el.dataset.etag : "";
}

function screenOf(root) {
  const el = root.querySelector("[data-screen]");
  return el ? el.dataset.screen : "";
}

function typingIn(region) {
  const el = document.activeElement;
  return el && region.contains(el) && el.matches("input:not([type=hidden]), textarea, select");
}

function swap(region, html) {
  const incoming = document.createElement("template");
  incoming.innerHTML = html;
  if (typingIn(region) && screenOf(incoming.content) === screenOf(region)) return false;
  saveDrafts(region);
  region.replaceChildren(incoming.content);
  if (window.htmx) window.htmx.process(region);
  enhance(region);
  return true;
}

function poll(region) {
  const url = region.dataset.poll;
  const every = Number(region.dataset.pollMs) || 1000;
  let failures = 0;
  let timer = null;
  let busy = false;

  async function tick() {
    clearTimeout(timer);
    if (document.hidden) return; // resumed by visibilitychange
    if (busy) return schedule(every);
    busy = true;
    try {
      const response = await fetch(url, {
        headers: { "If-None-Match": etagOf(region), "HX-Request": "true" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (response.status === 200) swap(region, await response.text());
      else if (response.status === 404 || response.status === 403) return; // gone: stop asking
      failures = response.ok || response.status === 304 ? 0 : failures + 1;
    } catch {
      failures += 1; // offline, asleep, server restarting: try again later
    } finally {
      busy = false;
    }
    schedule(failures ? Math.min(every * 2 ** failures, MAX_BACKOFF_MS) : every);
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(tick, ms);
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) tick();
  });
  window.addEventListener("online", tick);
  schedule(every);
}

// ---- timers: count down from the server's remaining milliseconds (no clock skew between devices)

const timers = new Set();

function startTimers(root) {
  for (const el of root.querySelectorAll("[data-remaining-ms]:not([data-ends-at])")) {
    el.dataset.endsAt = String(performance.now() + Number(el.dataset.remainingMs));
    timers.add(el);
  }
}

setInterval(() => {
  for (const el of timers) {
    if (!el.isConnected) {
      timers.delete(el);
      continue;
    }
    const left = Math.max(0, Number(el.dataset.endsAt) - performance.now());
    const n = el.querySelector(".ws-timer-n");
    if (n) n.textContent = String(Math.ceil(left / 1000));
    el.classList.toggle("is-low", left <= 10_000);
    if (left === 0) {
      el.classList.add("is-over");
      const form = el.closest(".ws-screen")?.querySelector("form.ws-form");
      const button = form?.querySelector("button[type=submit]");
      if (button && !button.disabled) {
        button.disabled = true;
        button.textContent = "Time is up";
      }
      timers.delete(el);
    }
  }
}, 250);

// ---- charts: one bar per option, correct ones green once they may be shown

const charts = new Map(); // data-key -> Chart

function drawCharts(root) {
  if (!window.Chart) return;
  for (const canvas of root.querySelectorAll("canvas[data-chart]:not([data-drawn])")) {
    canvas.dataset.drawn = "1";
    const data = JSON.parse(canvas.dataset.chart);
    const key = canvas.dataset.key;
    const showCorrect = canvas.dataset.showCorrect === "1";
    const big = canvas.dataset.big === "1";
    const seen = charts.get(key);
    if (seen) seen.destroy();
    const colours = data.correct.map((ok) => (showCorrect && ok ? "#15803d" : "#d45b07"));
    charts.set(key, new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ data: data.counts, backgroundColor: colours, borderRadius: 4 }] },
      options: {
        animation: seen ? false : { duration: 400 },
        maintainAspectRatio: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { title: (items) => data.texts[items[0].dataIndex] } },
        },
        scales: {
          x: { ticks: { font: { size: big ? 28 : 16, weight: "bold" } } },
          y: { beginAtZero: true, ticks: { precision: 0, font: { size: big ? 18 : 12 } } },
        },
      },
    }));
  }
}

// ---- drafts: typed explanations and pasted diagrams survive a reload, a lost network or a sleeping phone

function storage() {
  try {
    window.localStorage.setItem(DRAFTS + "probe", "1");
    window.localStorage.removeItem(DRAFTS + "probe");
    return window.localStorage;
  } catch {
    return null;
  }
}

const store = storage();

function saveDrafts(root) {
  if (!store) return;
  for (const box of root.querySelectorAll("textarea[data-draft]")) {
    if (box.value.trim()) store.setItem(DRAFTS + box.dataset.draft, box.value);
  }
}

function restoreDrafts(root) {
  if (!store) return;
  for (const saved of root.querySelectorAll("[data-answer-saved]")) {
    // The server has the answer now: forget the drafts of this question.
    const prefix = `${DRAFTS}${saved.dataset.answerSaved}:`;
    for (let i = store.length - 1; i >= 0; i--) {
      const key = store.key(i);
      if (key && key.startsWith(prefix)) store.removeItem(key);
    }
  }
  for (const box of root.querySelectorAll("textarea[data-draft]:not([data-draft-watched])")) {
    box.dataset.draftWatched = "1";
    const draft = store.getItem(DRAFTS + box.dataset.draft);
    if (draft && !box.value.trim()) box.value = draft;
    box.addEventListener("input", () => {
      if (box.value.trim()) store.setItem(DRAFTS + box.dataset.draft, box.value);
      else store.removeItem(DRAFTS + box.dataset.draft);
    });
  }
}

function enhance(root) {
  startTimers(root);
  drawCharts(root);
  restoreDrafts(root);
}

// ---- a request that failed: say so beside the form, which keeps everything typed, so it can be sent again

function notice(elt, text) {
  const form = elt && elt.closest ? elt.closest("form") : null;
  if (!form) return;
  let box = form.querySelector(".ws-send-error");
  if (!box) {
    box = document.createElement("p");
    box.className = "errors ws-send-error";
    box.setAttribute("role", "alert");
    form.append(box);
  }
  box.textContent = text;
}

function failed(event) {
  const status = event.detail.xhr ? event.detail.xhr.status : 0;
  const why = status === 429
    ? "Too many requests from this network just now: wait a few seconds, then send again."
    : status
      ? `The server could not take it (error ${status}). Everything you typed is still here: send it again.`
      : "No connection: everything you typed is still here. Send it again when you are back online.";
  notice(event.detail.elt, why);
}

function start() {
  enhance(document);
  for (const region of document.querySelectorAll("[data-poll]")) poll(region);
  // Answers and instructor steps come back through htmx: the swapped content needs the same care (enhance
  // skips what it has done already, so the whole document is simply looked at again).
  document.body.addEventListener("htmx:afterSwap", () => enhance(document));
  document.body.addEventListener("htmx:beforeRequest", (event) => saveDrafts(event.detail.elt));
  document.body.addEventListener("htmx:responseError", failed);
  document.body.addEventListener("htmx:sendError", failed);
}

// Chart.js loads deferred like this module; wait for the document so both are there.
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
