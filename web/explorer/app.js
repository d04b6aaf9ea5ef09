// The explorer page: search, canvas, filters, path mode, side panel, export, playground link.

import {
  ApiError,
  CAPABILITIES,
  EXPORT_URL,
  FILTER_OPTIONS,
  FILTERED,
  NEIGHBORHOOD,
  PROVIDER_TREND,
  SHORTEST_PATH,
  STORY,
  TOPIC_TREND,
  corpusName,
  nodeDetail,
  request,
  requestCount,
} from "./api.js";
import { append, day, debounce, el } from "./dom.js";
import { download, exportGraphML, exportPNG, fileName } from "./export.js";
import { articleElements, describeForm, formFilter, formValues, setForm } from "./filters.js";
import { addElements, createGraph, fadeExcept, layout } from "./graph.js";
import { wireHoverCard, wireLabels } from "./labels.js";
import { showEdge, showMessage, showNode, showPath, showTrend, updateNeighbours } from "./panel.js";
import { wireSearch } from "./search.js";
import { readState, writeState } from "./urlstate.js";

export const CONFIG = Object.freeze({
  searchFirst: 10, // results per search
  searchDelayMs: 200, // debounce of the search box
  openLimit: 150, // nodes of the neighbourhood drawn when a result is chosen
  expandLimit: 60, // nodes fetched when a node is expanded
  maxNodes: 400, // cap of the canvas: beyond it nothing more is added
  pageSize: 100, // articles per filter page
  maxPathLength: 8, // hops searched in path mode
  doubleTapMs: 300, // a click waits this long to be sure it is not a double-click
});

const $ = (id) => document.getElementById(id);
const ui = {
  body: document.body,
  search: $("search"),
  results: $("results"),
  cy: $("cy"),
  panel: $("panel"),
  status: $("status"),
  error: $("error"),
  starters: $("starters"),
  pathMode: $("path-mode"),
  fit: $("fit"),
  graphml: $("export-graphml"),
  png: $("export-png"),
  serverExport: $("export-server"),
  playground: $("playground"),
  filters: $("filters"),
  topic: $("filter-topic"),
  provider: $("filter-provider"),
  from: $("filter-from"),
  to: $("filter-to"),
  more: $("filter-more"),
  card: $("hovercard"),
  toggleFilters: $("toggle-filters"),
  togglePanel: $("toggle-panel"),
};
const form = { topic: ui.topic, provider: ui.provider, from: ui.from, to: ui.to };

const state = {
  cy: null,
  mode: "browse", // or "path"
  picks: [], // node ids picked in path mode
  view: "empty", // empty | neighbourhood | filter | path | story
  lastQuery: null, // {query, variables, operationName, description, playground}: what drew the view
  filter: null, // {filter, cursor, hasNext, totalCount, related: Map}
  seed: null, // the node whose neighbourhood was opened
  viewName: "", // what drew the canvas, in words: names the exports
  corpus: "graph", // the served corpus's name: names the exports
  // Fields other features add to the schema, used where present (found by introspection).
  caps: { exportUrl: false, story: false, topicTrend: false, providerTrend: false },
  detailSeq: 0,
};

// ---------------------------------------------------------------- busy, status, errors

let busy = 0;
function setBusy(delta) {
  busy += delta;
  ui.body.dataset.busy = String(busy);
}

/** Run an async action: counts as busy, and shows its error instead of throwing. */
async function run(action) {
  setBusy(1);
  try {
    return await action();
  } catch (err) {
    showError(err?.message ?? String(err));
    return undefined;
  } finally {
    setBusy(-1);
  }
}

function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = false;
}

function clearError() {
  ui.error.hidden = true;
  ui.error.textContent = "";
}

/** Warnings from an answer that still carries data (e.g. a node that vanished in a reload). */
function warn(errors) {
  if (errors?.length) showError(errors.map((e) => e.message).join("; "));
}

function setStatus(text) {
  ui.status.textContent = text;
}

function refreshCounts() {
  const cy = state.cy;
  const nodes = cy.nodes().length;
  ui.cy.dataset.nodeCount = String(nodes);
  ui.cy.dataset.edgeCount = String(cy.edges().length);
  ui.graphml.disabled = nodes === 0;
  ui.png.disabled = nodes === 0;
  ui.serverExport.disabled = nodes === 0 || !(state.filter || state.seed);
  updateNeighbours(ui.panel, (id) => cy.getElementById(id).neighborhood().nodes().length);
}

function setView(view) {
  state.view = view;
  ui.body.dataset.view = view;
}

function label(id) {
  const node = state.cy.getElementById(id);
  return node.nonempty() ? node.data("label") : id;
}

/** A GraphQL literal for a JSON variable value. */
function literal(value) {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value).map(([k, v]) => `${k}: ${literal(v)}`).join(", ")}}`;
  }
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/**
 * The operation with its variables written in as defaults (`$id: ID! = "…"`): one text that
 * runs as is in the playground, variables still visible and easy to change.
 */
export function withDefaults(query, variables) {
  const open = query.indexOf("(");
  const close = query.indexOf(")");
  const body = query.indexOf("{");
  if (open < 0 || close < open || close > body) return query;
  const header = query.slice(open, close).replace(/\$(\w+)\s*:\s*([\w!\[\]]+)/g, (whole, name) =>
    Object.hasOwn(variables, name) ? `${whole} = ${literal(variables[name])}` : whole,
  );
  return query.slice(0, open) + header + query.slice(close);
}

/** Remember the operation that drew the view; the playground link opens it. */
function setLastQuery(query, variables, description) {
  const operationName = /query\s+(\w+)/.exec(query)?.[1] ?? null;
  const playground = withDefaults(query, variables);
  state.lastQuery = { query, variables, operationName, description, playground };
  // The fragment, not `?query=`: a GET /graphql with a query parameter runs the query and
  // answers JSON (GraphQL over HTTP); a fragment never reaches the server.
  ui.playground.setAttribute("href", `/graphql#query=${encodeURIComponent(playground)}`);
  ui.playground.removeAttribute("aria-disabled");
  ui.playground.title = `Open GraphiQL with the ${operationName} query that drew this view`;
}

// ---------------------------------------------------------------------- the canvas

/** Replace the canvas with the neighbourhood of `id`. */
async function openNode(id) {
  const variables = { id, depth: 1, limit: CONFIG.openLimit };
  const { data, errors } = await request(NEIGHBORHOOD, variables);
  clearError();
  warn(errors);
  const sub = data.neighborhood;
  const cy = state.cy;
  exitPathMode();
  cy.elements().remove();
  state.filter = null;
  state.seed = id;
  ui.more.hidden = true;
  setForm(form); // the form shows what drew the canvas
  addElements(cy, sub.nodes, sub.edges, { room: CONFIG.maxNodes });
  const centre = cy.getElementById(id);
  centre.addClass("center expanded");
  layout(cy);
  refreshCounts();
  setView("neighbourhood");
  const name = centre.data("label");
  state.viewName = `neighbourhood of ${name}`;
  setLastQuery(NEIGHBORHOOD, variables, `Neighbourhood of ${name}`);
  setStatus(
    `Neighbourhood of “${name}”: ${cy.nodes().length} nodes, ${cy.edges().length} edges` +
      (sub.truncated ? ` (cut at ${CONFIG.openLimit} nodes)` : ""),
  );
  writeState({ node: id, story: null, topic: null, provider: null, from: null, to: null });
  await select(id);
}

/** Add the neighbours of `id` (drawn or not) to the canvas. */
async function expand(id) {
  const cy = state.cy;
  const room = CONFIG.maxNodes - cy.nodes().length;
  const variables = { id, depth: 1, limit: CONFIG.expandLimit };
  const { data, errors } = await request(NEIGHBORHOOD, variables);
  warn(errors);
  const sub = data.neighborhood;
  const anchorId = cy.getElementById(id).nonempty() ? id : cy.$(":selected").nodes().first().id();
  const { added, skipped } = addElements(cy, sub.nodes, sub.edges, {
    room,
    anchor: anchorId ? cy.getElementById(anchorId) : null,
  });
  const node = cy.getElementById(id);
  node.addClass("expanded");
  if (added.length) layout(cy, { incremental: true });
  refreshCounts();
  if (state.view === "empty") setView("neighbourhood");
  setLastQuery(NEIGHBORHOOD, variables, `Neighbours of ${node.data("label")}`);
  let text = `Expanded “${node.data("label")}”: ${added.length} new node${added.length === 1 ? "" : "s"}; ${cy.nodes().length} on the canvas`;
  if (skipped) text += ` (${skipped} left out: the canvas holds at most ${CONFIG.maxNodes})`;
  else if (sub.truncated) text += ` (neighbours cut at ${CONFIG.expandLimit})`;
  setStatus(text);
}

/** Select a node and show it in the side panel. */
async function select(id) {
  const cy = state.cy;
  const node = cy.getElementById(id);
  cy.elements().unselect();
  if (node.nonempty()) node.select();
  writeState({ sel: id });
  const seq = ++state.detailSeq;
  const { data, errors } = await request(nodeDetail({ story: state.caps.story }), { id });
  if (seq !== state.detailSeq) return;
  warn(errors);
  const detail = data.node;
  if (!detail) {
    showMessage(ui.panel, "Not found", "This node is no longer in the graph.");
    return;
  }
  const onCanvas = node.nonempty() ? node.neighborhood().nodes().length : 0;
  if (seq !== state.detailSeq) return;
  showNode(ui.panel, detail, {
    show: showOnCanvas,
    onCanvas,
    onStory: (story) => run(() => openStory(story.id)),
    onFilter: filterTo,
  });
  // Articles per month, where the schema has trends: a bar filters to its month.
  const trend =
    detail.__typename === "Topic" && state.caps.topicTrend
      ? [TOPIC_TREND, { name: detail.name }]
      : detail.__typename === "Provider" && state.caps.providerTrend
        ? [PROVIDER_TREND, { domain: detail.domain }]
        : null;
  if (!trend) return;
  const answer = await request(...trend);
  if (seq !== state.detailSeq || !answer.data.trend) return;
  showTrend(ui.panel, answer.data.trend, (point) => filterTo(detail, point));
}

/** Set the filter form to a topic or provider (and a month, from a trend bar), then apply it. */
function filterTo(node, point = null) {
  const select = node.__typename === "Topic" ? ui.topic : ui.provider;
  const value = node.__typename === "Topic" ? node.name : node.domain;
  if (![...select.options].some((o) => o.value === value)) {
    select.append(el("option", { value, text: node.name })); // beyond the first 100
  }
  setForm(form, {
    [node.__typename === "Topic" ? "topic" : "provider"]: value,
    from: point ? day(point.start) : "",
    to: point ? day(new Date(Date.parse(point.end) - 86_400_000).toISOString()) : "",
  });
  run(() => applyFilters());
}

/** From the panel: select a node when drawn, otherwise add it with its neighbours. */
function showOnCanvas(id) {
  run(async () => {
    const cy = state.cy;
    if (cy.getElementById(id).empty()) await expand(id);
    const node = cy.getElementById(id);
    if (node.nonempty()) cy.animate({ center: { eles: node } }, { duration: 250 });
    await select(id);
  });
}

/** Double-click: zoom to the node and its neighbours and fade the rest. */
function focus(node) {
  const cy = state.cy;
  const hood = node.closedNeighborhood();
  fadeExcept(cy, hood);
  cy.animate({ fit: { eles: hood, padding: 60 } }, { duration: 300 });
  setStatus(`Focused on “${node.data("label")}”; click the background to show everything`);
  run(() => select(node.id()));
}

// ------------------------------------------------------------------------- path mode

function enterPathMode() {
  state.mode = "path";
  state.picks = [];
  ui.body.dataset.mode = "path";
  ui.pathMode.setAttribute("aria-pressed", "true");
  state.cy.elements().removeClass("on-path picked");
  fadeExcept(state.cy, null);
  setStatus("Path mode: click the start node");
}

function exitPathMode() {
  state.mode = "browse";
  state.picks = [];
  ui.body.dataset.mode = "browse";
  ui.pathMode.setAttribute("aria-pressed", "false");
  state.cy?.nodes().removeClass("picked");
}

function pick(node) {
  if (state.picks.includes(node.id())) return;
  state.picks.push(node.id());
  node.addClass("picked");
  if (state.picks.length === 1) {
    setStatus(`Path from “${node.data("label")}”: now click the end node`);
    return;
  }
  const [from, to] = state.picks;
  run(() => findPath(from, to));
}

async function findPath(from, to) {
  const cy = state.cy;
  const variables = { from, to, maxLength: CONFIG.maxPathLength };
  const { data, errors } = await request(SHORTEST_PATH, variables);
  warn(errors);
  exitPathMode();
  const path = data.shortestPath;
  setLastQuery(SHORTEST_PATH, variables, `Shortest path from ${label(from)} to ${label(to)}`);
  if (path) state.viewName = `path from ${label(from)} to ${label(to)}`;
  if (!path) {
    setStatus(`No path within ${CONFIG.maxPathLength} hops between “${label(from)}” and “${label(to)}”`);
    showMessage(ui.panel, "No path", `No path of at most ${CONFIG.maxPathLength} hops joins these two nodes.`);
    return;
  }
  // A path is always drawn whole, even past the cap: it has at most maxPathLength + 1 nodes.
  const { added } = addElements(cy, path.nodes, path.edges, { anchor: cy.getElementById(from) });
  if (added.length) layout(cy, { incremental: true });
  let onPath = cy.collection();
  for (const n of path.nodes) onPath = onPath.union(cy.getElementById(n.id));
  for (const e of path.edges) onPath = onPath.union(cy.getElementById(`${e.kind}|${e.source}|${e.target}`));
  cy.batch(() => {
    cy.elements().removeClass("on-path");
    onPath.addClass("on-path");
  });
  fadeExcept(cy, onPath);
  refreshCounts();
  setView("path");
  ui.body.dataset.pathLength = String(path.length);
  setStatus(`Shortest path: ${path.length} hop${path.length === 1 ? "" : "s"} from “${label(from)}” to “${label(to)}”`);
  showPath(ui.panel, path, { show: showOnCanvas });
}

// ---------------------------------------------------------------------------- filters

/** Replace the canvas with a story's articles (where the schema has stories). */
async function openStory(id) {
  const cy = state.cy;
  const variables = { id, first: CONFIG.pageSize };
  const { data, errors } = await request(STORY, variables);
  clearError();
  warn(errors);
  const story = data.story;
  if (!story) {
    showError("This story is no longer in the graph.");
    return;
  }
  exitPathMode();
  cy.elements().remove();
  state.filter = null;
  state.seed = null;
  ui.more.hidden = true;
  setForm(form);
  const { nodes, edges } = articleElements(story.articles.edges, new Map());
  addElements(cy, nodes, edges, { room: CONFIG.maxNodes });
  layout(cy);
  refreshCounts();
  setView("story");
  const span = `${day(story.firstPublishedAt) || "…"} to ${day(story.lastPublishedAt) || "…"}`;
  setLastQuery(STORY, variables, `Story of ${story.size} articles, ${span}`);
  state.viewName = `story of ${story.size} articles ${span}`;
  writeState({ story: id, node: null, topic: null, provider: null, from: null, to: null });
  const shown = cy.nodes("[kind = 'article']").length;
  setStatus(`Story: ${shown} of ${story.size} articles, ${span}`);
}

/** Draw the articles that pass the filters (a page at a time) with providers and topics. */
async function applyFilters({ more = false } = {}) {
  const cy = state.cy;
  const filter = formFilter(form);
  if (!filter) {
    writeState({ topic: null, provider: null, from: null, to: null });
    if (state.view === "filter") resetCanvas();
    return;
  }
  const described = describeForm(form);
  const variables = { filter, first: CONFIG.pageSize, after: more ? state.filter?.cursor ?? null : null };
  const { data, errors } = await request(FILTERED, variables);
  if (JSON.stringify(formFilter(form)) !== JSON.stringify(filter)) return; // changed meanwhile
  clearError();
  warn(errors);
  const page = data.articles;
  if (!more) {
    exitPathMode();
    cy.elements().remove();
    state.filter = { filter, described, related: new Map() };
    state.seed = null;
  }
  const { nodes, edges } = articleElements(page.edges, state.filter.related);
  const room = CONFIG.maxNodes - cy.nodes().length;
  const { skipped } = addElements(cy, nodes, edges, { room });
  layout(cy);
  refreshCounts();
  setView("filter");
  state.viewName = described;
  writeState({ ...formValues(form), node: null, story: null, sel: more ? readState().sel : null });
  Object.assign(state.filter, {
    cursor: page.pageInfo.endCursor,
    hasNext: page.pageInfo.hasNextPage,
    totalCount: page.totalCount,
  });
  ui.more.hidden = !(page.pageInfo.hasNextPage && cy.nodes().length < CONFIG.maxNodes);
  const shown = cy.nodes("[kind = 'article']").length;
  const total = page.totalCount;
  const articles = `article${total === 1 ? "" : "s"}`;
  setLastQuery(FILTERED, variables, `Articles with ${described}`);
  if (total === 0) {
    setStatus(`No article matches ${described}`);
    showMessage(ui.panel, "No articles", `No article matches ${described}. Clear a filter or widen the dates.`);
    return;
  }
  setStatus(
    `${shown} of ${total} matching ${articles} (${described})` +
      (skipped ? `; the canvas holds at most ${CONFIG.maxNodes} nodes` : ""),
  );
  let next;
  if (!ui.more.hidden) next = `“Load more” adds the next ${Math.min(CONFIG.pageSize, total - shown)}.`;
  else if (shown >= total) next = total === 1 ? "It is drawn." : `All ${total} are drawn.`;
  else next = `${shown} are drawn: the canvas holds at most ${CONFIG.maxNodes} nodes.`;
  showMessage(ui.panel, `${total} ${articles}`, `match ${described}. Click a node for details. ${next}`);
}

function resetCanvas() {
  state.cy.elements().remove();
  state.filter = null;
  state.seed = null;
  state.viewName = "";
  ui.more.hidden = true;
  refreshCounts();
  setView("empty");
  setStatus("");
  writeState({ node: null, story: null, sel: null });
  showMessage(ui.panel, "Nothing selected", "Choose a search result or a filter to draw part of the graph.");
}

async function loadFilterOptions() {
  const { data } = await request(FILTER_OPTIONS, {});
  for (const { node } of data.topics.edges) {
    ui.topic.append(el("option", { value: node.name, text: `${node.name} (${node.articleCount})` }));
  }
  for (const { node } of data.providers.edges) {
    ui.provider.append(el("option", { value: node.domain, text: `${node.name} (${node.articleCount})` }));
  }
  // Starting points on the empty canvas: the biggest topics.
  const starters = data.topics.edges.slice(0, 8).map(({ node }) =>
    el("button", {
      type: "button",
      class: "chip",
      text: node.name,
      title: `Draw the neighbourhood of the topic ${node.name}`,
      onclick: () => run(() => openNode(node.id)),
    }),
  );
  if (starters.length) append(ui.starters, ["Or start from a topic: ", starters]);
}

// ------------------------------------------------------------------- server exports

/** Find what the schema offers beyond the core API; offer the server's export formats. */
async function loadCapabilities() {
  const { data } = await request(CAPABILITIES, {});
  const fields = new Set((data.root?.fields ?? []).map((f) => f.name));
  const articleFields = new Set((data.article?.fields ?? []).map((f) => f.name));
  const formats = data.exportFormats?.enumValues ?? [];
  Object.assign(state.caps, {
    exportUrl: fields.has("exportUrl") && formats.length > 0,
    story: fields.has("story") && articleFields.has("story"),
    topicTrend: fields.has("topicTrend"),
    providerTrend: fields.has("providerTrend"),
  });
  if (!state.caps.exportUrl) return;
  for (const format of formats) {
    ui.serverExport.append(el("option", { value: format.name, text: format.description || format.name }));
  }
  ui.serverExport.hidden = false;
  refreshCounts();
}

/** Download the selection that drew the view (the filter, or the opened node's neighbourhood). */
async function exportFromServer(format) {
  const variables = { format };
  let what;
  if (state.filter) {
    variables.filter = state.filter.filter;
    what = `articles with ${state.filter.described}`;
  } else if (state.seed) {
    Object.assign(variables, { seed: state.seed, depth: 1 });
    what = `the neighbourhood of “${label(state.seed)}”`;
  } else {
    throw new ApiError("Draw a neighbourhood or apply a filter first.");
  }
  const { data } = await request(EXPORT_URL, variables);
  const url = data.exportUrl;
  if (typeof url !== "string" || !/^\/(?![/\\])/.test(url)) {
    throw new ApiError("The server gave an export URL outside this site; not followed.");
  }
  setStatus(`Downloading ${what}, whole, as ${format} from the server…`);
  // Fetched here rather than followed, so the file is named after the corpus and the view
  // (the server names every export graph.<extension>).
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new ApiError(`the export answered HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
  const extension = /\.(\w+)(?:\?|$)/.exec(url.split("?")[0])?.[1] ?? format.toLowerCase();
  download(await response.blob(), fileName(state.corpus, state.viewName, extension));
  setStatus(`Downloaded ${what}, whole, as ${format} from the server`);
}

// ------------------------------------------------------------------------------ wiring

function wireCanvas(cy) {
  let tapTimer = null; // a click waiting to be sure it is not half of a double-click
  let lastDoubleTap = 0;
  const cancelTap = () => {
    if (tapTimer === null) return;
    clearTimeout(tapTimer);
    tapTimer = null;
    setBusy(-1);
  };
  cy.on("tap", "node", (event) => {
    const node = event.target;
    if (state.mode === "path") {
      pick(node);
      return;
    }
    const tappedAt = Date.now();
    cancelTap();
    run(() => select(node.id()));
    if (node.hasClass("expanded")) return;
    // Expand after the double-click window, unless this tap was part of a double-click.
    setBusy(1);
    tapTimer = setTimeout(() => {
      tapTimer = null;
      setBusy(-1);
      if (lastDoubleTap >= tappedAt - 50) return;
      run(() => expand(node.id()));
    }, CONFIG.doubleTapMs);
  });
  cy.on("dbltap", "node", (event) => {
    if (state.mode === "path") return;
    lastDoubleTap = Date.now();
    cancelTap();
    focus(event.target);
  });
  cy.on("tap", "edge", (event) => {
    if (state.mode === "path") return;
    showEdge(ui.panel, event.target.data(), label);
  });
  cy.on("tap", (event) => {
    if (event.target !== cy) return;
    fadeExcept(cy, null);
    if (state.mode !== "path") cy.elements().removeClass("on-path");
  });
  cy.on("add remove", () => refreshCounts());
}

function wireControls() {
  ui.pathMode.addEventListener("click", () => {
    if (state.mode === "path") {
      exitPathMode();
      setStatus("Path mode off");
    } else enterPathMode();
  });
  ui.fit.addEventListener("click", () => {
    fadeExcept(state.cy, null);
    state.cy.fit(undefined, 30);
  });
  const name = (extension) => fileName(state.corpus, state.viewName, extension);
  ui.graphml.addEventListener("click", () => exportGraphML(state.cy, state.lastQuery?.description ?? "", name("graphml")));
  ui.png.addEventListener("click", () => exportPNG(state.cy, name("png")));
  for (const [button, side] of [[ui.toggleFilters, "sidebar"], [ui.togglePanel, "panel"]]) {
    button.setAttribute("aria-expanded", String(getComputedStyle($(side)).display !== "none"));
    button.addEventListener("click", () => {
      const open = getComputedStyle($(side)).display === "none";
      ui.body.dataset[side] = open ? "open" : "closed";
      button.setAttribute("aria-expanded", String(open));
      requestAnimationFrame(() => state.cy.resize());
    });
  }
  ui.serverExport.addEventListener("change", () => {
    const format = ui.serverExport.value;
    ui.serverExport.value = "";
    if (format) run(() => exportFromServer(format));
  });

  const onFilterChange = debounce(() => run(() => applyFilters()), 150);
  ui.filters.addEventListener("change", onFilterChange);
  ui.filters.addEventListener("submit", (event) => {
    event.preventDefault();
    onFilterChange.cancel();
    run(() => applyFilters());
  });
  ui.filters.addEventListener("reset", () => setTimeout(onFilterChange, 0));
  ui.more.addEventListener("click", () => run(() => applyFilters({ more: true })));
}

/** Draw the view the address describes (readState): search text, filters or node, selection. */
async function restore() {
  const saved = readState();
  if (saved.q) ui.search.value = saved.q;
  if (saved.topic || saved.provider || saved.from || saved.to) {
    setForm(form, saved);
    await applyFilters();
  } else if (saved.story && state.caps.story) await openStory(saved.story);
  else if (saved.node) await openNode(saved.node);
  if (saved.sel && readState().sel !== saved.sel) await select(saved.sel);
}

async function main() {
  let cytoscape;
  try {
    ({ default: cytoscape } = await import("./vendor/cytoscape.esm.min.mjs"));
  } catch {
    showError(
      "The graph library could not be loaded from /explorer/vendor/. " +
        "The server operator should run `npm ci --prefix web` and reload this page.",
    );
    return;
  }
  const cy = createGraph(cytoscape, ui.cy);
  state.cy = cy;
  window.explorer = { cy, state, config: CONFIG, requestCount, get busy() { return busy; } };
  wireCanvas(cy);
  wireControls();
  wireSearch(ui.search, ui.results, {
    first: CONFIG.searchFirst,
    delayMs: CONFIG.searchDelayMs,
    run,
    onChoose: (id) => run(() => openNode(id)),
  });
  wireLabels(cy);
  wireHoverCard(cy, ui.card);
  refreshCounts();
  await Promise.all([
    run(loadFilterOptions),
    run(loadCapabilities),
    corpusName().then((name) => (state.corpus = name)),
  ]);
  await run(restore);
  ui.body.dataset.ready = "true";
}

main();
