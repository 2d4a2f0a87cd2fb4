// Archlab designer: the canvas editor. The diagram JSON (archlab/diagram@1) in `state` is the source of truth;
// the Cytoscape canvas, the node list and the side panel are views of it. Every change goes through `change()`,
// which records an undo step, re-syncs the views and schedules an autosave.

const $ = (sel, root = document) => root.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
};

const CATEGORY_STYLE = {
  clients: { color: "#dbeafe", border: "#1d4ed8", shape: "round-rectangle" },
  apis: { color: "#fce7f3", border: "#9d174d", shape: "round-hexagon" },
  compute: { color: "#ffedd5", border: "#c2410c", shape: "round-rectangle" },
  messaging: { color: "#fef9c3", border: "#a16207", shape: "round-tag" },
  workflows: { color: "#ede9fe", border: "#6d28d9", shape: "round-octagon" },
  data: { color: "#dcfce7", border: "#15803d", shape: "barrel" },
  other: { color: "#e5e7eb", border: "#374151", shape: "round-diamond" },
};
const GLYPH = {
  "client-web": "WEB", "client-mobile": "APP", "client-iot": "IoT", "client-partner": "B2B", cloudfront: "CDN",
  cognito: "AUTH", "apigw-rest": "REST", "apigw-http": "HTTP", "apigw-websocket": "WS", appsync: "GQL", alb: "ALB",
  lambda: "λ", fargate: "ECS", "legacy-app": "OLD", "external-api": "EXT", sqs: "SQS", "sqs-fifo": "FIFO",
  sns: "SNS", "sns-fifo": "SNS·F", eventbridge: "EB", "eventbridge-scheduler": "⏱", "eventbridge-pipe": "PIPE",
  kinesis: "KDS", firehose: "KDF",
  "sfn-standard": "SFN", "sfn-express": "SFN·E", dynamodb: "DDB", s3: "S3", rds: "RDS", "aurora-serverless": "AUR",
  "rds-proxy": "PRX", elasticache: "EC", opensearch: "OS", ses: "SES", sagemaker: "ML",
};
const UNDO_LIMIT = 100;
const SAVE_DELAY_MS = 600;

const root = $("#editor");
// Viewers and commenters get no palette or edit buttons (the template leaves them out) and read-only fields;
// selecting, zooming, exports, findings, estimates and comments stay.
const readOnly = root.dataset.readonly === "true";
const catalog = JSON.parse($("#catalog-data").textContent);
const types = Object.fromEntries(catalog.types.map((t) => [t.id, t]));
const kinds = Object.fromEntries(catalog.kinds.map((k) => [k.id, k]));
const allowed = new Map(catalog.connections.map(([s, t, ks]) => [`${s}>${t}`, ks]));
let state = JSON.parse($("#diagram-data").textContent);
state.nodes ||= [];
state.edges ||= [];
let version = Number(root.dataset.version);
const undoStack = [];
const redoStack = [];
let saveTimer = null;
let saving = null;
let dirty = false;
let lastReport = JSON.parse($("#report-data").textContent);

const cy = cytoscape({
  container: $("#canvas"),
  minZoom: 0.1,
  maxZoom: 3,
  style: [
    {
      selector: "node",
      style: {
        label: "data(label)", "text-valign": "bottom", "text-margin-y": 6, "font-size": 12, "text-wrap": "wrap",
        "text-max-width": 120, width: 64, height: 48, "background-color": "data(fill)", "border-width": 2,
        "border-color": "data(stroke)", shape: "data(shape)",
      },
    },
    {
      selector: "node[glyph]",
      style: { "text-valign": "bottom" },
    },
    { selector: "node:selected", style: { "border-width": 5, "border-color": "#111827", "overlay-opacity": 0 } },
    { selector: "node.has-warning", style: { "border-color": "#d97706", "border-style": "dashed", "border-width": 4 } },
    { selector: "node.has-error", style: { "border-color": "#dc2626", "border-style": "double", "border-width": 6 } },
    {
      selector: "edge",
      style: {
        width: 2, "curve-style": "bezier", "target-arrow-shape": "triangle", "line-color": "#4b5563",
        "target-arrow-color": "#4b5563", label: "data(label)", "font-size": 10, "text-background-color": "#fff",
        "text-background-opacity": 0.85, "text-rotation": "autorotate",
      },
    },
    { selector: "edge[async = 1]", style: { "line-style": "dashed" } },
    { selector: "edge[kind = 'dead-letter']", style: { "line-style": "dotted", "line-color": "#991b1b", "target-arrow-color": "#991b1b" } },
    { selector: "edge[kind = 'compensate']", style: { "target-arrow-shape": "tee", "line-color": "#6d28d9", "target-arrow-color": "#6d28d9" } },
    { selector: "edge[kind = 'authorize']", style: { "target-arrow-shape": "diamond", "line-color": "#0e7490", "target-arrow-color": "#0e7490" } },
    { selector: "edge:selected", style: { width: 4, "line-color": "#111827", "target-arrow-color": "#111827" } },
    { selector: "edge.has-error", style: { "line-color": "#dc2626", "target-arrow-color": "#dc2626", width: 4 } },
    { selector: "edge.has-warning", style: { "line-color": "#d97706", "target-arrow-color": "#d97706", width: 3 } },
    { selector: ".eh-handle", style: { "background-color": "#111827", width: 12, height: 12, shape: "ellipse", label: "" } },
    { selector: ".eh-ghost-edge, .eh-preview", style: { "line-color": "#2563eb", "target-arrow-color": "#2563eb", "line-style": "dashed" } },
  ],
});
const eh = cy.edgehandles({ snap: true, canConnect: (s, t) => !s.same(t), edgeParams: () => ({ data: { preview: 1 } }) });

// ---- the diagram model ------------------------------------------------------------------------------------

const nodeById = (id) => state.nodes.find((n) => n.id === id);
const typeOf = (id) => types[nodeById(id)?.type];
const edgeKinds = (sourceId, targetId) => allowed.get(`${nodeById(sourceId).type}>${nodeById(targetId).type}`) || [];

function freshId(prefix, taken) {
  for (let i = 1; ; i += 1) if (!taken.has(`${prefix}-${i}`)) return `${prefix}-${i}`;
}

function change(mutate, { save = true } = {}) {
  if (readOnly) {
    toast(`You can look at this diagram (${root.dataset.role}) but not change it.`);
    sync();
    return;
  }
  undoStack.push(JSON.stringify(state));
  if (undoStack.length > UNDO_LIMIT) undoStack.shift();
  redoStack.length = 0;
  mutate(state);
  sync();
  if (save) scheduleSave();
}

function addNode(typeId, position) {
  const type = types[typeId];
  const id = freshId(typeId.replace(/[^a-z0-9]+/g, "-"), new Set(state.nodes.map((n) => n.id)));
  const label = `${type.name.replace(/^(AWS|Amazon) /, "")} ${id.split("-").pop()}`;
  change((s) => s.nodes.push({ id, type: typeId, label, position: roundPos(position) }));
  select(id);
  return id;
}

function addEdge(sourceId, targetId, kind) {
  const allowedKinds = edgeKinds(sourceId, targetId);
  const src = nodeById(sourceId);
  const tgt = nodeById(targetId);
  if (!allowedKinds.length) {
    const reach = [...new Set(catalog.connections.filter(([s]) => s === src.type).map(([, t]) => t))];
    const names = reach.map((t) => (types[t] ? types[t].name : t));
    toast(`${types[src.type].name} cannot connect to ${types[tgt.type].name}. It connects to: ${names.join(", ") || "nothing"}.`);
    return null;
  }
  const id = freshId("e", new Set(state.edges.map((e) => e.id)));
  change((s) => s.edges.push({ id, from: sourceId, to: targetId, kind: kind || allowedKinds[0] }));
  select(id);
  return id;
}

function removeIds(ids) {
  const gone = new Set(ids);
  if (!gone.size) return;
  change((s) => {
    s.nodes = s.nodes.filter((n) => !gone.has(n.id));
    s.edges = s.edges.filter((e) => !gone.has(e.id) && !gone.has(e.from) && !gone.has(e.to));
  });
}

const roundPos = (p) => ({ x: Math.round(p.x), y: Math.round(p.y) });

// ---- views ------------------------------------------------------------------------------------------------

function sync() {
  const wanted = new Set();
  cy.batch(() => {
    for (const n of state.nodes) {
      wanted.add(n.id);
      const type = types[n.type];
      const style = CATEGORY_STYLE[type.category] || CATEGORY_STYLE.other;
      const data = {
        id: n.id, label: `${GLYPH[n.type] || ""}\n${n.label || n.id}`, fill: style.color, stroke: style.border,
        shape: style.shape, type: n.type,
      };
      const existing = cy.getElementById(n.id);
      if (existing.nonempty()) {
        existing.data(data);
        if (n.position && !existing.grabbed()) existing.position(n.position);
      } else {
        cy.add({ group: "nodes", data, position: n.position || { x: 100, y: 100 } });
      }
    }
    for (const e of state.edges) {
      wanted.add(e.id);
      const data = { id: e.id, source: e.from, target: e.to, kind: e.kind, async: kinds[e.kind]?.sync ? 0 : 1, label: e.label || e.kind };
      const existing = cy.getElementById(e.id);
      if (existing.nonempty() && existing.data("source") === e.from && existing.data("target") === e.to) existing.data(data);
      else {
        existing.remove();
        cy.add({ group: "edges", data });
      }
    }
    cy.elements().filter((x) => !wanted.has(x.id()) && !x.hasClass("eh-handle") && !x.hasClass("eh-ghost")).remove();
  });
  $("#diagram-name").value = state.name || "";
  const description = $("#diagram-description");
  if (description && document.activeElement !== description) description.value = state.description || "";
  markFindings(lastReport);
  renderNodeList();
  renderSelection();
}

function renderNodeList() {
  const list = $("#node-list");
  const focusedId = document.activeElement?.closest?.("#node-list li")?.dataset.id;
  const selected = new Set(cy.$(":selected").map((x) => x.id()));
  list.replaceChildren(
    ...state.nodes.map((n) => {
      const degree = state.edges.filter((e) => e.from === n.id || e.to === n.id).length;
      const item = el("li", {
        role: "option", tabindex: "-1", "data-id": n.id, "aria-selected": selected.has(n.id) ? "true" : "false",
        onclick: () => select(n.id),
      }, `${n.label || n.id}`, el("span", { class: "meta" }, ` ${types[n.type].name}, ${degree} connection${degree === 1 ? "" : "s"}`));
      return item;
    }),
  );
  const items = [...list.children];
  (items.find((i) => i.dataset.id === focusedId) || items[0])?.setAttribute("tabindex", "0");
  if (focusedId) list.querySelector(`[data-id="${CSS.escape(focusedId)}"]`)?.focus();
}

function select(id) {
  cy.$(":selected").unselect();
  const target = cy.getElementById(id);
  target.select();
  renderNodeList();
  renderSelection();
}

let shownSelection = "";

function renderSelection(force = true) {
  const panel = $("#selection-panel");
  const chosen = cy.$(":selected");
  const key = chosen.map((x) => x.id()).join(" ");
  if (!force && key === shownSelection) return;
  shownSelection = key;
  const focusedId = panel.contains(document.activeElement) ? document.activeElement.id : "";
  fillSelection(panel, chosen);
  if (focusedId) document.getElementById(focusedId)?.focus();
}

function fillSelection(panel, chosen) {
  if (chosen.length === 0) {
    panel.replaceChildren(el("p", { class: "hint" }, "Select a service or a connection to configure it."));
    return;
  }
  if (chosen.length > 1) {
    panel.replaceChildren(el("p", {}, `${chosen.length} items selected.`),
      readOnly ? "" : el("button", { type: "button", onclick: deleteSelection }, "Delete them"));
    return;
  }
  const id = chosen[0].id();
  const node = nodeById(id);
  if (node) panel.replaceChildren(...nodeForm(node));
  const edge = state.edges.find((e) => e.id === id);
  if (edge) panel.replaceChildren(...edgeForm(edge));
}

// In a read-only editor a field shows its value but takes no input: text stays selectable (readonly); a select or
// a checkbox has no readonly state, so it is disabled.
function lock(input) {
  if (input.matches("select, input[type=checkbox]")) input.disabled = true;
  else input.readOnly = true;
}

function field(labelText, input, help, unit) {
  if (readOnly) lock(input);
  const wrap = el("div", { class: "field" }, el("label", { for: input.id }, labelText, unit ? ` (${unit})` : ""), input);
  if (help) wrap.append(el("small", {}, help));
  wrap.append(el("span", { class: "field-error", role: "alert" }));
  return wrap;
}

function nodeForm(node) {
  const type = types[node.type];
  const label = el("input", { id: "f-label", value: node.label || "", maxlength: 200 });
  label.addEventListener("change", () => change(() => { node.label = label.value; }));
  const out = [
    el("h3", {}, type.name),
    el("p", { class: "hint" }, type.summary),
    el("p", { class: "hint" }, "Id ", el("code", {}, node.id), " (traffic profiles name services by id)"),
    field("Label", label),
  ];
  const config = node.config || {};
  for (const p of type.params) out.push(paramField(node, p, config[p.name]));
  out.push(connectionsBlock(node));
  return out;
}

function paramField(node, p, value) {
  const id = `f-${p.name}`;
  const current = value ?? p.default;
  let input;
  if (p.type === "bool") {
    input = el("input", { id, type: "checkbox" });
    input.checked = Boolean(current);
  } else if (p.type === "enum") {
    input = el("select", { id }, ...p.values.map((v) => el("option", { value: JSON.stringify(v), selected: v === current }, String(v))));
  } else if (p.type === "list") {
    input = el("select", { id, multiple: true, size: Math.min(p.values.length, 5) },
      ...p.values.map((v) => el("option", { value: v, selected: (current || []).includes(v) }, v)));
  } else if (p.type === "int" || p.type === "number") {
    input = el("input", { id, type: "number", min: p.min, max: p.max, step: p.type === "int" ? 1 : "any", value: current ?? "", placeholder: current === null ? "unset" : "" });
  } else {
    input = el("input", { id, value: current ?? "" });
  }
  const wrap = field(p.name, input, p.help + (p.estimate ? " (used by estimates)" : ""), p.unit);
  const error = $(".field-error", wrap);
  const read = () => {
    if (p.type === "bool") return input.checked;
    if (p.type === "enum") return JSON.parse(input.value);
    if (p.type === "list") return [...input.selectedOptions].map((o) => o.value);
    if (p.type === "int" || p.type === "number") return input.value === "" ? null : Number(input.value);
    return input.value;
  };
  const check = (v) => {
    if (v === null) return p.default === null ? "" : "enter a value";
    if (p.type === "int" && !Number.isInteger(v)) return `${v} is not a whole number`;
    if ((p.type === "int" || p.type === "number") && p.min !== null && v < p.min) return `${v} is below the minimum ${p.min}`;
    if ((p.type === "int" || p.type === "number") && p.max !== null && v > p.max) return `${v} is above the maximum ${p.max}`;
    return "";
  };
  input.addEventListener("input", () => { error.textContent = check(read()); input.setAttribute("aria-invalid", error.textContent ? "true" : "false"); });
  input.addEventListener("change", () => {
    const v = read();
    if (check(v)) return;
    change(() => {
      node.config = { ...(node.config || {}) };
      if (v === null || JSON.stringify(v) === JSON.stringify(p.default)) delete node.config[p.name];
      else node.config[p.name] = v;
      if (!Object.keys(node.config).length) delete node.config;
    });
  });
  return wrap;
}

function connectionsBlock(node) {
  const block = el("div", { class: "connections" }, el("h4", {}, "Connections"));
  const list = el("ul");
  for (const e of state.edges.filter((x) => x.from === node.id || x.to === node.id)) {
    const other = nodeById(e.from === node.id ? e.to : e.from);
    const text = e.from === node.id ? `→ ${other.label} (${e.kind})` : `← ${other.label} (${e.kind})`;
    list.append(el("li", {}, el("button", { type: "button", class: "link", onclick: () => select(e.id) }, text)));
  }
  block.append(list);
  if (readOnly) return block;
  const targets = state.nodes.filter((n) => n.id !== node.id && edgeKinds(node.id, n.id).length);
  const picker = el("select", { id: "connect-to" }, el("option", { value: "" }, "Choose a service…"),
    ...targets.map((n) => el("option", { value: n.id }, `${n.label} (${edgeKinds(node.id, n.id).join(" / ")})`)));
  const go = el("button", { type: "button", onclick: () => picker.value && addEdge(node.id, picker.value) }, "Add connection");
  block.append(field("Connect to…", picker, targets.length ? "Only services this one may connect to are listed." : "No service here can be reached from this one."), go);
  return block;
}

function edgeForm(edge) {
  const from = nodeById(edge.from);
  const to = nodeById(edge.to);
  const kindSelect = el("select", { id: "f-kind" }, ...edgeKinds(edge.from, edge.to).map((k) => el("option", { value: k, selected: k === edge.kind }, k)));
  kindSelect.addEventListener("change", () => change(() => {
    const keep = new Set(["id", "from", "to", "kind", "label", "share", "calls", "payload_kb"]);
    for (const key of Object.keys(edge)) if (!keep.has(key)) delete edge[key];
    edge.kind = kindSelect.value;
  }));
  const label = el("input", { id: "f-edge-label", value: edge.label || "", maxlength: 200 });
  label.addEventListener("change", () => change(() => { edge.label = label.value || undefined; }));
  const out = [
    el("h3", {}, `${from.label} → ${to.label}`),
    field("Kind", kindSelect, kinds[edge.kind]?.help),
    field("Label", label),
  ];
  for (const attr of kinds[edge.kind]?.attrs || []) {
    if (attr.type === "object") continue;
    const id = `f-attr-${attr.name}`;
    const input = attr.type === "bool"
      ? el("input", { id, type: "checkbox" })
      : el("input", { id, type: attr.type === "string" ? "text" : "number", value: edge[attr.name] ?? "" });
    if (attr.type === "bool") input.checked = Boolean(edge[attr.name]);
    input.addEventListener("change", () => change(() => {
      const v = attr.type === "bool" ? input.checked : attr.type === "string" ? input.value : input.value === "" ? null : Number(input.value);
      if (v === null || v === "" || v === false) delete edge[attr.name];
      else edge[attr.name] = v;
    }));
    out.push(field(attr.name, input, attr.help));
  }
  if ((kinds[edge.kind]?.attrs || []).some((a) => a.name === "filter")) {
    const filter = el("textarea", { id: "f-filter", rows: 3 }, edge.filter ? JSON.stringify(edge.filter) : "");
    const wrap = field("filter (JSON)", filter, "An event pattern or filter policy, e.g. {\"source\": [\"orders\"]}");
    filter.addEventListener("change", () => {
      try {
        const value = filter.value.trim() ? JSON.parse(filter.value) : null;
        change(() => { if (value) edge.filter = value; else delete edge.filter; });
      } catch { $(".field-error", wrap).textContent = "not valid JSON"; }
    });
    out.push(wrap);
  }
  if (!readOnly) out.push(el("button", { type: "button", onclick: () => removeIds([edge.id]) }, "Delete connection"));
  return out;
}

function markFindings(report) {
  cy.elements().removeClass("has-error has-warning");
  if (!report) return;
  for (const f of report.findings || []) {
    if (f.severity === "info") continue;
    const cls = f.severity === "error" ? "has-error" : "has-warning";
    for (const id of [...f.nodes, ...f.edges]) {
      const x = cy.getElementById(id);
      if (f.severity === "warning" && x.hasClass("has-error")) continue;
      x.addClass(cls);
    }
  }
}

// ---- saving -------------------------------------------------------------------------------------------------

const status = (text) => { $("#save-status").textContent = text; };
const csrf = () => JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];

function scheduleSave() {
  dirty = true;
  status("Unsaved changes…");
  clearTimeout(saveTimer);
  saveTimer = setTimeout(save, SAVE_DELAY_MS);
}

async function save(message = "") {
  clearTimeout(saveTimer);
  if (saving) await saving;
  if (!dirty && !message) return;
  dirty = false;
  const body = JSON.stringify({ data: state, base_version: version, message });
  saving = fetch(root.dataset.saveUrl, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() }, body })
    .then(async (response) => {
      const payload = await response.json().catch(() => ({}));
      if (response.ok) {
        version = payload.version;
        lastReport = payload.report;
        const panel = $("#findings");
        panel.innerHTML = payload.findings_html;
        if (window.htmx) window.htmx.process(panel);
        markFindings(lastReport);
        status(`Saved · version ${version}`);
      } else if (response.status === 503) {
        // The database is restarting: nothing was stored, so send the same change again shortly.
        dirty = true;
        status("Server busy: changes kept here, retrying…");
        const wait = Number(response.headers.get("Retry-After")) || 3;
        saveTimer = setTimeout(save, Math.min(wait, 30) * 1000);
      } else if (response.status === 409) {
        dirty = true;
        status("Not saved: a newer version exists");
        $("#conflict").showModal();
      } else {
        dirty = true;
        const first = (payload.errors || [])[0];
        status("Not saved");
        toast(first ? `Not saved: ${first.path ? `${first.path}: ` : ""}${first.message}` : "Not saved: the server refused the diagram");
      }
    })
    .catch(() => { dirty = true; status("Offline: changes kept here, retrying…"); saveTimer = setTimeout(save, 3000); })
    .finally(() => { saving = null; });
  return saving;
}

function toast(text) {
  const box = $("#toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(box.timer);
  box.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

// ---- actions ------------------------------------------------------------------------------------------------

function deleteSelection() {
  removeIds(cy.$(":selected").map((x) => x.id()));
}

function undo() {
  if (!undoStack.length) return;
  redoStack.push(JSON.stringify(state));
  state = JSON.parse(undoStack.pop());
  sync();
  scheduleSave();
}

function redo() {
  if (!redoStack.length) return;
  undoStack.push(JSON.stringify(state));
  state = JSON.parse(redoStack.pop());
  sync();
  scheduleSave();
}

function layout() {
  const run = cy.layout({ name: "dagre", rankDir: "LR", nodeSep: 50, rankSep: 110, animate: false });
  run.run();
  // A read-only diagram without positions is laid out for viewing; nothing is stored.
  if (!readOnly) change((s) => { for (const n of s.nodes) n.position = roundPos(cy.getElementById(n.id).position()); });
  cy.fit(undefined, 40);
}

function setConnectMode(on) {
  const button = $('[data-action="connect"]');
  button.setAttribute("aria-pressed", on ? "true" : "false");
  if (on) eh.enableDrawMode();
  else eh.disableDrawMode();
  cy.autoungrabify(on);
}

const ACTIONS = {
  undo, redo, layout,
  delete: deleteSelection,
  connect: () => setConnectMode($('[data-action="connect"]').getAttribute("aria-pressed") !== "true"),
  fit: () => cy.fit(undefined, 40),
  "zoom-in": () => cy.zoom({ level: cy.zoom() * 1.2, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }),
  "zoom-out": () => cy.zoom({ level: cy.zoom() / 1.2, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }),
  reload: () => window.location.reload(),
  "save-version": async () => {
    const box = $("#version-message");
    const message = box.value.trim();
    if (!message) { box.focus(); toast("Write a few words about this version first."); return; }
    await save(message);
    if (!dirty) box.value = "";
  },
  "keep-copy": async () => {
    const response = await fetch(root.dataset.copyUrl, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() }, body: JSON.stringify(state) });
    const payload = await response.json();
    if (response.ok) window.location.href = payload.url;
    else toast(payload.errors?.[0]?.message || "Could not keep a copy");
  },
};

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  if (button && ACTIONS[button.dataset.action]) ACTIONS[button.dataset.action]();
  const finding = event.target.closest("[data-nodes]");
  if (finding && !event.target.closest("a")) highlight(finding);
});

function highlight(finding) {
  const ids = [...(finding.dataset.nodes || "").split(" "), ...(finding.dataset.edges || "").split(" ")].filter(Boolean);
  cy.$(":selected").unselect();
  const items = cy.collection(ids.map((id) => cy.getElementById(id)).filter((x) => x.nonempty()));
  items.select();
  if (items.nonempty()) cy.animate({ fit: { eles: items, padding: 80 }, duration: 200 });
  renderNodeList();
  renderSelection();
}

document.addEventListener("keydown", (event) => {
  if (event.target.closest("input, select, textarea, dialog")) return;
  const mod = event.ctrlKey || event.metaKey;
  if (!readOnly && mod && event.key.toLowerCase() === "z") { event.preventDefault(); (event.shiftKey ? redo : undo)(); return; }
  if (!readOnly && mod && event.key.toLowerCase() === "y") { event.preventDefault(); redo(); return; }
  if (event.target.closest("#node-list")) return nodeListKeys(event);
  // A finding or a badge in focus: Enter or Space shows its services, as a click does.
  const finding = event.target.closest("[data-nodes]");
  if (finding && (event.key === "Enter" || event.key === " ") && !event.target.closest("a, summary")) {
    event.preventDefault();
    highlight(finding);
    return;
  }
  if (event.target.closest("#canvas") || event.target === document.body) {
    if (event.key === "f") ACTIONS.fit();
    else if (event.key === "+") ACTIONS["zoom-in"]();
    else if (event.key === "-") ACTIONS["zoom-out"]();
    else if (readOnly) return; // the keys below change the diagram
    else if (event.key === "Delete" || event.key === "Backspace") { event.preventDefault(); deleteSelection(); }
    else if (event.key === "l") layout();
    else if (event.key === "c") ACTIONS.connect();
  }
});

function nodeListKeys(event) {
  const item = event.target.closest("li");
  if (!item) return;
  const id = item.dataset.id;
  const step = 20;
  const moves = { ArrowUp: [0, -step], ArrowDown: [0, step], ArrowLeft: [-step, 0], ArrowRight: [step, 0] };
  if (readOnly && (event.shiftKey || event.key === "c" || event.key === "Delete" || event.key === "Backspace")) return;
  if (event.shiftKey && moves[event.key]) {
    event.preventDefault();
    const [dx, dy] = moves[event.key];
    change(() => { const n = nodeById(id); const p = n.position || cy.getElementById(id).position(); n.position = roundPos({ x: p.x + dx, y: p.y + dy }); });
  } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    const next = event.key === "ArrowDown" ? item.nextElementSibling : item.previousElementSibling;
    if (next) { next.focus(); select(next.dataset.id); }
  } else if (event.key === "Enter") {
    event.preventDefault();
    select(id);
    $("#selection-panel input, #selection-panel select")?.focus();
  } else if (event.key === "c") {
    event.preventDefault();
    select(id);
    $("#connect-to")?.focus();
  } else if (event.key === "Delete" || event.key === "Backspace") {
    event.preventDefault();
    const next = item.nextElementSibling || item.previousElementSibling;
    removeIds([id]);
    if (next) $(`#node-list [data-id="${CSS.escape(next.dataset.id)}"]`)?.focus();
  }
}

$("#node-list").addEventListener("focusin", (event) => {
  const item = event.target.closest("li");
  if (item && !cy.getElementById(item.dataset.id).selected()) {
    cy.$(":selected").unselect();
    cy.getElementById(item.dataset.id).select();
    for (const li of $("#node-list").children) li.setAttribute("aria-selected", li === item ? "true" : "false");
    renderSelection();
  }
});

if (!readOnly) $("#diagram-name").addEventListener("change", (event) => change((s) => { s.name = event.target.value || "Untitled"; }));
if (!readOnly) {
  $("#diagram-description").addEventListener("change", (event) => change((s) => {
    const text = event.target.value.trim();
    if (text) s.description = text;
    else delete s.description;
  }));
}

// ---- palette ------------------------------------------------------------------------------------------------

function renderPalette(filter = "") {
  const needle = filter.trim().toLowerCase();
  const groups = catalog.categories.map((cat) => {
    const items = catalog.types.filter((t) => t.category === cat.id && (!needle || `${t.name} ${t.id} ${t.summary}`.toLowerCase().includes(needle)));
    if (!items.length) return null;
    return el("section", { class: "palette-group" }, el("h3", {}, cat.name),
      el("ul", {}, ...items.map((t) => el("li", {},
        el("button", {
          type: "button", class: "palette-item", draggable: "true", "data-type": t.id, title: t.summary,
          "aria-label": `Add ${t.name}`,
          onclick: () => {
            const ext = cy.extent();
            const id = addNode(t.id, { x: (ext.x1 + ext.x2) / 2 + (state.nodes.length % 5) * 15, y: (ext.y1 + ext.y2) / 2 + (state.nodes.length % 5) * 15 });
            $(`#node-list [data-id="${CSS.escape(id)}"]`)?.focus();
          },
          ondragstart: (event) => { event.dataTransfer.setData("application/x-archlab-type", t.id); event.dataTransfer.effectAllowed = "copy"; },
        }, el("span", { class: `glyph cat-${t.category}`, "aria-hidden": "true" }, GLYPH[t.id] || "?"), t.name)))));
  }).filter(Boolean);
  $("#palette-groups").replaceChildren(...(groups.length ? groups : [el("p", { class: "hint" }, "No service matches.")]));
}

$("#palette-search")?.addEventListener("input", (event) => renderPalette(event.target.value));
const canvasBox = $("#canvas");
canvasBox.addEventListener("dragover", (event) => { if (event.dataTransfer.types.includes("application/x-archlab-type")) { event.preventDefault(); event.dataTransfer.dropEffect = "copy"; } });
canvasBox.addEventListener("drop", (event) => {
  const typeId = event.dataTransfer.getData("application/x-archlab-type");
  if (!types[typeId]) return;
  event.preventDefault();
  const rect = canvasBox.getBoundingClientRect();
  const pan = cy.pan();
  const zoom = cy.zoom();
  addNode(typeId, { x: (event.clientX - rect.left - pan.x) / zoom, y: (event.clientY - rect.top - pan.y) / zoom });
});

// ---- canvas events ------------------------------------------------------------------------------------------

cy.on("dragfree", "node", (event) => {
  const node = event.target;
  const n = nodeById(node.id());
  if (!n) return;
  const moved = cy.$("node:selected").union(node);
  change(() => { for (const x of moved) { const m = nodeById(x.id()); if (m) m.position = roundPos(x.position()); } });
});
cy.on("select unselect", () => { clearTimeout(cy.selTimer); cy.selTimer = setTimeout(() => { renderNodeList(); renderSelection(false); }, 0); });
cy.on("ehcomplete", (event, source, target, added) => {
  added.remove();
  addEdge(source.id(), target.id());
});

window.addEventListener("beforeunload", (event) => { if (dirty) { save(); event.preventDefault(); } });
document.querySelectorAll("[data-export]").forEach((link) => link.addEventListener("click", async (event) => {
  if (!dirty && !saving) return;
  event.preventDefault();
  await save();
  window.location.href = link.href;
}));

// Expose a small surface for tests and the browser console.
window.archlab = { get state() { return state; }, get version() { return version; }, cy, save, addNode, addEdge, undo, redo };

if (!readOnly) renderPalette();
if (readOnly) cy.autoungrabify(true);
sync();
if (state.nodes.length && state.nodes.every((n) => n.position)) cy.fit(undefined, 40);
else if (state.nodes.length) layout();
root.dataset.ready = "true";
