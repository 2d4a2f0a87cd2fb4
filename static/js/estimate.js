// Charts of an estimate, drawn whenever htmx swaps a finished estimate into the page; the traffic profile's
// placeholder; problems the server answers with 400 (a profile that is not JSON) replace the previous result.
const charts = new Map();

function data(name) {
  const node = document.getElementById(`chart-${name}`);
  return node ? JSON.parse(node.textContent) : null;
}

function draw(canvas) {
  const kind = canvas.dataset.chart;
  charts.get(canvas)?.destroy();
  let config = null;
  if (kind === "cost-by-node") {
    const groups = data("cost-by-node") || [];
    config = {
      type: "bar",
      data: { labels: groups.map((g) => g.label), datasets: [{ label: "USD a month", data: groups.map((g) => g.total), backgroundColor: "#d45b07" }] },
      options: { indexAxis: "y", plugins: { legend: { display: false } } },
    };
  } else if (kind === "latency") {
    const paths = data("latency") || [];
    const withHist = paths.filter((p) => p.histogram);
    if (withHist.length) {
      config = {
        type: "line",
        data: {
          labels: withHist[0].histogram.edges_ms.slice(1).map((x) => Math.round(x)),
          datasets: withHist.map((p) => ({ label: `${p.entry_label} (completion)`, data: p.histogram.counts, fill: false })),
        },
        options: { scales: { x: { title: { display: true, text: "ms" } }, y: { title: { display: true, text: "requests" } } } },
      };
    } else {
      config = {
        type: "bar",
        data: {
          labels: paths.map((p) => p.entry_label),
          datasets: ["p50", "p95", "p99"].map((q) => ({ label: `caller ${q}`, data: paths.map((p) => p.caller_ms[q]) })),
        },
      };
    }
  } else if (kind === "curve") {
    const curve = data("curve") || [];
    config = {
      type: "line",
      data: { labels: curve.map((c) => `${Math.round(c.scale * 100)}%`), datasets: [{ label: "USD a month", data: curve.map((c) => c.monthly_cost_usd), borderColor: "#1d4ed8" }] },
      options: { scales: { x: { title: { display: true, text: "traffic, share of the profile" } } } },
    };
  }
  if (config && window.Chart) charts.set(canvas, new window.Chart(canvas, config));
}

document.body.addEventListener("htmx:afterSettle", () => document.querySelectorAll("canvas[data-chart]").forEach(draw));

// htmx swaps 2xx answers only. The estimate endpoints answer a problem (a profile that is not JSON, a diagram too
// big to compute here) with 400 and a fragment that replaces #estimate-result: show it, or the previous result or
// error would stay on screen as if it answered this request.
document.body.addEventListener("htmx:beforeSwap", (event) => {
  const { xhr, target } = event.detail;
  if (xhr.status === 400 && target?.id === "estimate-result") {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Anything else that fails when asked for (a server error, no network) still replaces the previous result with a
// message. Polling is left alone: it tries again on its own.
function failed(event) {
  const { target, elt } = event.detail;
  if (target?.id !== "estimate-result" || !elt?.closest?.("form") || event.detail.xhr?.status === 400) return;
  const status = event.detail.xhr?.status;
  const box = document.createElement("div");
  box.id = "estimate-result";
  box.className = "estimate errors";
  box.setAttribute("role", "alert");
  box.append(Object.assign(document.createElement("p"), {
    textContent: status ? `The estimate could not be run (the server answered ${status}). Try again.` : "The server cannot be reached. Try again.",
  }));
  target.replaceWith(box);
}
document.body.addEventListener("htmx:responseError", failed);
document.body.addEventListener("htmx:sendError", failed);

// The placeholder shows a profile for this diagram: its own traffic, or one rate on its first entry service.
function placeholder() {
  const box = document.getElementById("estimate-profile");
  const source = document.getElementById("diagram-data");
  if (!box || !source) return;
  const diagram = JSON.parse(source.textContent);
  const nodes = diagram.nodes || [];
  const entry = nodes.find((n) => n.type.startsWith("client-") || n.type === "eventbridge-scheduler") || nodes[0];
  if (diagram.traffic) box.placeholder = JSON.stringify(diagram.traffic, null, 1);
  else if (entry) box.placeholder = JSON.stringify({ format: "archlab/traffic@1", days: 30, entries: { [entry.id]: { rps: 100, peak_rps: 400 } } }, null, 1);
}
placeholder();
