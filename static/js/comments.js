// Archlab reviews: comment markers on the editor's canvas and the comments panel that follows the selection,
// the diff canvas of the compare page, and two page helpers (copy a link, print).
//
// On the editor page this reads `window.archlab.cy` (the Cytoscape instance editor.js creates) and draws an HTML
// overlay of count badges, positioned from each element's rendered position and redrawn on pan, zoom and moves.

const $ = (sel, root = document) => root.querySelector(sel);

// ---- page helpers -------------------------------------------------------------------------------------------

document.addEventListener("click", async (event) => {
  const copy = event.target.closest?.("[data-copy]");
  if (copy) {
    const field = $(copy.dataset.copy);
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      document.execCommand("copy");
    }
    copy.textContent = "Copied";
    setTimeout(() => { copy.textContent = "Copy"; }, 2000);
  }
  if (event.target.closest?.("[data-print]")) window.print();
});

// ---- comments in the editor ---------------------------------------------------------------------------------

function initComments() {
  const panel = $("#comments");
  if (!panel || !panel.dataset.countsUrl || !window.archlab) return;
  const { cy } = window.archlab;
  const layer = document.createElement("div");
  layer.className = "cm-markers";
  $(".canvas-wrap").append(layer);
  let counts = {};
  let current = "";
  let frame = 0;
  let reveal = false; // after a marker is clicked, bring its comments into view

  const isShown = (x) => !x.hasClass("eh-handle") && !x.hasClass("eh-ghost") && !x.data("preview");

  async function showComments(elementId) {
    current = elementId;
    await window.archlab.save?.(); // comment on what is saved: a new service needs its version first
    const url = elementId ? `${panel.dataset.panelUrl}?element=${encodeURIComponent(elementId)}` : panel.dataset.panelUrl;
    window.htmx.ajax("GET", url, { target: "#comments", swap: "innerHTML" });
  }

  function selectOnCanvas(id) {
    const target = cy.getElementById(id);
    if (target.empty()) return;
    cy.$(":selected").unselect();
    target.select();
    if (target.isNode()) cy.animate({ center: { eles: target }, duration: 200 });
  }

  async function refreshCounts() {
    const response = await fetch(panel.dataset.countsUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    counts = (await response.json()).counts || {};
    draw();
  }

  function label(ele) {
    const text = String(ele.data("label") || ele.id());
    return text.includes("\n") ? text.split("\n").pop() : text;
  }

  function draw() {
    frame = 0;
    const width = layer.clientWidth;
    const height = layer.clientHeight;
    const markers = [];
    for (const [id, c] of Object.entries(counts)) {
      const ele = id && cy.getElementById(id);
      if (!ele || ele.empty()) continue;
      let x;
      let y;
      if (ele.isNode()) {
        const box = ele.renderedBoundingBox({ includeLabels: false, includeOverlays: false });
        [x, y] = [box.x2, box.y1];
      } else {
        ({ x, y } = ele.renderedMidpoint());
      }
      if (x < -20 || y < -20 || x > width + 20 || y > height + 20) continue;
      const threads = c.open + c.resolved;
      const marker = document.createElement("button");
      marker.type = "button";
      marker.className = c.open ? "cm-marker" : "cm-marker is-resolved";
      marker.style.left = `${Math.round(x)}px`;
      marker.style.top = `${Math.round(y)}px`;
      marker.dataset.id = id;
      marker.textContent = c.open ? String(c.open) : "✓";
      const what = ele.isNode() ? "service" : "connection";
      marker.title = `${c.open} open of ${threads} comment thread${threads === 1 ? "" : "s"}`;
      marker.setAttribute("aria-label", `${c.open} open comment thread${c.open === 1 ? "" : "s"} (${threads} in all) on the ${what} ${label(ele)}`);
      marker.addEventListener("click", () => { reveal = true; selectOnCanvas(id); });
      markers.push(marker);
    }
    layer.replaceChildren(...markers);
  }

  const redraw = () => { if (!frame) frame = requestAnimationFrame(draw); };
  cy.on("pan zoom resize position add remove data", redraw);
  window.addEventListener("resize", redraw);

  let selTimer = 0;
  cy.on("select unselect", () => {
    clearTimeout(selTimer);
    selTimer = setTimeout(() => {
      const selected = cy.$(":selected").filter(isShown);
      const id = selected.length === 1 ? selected[0].id() : "";
      if (id !== current) showComments(id);
    }, 50);
  });

  panel.addEventListener("click", (event) => {
    const anchor = event.target.closest("[data-select]");
    if (anchor) {
      event.preventDefault();
      selectOnCanvas(anchor.dataset.select);
    }
    if (event.target.closest("[data-show-all]")) cy.$(":selected").unselect();
  });

  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target !== panel) return;
    current = $(".cm", panel)?.dataset.element || "";
    if (reveal) panel.closest("section").scrollIntoView({ block: "start", behavior: "smooth" });
    reveal = false;
    refreshCounts();
  });

  // Post comments on the version the reader sees, once the editor has saved it.
  document.body.addEventListener("htmx:configRequest", (event) => {
    if (event.detail.elt.closest?.("#comments") && "version" in event.detail.parameters) {
      event.detail.parameters.version = window.archlab.version;
    }
  });
  document.body.addEventListener("htmx:confirm", (event) => {
    const form = event.detail.elt;
    if (!form.matches?.("#comments form.cm-new")) return;
    event.preventDefault();
    Promise.resolve(window.archlab.save?.()).finally(() => event.detail.issueRequest(true));
  });

  refreshCounts();
}

// ---- the diff canvas ----------------------------------------------------------------------------------------

const DIFF_STYLE = [
  {
    selector: "node",
    style: {
      label: "data(label)", "text-valign": "bottom", "text-margin-y": 6, "font-size": 12, "text-wrap": "wrap",
      "text-max-width": 140, width: 56, height: 40, shape: "round-rectangle", "background-color": "#f3f4f6",
      "border-width": 2, "border-color": "#6b7280", color: "#111827",
    },
  },
  { selector: "node.added", style: { "background-color": "#dcfce7", "border-color": "#15803d", "border-width": 5 } },
  { selector: "node.changed", style: { "background-color": "#fef3c7", "border-color": "#b45309", "border-style": "double", "border-width": 7 } },
  { selector: "node.removed", style: { "background-color": "#fee2e2", "border-color": "#b91c1c", "border-style": "dashed", "border-width": 3, opacity: 0.6 } },
  {
    selector: "edge",
    style: {
      width: 2, "curve-style": "bezier", "target-arrow-shape": "triangle", "line-color": "#9ca3af",
      "target-arrow-color": "#9ca3af", label: "data(label)", "font-size": 10, "text-background-color": "#fff",
      "text-background-opacity": 0.85, "text-rotation": "autorotate",
    },
  },
  { selector: "edge.added", style: { width: 4, "line-color": "#15803d", "target-arrow-color": "#15803d" } },
  { selector: "edge.changed", style: { width: 4, "line-style": "dotted", "line-color": "#b45309", "target-arrow-color": "#b45309" } },
  { selector: "edge.removed", style: { width: 2, "line-style": "dashed", "line-color": "#b91c1c", "target-arrow-color": "#b91c1c", opacity: 0.6 } },
];

function initDiff() {
  const box = $("#diff-canvas");
  const source = $("#diff-data");
  if (!box || !source || !window.cytoscape) return;
  const data = JSON.parse(source.textContent);
  const placed = data.nodes.length > 0 && data.nodes.every((n) => n.position);
  const elements = [
    ...data.nodes.map((n) => ({
      group: "nodes", data: { id: n.id, label: n.label, status: n.status }, classes: n.status,
      position: n.position ? { ...n.position } : undefined,
    })),
    ...data.edges.map((e) => ({
      group: "edges", data: { id: e.id, source: e.source, target: e.target, label: e.label, status: e.status },
      classes: e.status,
    })),
  ];
  const layout = placed ? { name: "preset" } : { name: "dagre", rankDir: "LR", nodeSep: 50, rankSep: 110 };
  let cy;
  try {
    cy = cytoscape({ container: box, elements, style: DIFF_STYLE, layout, minZoom: 0.2, maxZoom: 2.5, autoungrabify: true });
  } catch { // without the dagre extension: a built-in layout
    cy = cytoscape({ container: box, elements, style: DIFF_STYLE, layout: { name: "breadthfirst", directed: true }, autoungrabify: true });
  }
  cy.fit(undefined, 30);
  box.dataset.ready = "true";
  window.archlabDiff = cy;
}

function start() {
  initComments();
  initDiff();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
