// The side panel: what the selected node, edge or path is. Text only ever goes in as text.

import { append, clear, day, el, httpUrl, outsideImage, outsideLink } from "./dom.js";

const KIND_NAMES = { Article: "Article", Provider: "Provider", Topic: "Topic" };

function row(label, value, dataset = undefined) {
  if (value === null || value === undefined || value === "") return null;
  return [el("dt", { text: label }), el("dd", { dataset }, value)];
}

function counts(pairs) {
  return el("dl", { class: "counts" }, pairs.map(([label, value, dataset]) => row(label, value, dataset)));
}

/** Refresh the shown node's "Neighbours on canvas" (`count(id)`), after the canvas changed. */
export function updateNeighbours(panel, count) {
  const cell = panel.querySelector("dd[data-neighbours-of]");
  if (cell) cell.textContent = String(count(cell.dataset.neighboursOf));
}

/** A button that shows a node on the canvas (adds it when missing). */
function nodeButton(id, text, show, className = "linkish") {
  return el("button", { type: "button", class: className, text, onclick: () => show(id) });
}

function articleList(title, connection, show) {
  const edges = connection?.edges ?? [];
  if (!edges.length) return null;
  return [
    el("h3", { text: title }),
    el(
      "ul",
      { class: "article-list" },
      edges.map(({ node }) =>
        el("li", {}, nodeButton(node.id, node.title, show), el("span", { class: "muted", text: ` ${day(node.publishedAt)}` })),
      ),
    ),
  ];
}

/** Image of an article: loaded only on request, and only over http(s). */
function imageBlock(images) {
  const image = (images ?? []).find((i) => httpUrl(i.url));
  if (!image) return null;
  const host = new URL(httpUrl(image.url)).host;
  const size = image.width && image.height ? ` (${image.width}×${image.height})` : "";
  const box = el("div", { class: "image-box" });
  const button = el("button", {
    type: "button",
    class: "secondary",
    text: `Show image from ${host}${size}`,
    title: "The image is loaded from the article's site only when you ask for it",
    onclick: () => {
      const img = outsideImage(image.url, "Article image");
      if (!img) return;
      // Offline, or refused by its site: a short note instead of a broken-image icon.
      img.addEventListener("error", () => {
        clear(box).append(el("p", { class: "muted small image-failed", text: `The image from ${host} could not be loaded (offline, or the site refused it).` }));
      });
      clear(box).append(img);
    },
  });
  box.append(button);
  return box;
}

/** Render a node (NodeDetail answer) into `panel`. */
export function showNode(panel, node, { show, onCanvas = 0, onStory = null, onFilter = null } = {}) {
  clear(panel);
  const kind = KIND_NAMES[node.__typename] ?? node.__typename;
  panel.dataset.kind = kind.toLowerCase();
  panel.append(el("p", { class: `kind kind-${kind.toLowerCase()}`, text: kind }));
  if (node.__typename === "Article") {
    panel.append(el("h2", { class: "title", text: node.title }));
    const meta = el("p", { class: "meta" });
    append(meta, [day(node.publishedAt) || "undated"]);
    if (node.provider) append(meta, [" · ", nodeButton(node.provider.id, node.provider.name, show)]);
    if (node.isStub) append(meta, [" · ", el("span", { class: "badge", text: "stub" })]);
    panel.append(meta);
    if (node.topics?.length) {
      panel.append(el("p", { class: "chips" }, node.topics.map((t) => nodeButton(t.id, t.name, show, "chip"))));
    }
    if (node.excerpt) panel.append(el("p", { class: "excerpt", text: node.excerpt }));
    append(panel, [imageBlock(node.images)]);
    if (node.story && onStory) panel.append(storyBlock(node.story, onStory));
    const link = outsideLink(node.url, "Open the original ↗");
    if (link) panel.append(el("p", { class: "original" }, link));
    else panel.append(el("p", { class: "muted", text: `Original: ${node.url} (not an http(s) link)` }));
    panel.append(
      counts([
        ["Degree", node.degree],
        ["Lists as related", node.relatedOut?.totalCount],
        ["Listed by", node.relatedIn?.totalCount],
        ["Quality", node.quality],
        ["Type", node.type],
      ]),
    );
  } else {
    panel.append(el("h2", { class: "title", text: node.name }));
    if (node.domain) panel.append(el("p", { class: "meta", text: node.domain }));
    panel.append(
      counts([
        ["Articles", node.articleCount],
        ["Degree", node.degree],
        ["Neighbours on canvas", onCanvas, { neighboursOf: node.id }],
      ]),
    );
    if (onFilter) {
      panel.append(
        el("p", {}, el("button", {
          type: "button",
          class: "secondary",
          text: `Filter to this ${kind.toLowerCase()}`,
          onclick: () => onFilter(node),
        })),
      );
    }
    append(panel, articleList("Latest articles", node.articles, show));
  }
}

function storyBlock(story, onStory) {
  const span = `${day(story.firstPublishedAt) || "…"} to ${day(story.lastPublishedAt) || "…"}`;
  return el(
    "div",
    { class: "story" },
    el("h3", { text: "Story" }),
    el("p", { class: "meta", text: `${story.size} articles tied by related links, ${span}` }),
    el("button", { type: "button", class: "secondary", text: "Draw the story", onclick: () => onStory(story) }),
  );
}

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/**
 * Append a bar chart of articles per bucket (a Trend answer) to the panel; clicking a bar
 * calls `onPick(point)`.
 */
export function showTrend(panel, trend, onPick) {
  const points = trend.points ?? [];
  if (!points.length) return;
  const width = 300;
  const height = 64;
  const max = Math.max(1, ...points.map((p) => p.count));
  const step = width / points.length;
  const chart = svg("svg", {
    class: "trend",
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": `Articles per ${String(trend.bucket).toLowerCase()}`,
  });
  points.forEach((point, i) => {
    const h = point.count ? Math.max(2, (point.count / max) * (height - 4)) : 0;
    const bar = svg("rect", {
      x: (i * step + 0.5).toFixed(2),
      y: (height - h).toFixed(2),
      width: Math.max(1, step - 1).toFixed(2),
      height: h.toFixed(2),
      class: point.count ? "bar" : "bar empty",
      "data-start": point.start,
      "data-count": point.count,
    });
    const title = svg("title");
    title.textContent = `${day(point.start).slice(0, 7)}: ${point.count} article${point.count === 1 ? "" : "s"}`;
    bar.append(title);
    if (point.count) bar.addEventListener("click", () => onPick(point));
    chart.append(bar);
  });
  const first = day(points[0].start).slice(0, 7);
  const last = day(points[points.length - 1].start).slice(0, 7);
  panel.append(
    el("h3", { text: `Articles per ${String(trend.bucket).toLowerCase()}` }),
    chart,
    el("p", { class: "muted small trend-axis" }, el("span", { text: first }), el("span", { text: last })),
    el("p", { class: "muted small", text: `${trend.total} dated${trend.undated ? `, ${trend.undated} undated` : ""}. Click a bar to filter to that month.` }),
  );
}

/** Render an edge (its data on the canvas) into `panel`. */
export function showEdge(panel, data, labels) {
  clear(panel);
  panel.dataset.kind = "edge";
  panel.append(el("p", { class: "kind", text: `Edge · ${data.kind.replace("_", " ")}` }));
  panel.append(el("p", { text: data.explanation || `${labels(data.source)} → ${labels(data.target)}` }));
  panel.append(el("p", { class: "muted" }, `${labels(data.source)} → ${labels(data.target)}`));
}

/** Render a found path (ShortestPath answer) into `panel`. */
export function showPath(panel, path, { show }) {
  clear(panel);
  panel.dataset.kind = "path";
  panel.append(el("p", { class: "kind kind-path", text: "Shortest path" }));
  panel.append(el("h2", { text: `${path.length} hop${path.length === 1 ? "" : "s"}` }));
  const label = (n) => (n.__typename === "Article" ? n.title : n.name);
  panel.append(
    el(
      "ol",
      { class: "path-list" },
      path.nodes.map((n, i) =>
        el(
          "li",
          {},
          nodeButton(n.id, label(n), show),
          el("span", { class: "muted", text: ` ${n.__typename.toLowerCase()}` }),
          path.edges[i] ? el("p", { class: "hop", text: path.edges[i].explanation }) : null,
        ),
      ),
    ),
  );
}

/** A short message in the panel (hint, "no path", errors are shown in the status bar). */
export function showMessage(panel, title, text) {
  clear(panel);
  panel.dataset.kind = "message";
  panel.append(el("h2", { text: title }), el("p", { class: "muted", text }));
}
