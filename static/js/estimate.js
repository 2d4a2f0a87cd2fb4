// Charts of an estimate, drawn whenever htmx swaps a finished estimate into the page.
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
      data: { labels: groups.map((g) => g.node), datasets: [{ label: "USD a month", data: groups.map((g) => g.total), backgroundColor: "#d45b07" }] },
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
          datasets: withHist.map((p) => ({ label: `${p.entry} (completion)`, data: p.histogram.counts, fill: false })),
        },
        options: { scales: { x: { title: { display: true, text: "ms" } }, y: { title: { display: true, text: "requests" } } } },
      };
    } else {
      config = {
        type: "bar",
        data: {
          labels: paths.map((p) => p.entry),
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
