// The canvas: Cytoscape.js set-up, styles by kind and degree, elements from API answers, layout.

import { LABEL_STYLE, markHubs } from "./labels.js";

/** Colours and shapes by kind; the legend in index.html uses the same ones. */
export const KINDS = {
  article: { color: "#4c78a8", shape: "ellipse" },
  provider: { color: "#f58518", shape: "round-rectangle" },
  topic: { color: "#54a24b", shape: "hexagon" },
};

/** Node diameter for a degree: grows with the square root, capped. */
export function nodeSize(degree) {
  const d = Math.max(0, Number(degree) || 0);
  return Math.round(Math.min(84, 18 + 7 * Math.sqrt(d)));
}

/** A Cytoscape node element from an API node (GraphNode fragment). */
export function nodeElement(node) {
  const kind = String(node.__typename || "").toLowerCase();
  const label = kind === "article" ? node.title : node.name;
  // Topics have no degree field: their article count stands in for it.
  const degree = node.degree ?? node.articleCount ?? 0;
  const data = { id: node.id, kind, label: label ?? node.id, degree };
  for (const key of ["url", "publishedAt", "domain", "articleCount"]) {
    if (node[key] !== undefined && node[key] !== null) data[key] = node[key];
  }
  if (kind === "article") data.isStub = Boolean(node.isStub);
  if (node.provider?.name) data.providerName = node.provider.name;
  return { group: "nodes", data, classes: kind === "article" && node.isStub ? "stub" : "" };
}

/** A Cytoscape edge element from an API GraphEdge. */
export function edgeElement(edge) {
  const kind = String(edge.kind).toLowerCase();
  const data = { id: `${edge.kind}|${edge.source}|${edge.target}`, kind, source: edge.source, target: edge.target };
  if (edge.rank !== undefined && edge.rank !== null) data.rank = edge.rank;
  if (edge.explanation) data.explanation = edge.explanation;
  return { group: "edges", data };
}

/** Diameter of a hub (see labels.js): no bigger than a small provider, whatever its degree. */
export const HUB_SIZE = 30;

const STYLE = [
  ...LABEL_STYLE,
  {
    selector: "node",
    style: {
      "background-color": (n) => KINDS[n.data("kind")]?.color ?? "#888",
      shape: (n) => KINDS[n.data("kind")]?.shape ?? "ellipse",
      width: (n) => nodeSize(n.data("degree")),
      height: (n) => nodeSize(n.data("degree")),
      "border-width": 1,
      "border-color": "#ffffff",
    },
  },
  { selector: "node[kind != 'article']", style: { "font-weight": "bold" } },
  { selector: "node.hub", style: { width: HUB_SIZE, height: HUB_SIZE, "background-opacity": 0.55 } },
  {
    selector: "node.stub",
    style: { "background-opacity": 0.45, "border-style": "dashed", "border-color": "#4c78a8", "border-width": 2 },
  },
  { selector: "node.expanded", style: { "border-width": 3, "border-color": "#1f2933" } },
  { selector: "node.center", style: { "border-width": 4, "border-color": "#b279a2" } },
  {
    selector: "node:selected",
    style: { "underlay-color": "#b279a2", "underlay-opacity": 0.35, "underlay-padding": 7, "underlay-shape": "ellipse" },
  },
  {
    selector: "edge",
    style: {
      width: 1.5,
      "line-color": "#b8c2cc",
      "curve-style": "bezier",
      "target-arrow-shape": "triangle",
      "target-arrow-color": "#b8c2cc",
      "arrow-scale": 0.8,
    },
  },
  { selector: "edge[kind = 'related']", style: { width: 2, "line-color": "#7b8794", "target-arrow-color": "#7b8794" } },
  { selector: "edge[kind = 'published_by']", style: { "line-color": "#f7b267", "target-arrow-color": "#f7b267" } },
  { selector: "edge[kind = 'tagged']", style: { "line-style": "dashed", "line-color": "#9ccf91", "target-arrow-color": "#9ccf91" } },
  { selector: "edge.hub-edge", style: { opacity: 0.12, width: 1, "target-arrow-shape": "none" } },
  { selector: "edge:selected", style: { width: 4, "line-color": "#b279a2", "target-arrow-color": "#b279a2" } },
  { selector: ".faded", style: { opacity: 0.15, "text-opacity": 0 } },
  { selector: "node.picked", style: { "border-width": 5, "border-color": "#e45756" } },
  { selector: "node.on-path", style: { "border-width": 5, "border-color": "#e45756", "z-index": 10 } },
  {
    selector: "edge.on-path",
    style: { width: 5, "line-color": "#e45756", "target-arrow-color": "#e45756", "z-index": 10 },
  },
];

/** Create the Cytoscape instance in `container`. */
export function createGraph(cytoscape, container) {
  return cytoscape({
    container,
    style: STYLE,
    minZoom: 0.05,
    maxZoom: 4,
    boxSelectionEnabled: false,
    selectionType: "single",
    textureOnViewport: true,
    hideEdgesOnViewport: true,
  });
}

/**
 * Add API nodes and edges not already drawn, at most `room` new nodes. New nodes start near
 * `anchor` (an existing node) so an incremental layout keeps the picture stable.
 * Returns `{added, skipped}`: new node ids, and how many nodes the cap left out.
 */
export function addElements(cy, nodes, edges, { room = Infinity, anchor = null } = {}) {
  const added = [];
  let skipped = 0;
  const origin = anchor && anchor.nonempty() ? anchor.position() : null;
  cy.batch(() => {
    for (const node of nodes) {
      if (cy.getElementById(node.id).nonempty()) continue;
      if (added.length >= room) {
        skipped += 1;
        continue;
      }
      const element = nodeElement(node);
      if (origin) {
        const angle = (2 * Math.PI * added.length) / Math.max(1, Math.min(nodes.length, 24));
        const radius = 60 + 12 * Math.floor(added.length / 24);
        element.position = { x: origin.x + radius * Math.cos(angle), y: origin.y + radius * Math.sin(angle) };
      }
      cy.add(element);
      added.push(node.id);
    }
    for (const edge of edges) {
      const element = edgeElement(edge);
      if (cy.getElementById(element.data.id).nonempty()) continue;
      if (cy.getElementById(edge.source).empty() || cy.getElementById(edge.target).empty()) continue;
      cy.add(element);
    }
  });
  return { added, skipped };
}

/**
 * Lay the graph out: force-directed (cose) while small, concentric by degree beyond. Hubs
 * (labels.js) other than the opened node stay out of the forces, which would pull every article
 * onto them, and go in a row above the picture afterwards. The picture is then stretched
 * to the canvas's shape, so a wide canvas is used across its width.
 */
export function layout(cy, { incremental = false } = {}) {
  const n = cy.nodes().length;
  if (n === 0) return;
  const hubs = markHubs(cy).not(".center");
  const laid = cy.elements().difference(hubs).difference(hubs.connectedEdges());
  let options;
  if (n <= 220) {
    options = {
      name: "cose",
      animate: false,
      randomize: !incremental,
      fit: true,
      padding: 40,
      nodeDimensionsIncludeLabels: false,
      nodeRepulsion: () => 400000,
      idealEdgeLength: () => 90,
      edgeElasticity: () => 100,
      // Overlapping nodes repel in proportion to the overlap, times this (nodes apart: with
      // nodeRepulsion / gap²). At 20 a pair that ended up overlapping (a hub pulled onto
      // another, new nodes dropped round their anchor) could stay stacked, up to a third of a
      // node hidden at 87-199 nodes (tests/web/test_explorer_scale.py).
      nodeOverlap: 400,
      gravity: 60,
      numIter: n > 100 ? 500 : 1000,
      componentSpacing: 80,
    };
  } else {
    // Rings by order of magnitude of degree: hubs in the middle, a few full rings around.
    options = {
      name: "concentric",
      animate: false,
      fit: true,
      padding: 30,
      concentric: (node) => (node.hasClass("center") ? 100 : Math.floor(Math.log2(1 + node.data("degree")))),
      levelWidth: () => 1,
      minNodeSpacing: 6,
      avoidOverlap: true,
    };
  }
  laid.layout(options).run();
  placeHubs(cy, hubs, laid.nodes());
  fillCanvas(cy);
  // cose is randomised and its overlap force is only a force: now and then (1 CI run in ~15)
  // a pair still ends up stacked, and hubs were put down without looking. A deterministic
  // pass moves them apart.
  separate(cy);
  cy.fit(undefined, options.padding);
  // A handful of nodes would otherwise be blown up to fill the canvas.
  if (cy.zoom() > 1.4) {
    cy.zoom(1.4);
    cy.center();
  }
}

/** Hubs in a row above the rest of the picture, biggest first, their faint edges fanning out. */
function placeHubs(cy, hubs, rest) {
  if (hubs.empty()) return;
  const box = rest.nonempty() ? rest.boundingBox({ includeLabels: false }) : { x1: 0, w: 0, y1: 0 };
  const row = hubs.toArray().sort((a, b) => b.degree(false) - a.degree(false));
  const step = Math.max(box.w / row.length, 160);
  const start = box.x1 + box.w / 2 - (step * (row.length - 1)) / 2;
  cy.batch(() => row.forEach((hub, i) => hub.position({ x: start + i * step, y: box.y1 - 80 })));
}

/**
 * Stretch the node positions along the picture's short side (at most `most` times) until its
 * shape is the canvas's: distances only grow, so nothing comes to overlap.
 */
export function fillCanvas(cy, { most = 4 } = {}) {
  const nodes = cy.nodes();
  if (nodes.length < 3 || !cy.width() || !cy.height()) return false;
  const box = nodes.boundingBox({ includeLabels: false, includeOverlays: false });
  if (!box.w || !box.h) return false;
  const want = cy.width() / cy.height();
  const have = box.w / box.h;
  const sx = have < want ? Math.min(most, want / have) : 1;
  const sy = have > want ? Math.min(most, have / want) : 1;
  if (sx < 1.05 && sy < 1.05) return false;
  const cx = (box.x1 + box.x2) / 2;
  const cyy = (box.y1 + box.y2) / 2;
  nodes.positions((node) => {
    const p = node.position();
    return { x: cx + (p.x - cx) * sx, y: cyy + (p.y - cyy) * sy };
  });
  return true;
}

const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));

/**
 * Move apart node bodies (labels aside) whose boxes, `gap` apart, still cross: each such pair
 * moves apart along the line between their centres, each node half the way the boxes need to
 * part, for up to `rounds` sweeps. Returns whether anything moved.
 */
export function separate(cy, { gap = 6, rounds = 400 } = {}) {
  const nodes = cy.nodes().toArray();
  const pos = nodes.map((n) => ({ ...n.position() }));
  const half = nodes.map((n) => (Math.max(n.outerWidth(), n.outerHeight()) + gap) / 2);
  let movedAny = false;
  for (let round = 0; round < rounds; round++) {
    let moved = false;
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++) {
        let dx = pos[j].x - pos[i].x;
        let dy = pos[j].y - pos[i].y;
        if (dx === 0 && dy === 0) {
          // On one spot: part them towards j's own angle (golden-angle steps), not all along x.
          dx = Math.cos(j * GOLDEN_ANGLE);
          dy = Math.sin(j * GOLDEN_ANGLE);
        }
        const reach = half[i] + half[j];
        const crossX = reach - Math.abs(dx);
        const crossY = reach - Math.abs(dy);
        if (crossX <= 0 || crossY <= 0) continue;
        moved = true;
        // Along the line between the centres, as far as it takes for the boxes to part (and
        // half a pixel more, so the pair is not left exactly touching for the next sweep).
        const length = Math.hypot(dx, dy);
        const ux = dx / length;
        const uy = dy / length;
        const push = Math.min(ux ? crossX / Math.abs(ux) : Infinity, uy ? crossY / Math.abs(uy) : Infinity) / 2 + 0.5;
        pos[i].x -= ux * push;
        pos[i].y -= uy * push;
        pos[j].x += ux * push;
        pos[j].y += uy * push;
      }
    }
    if (!moved) break;
    movedAny = true;
  }
  if (movedAny) cy.batch(() => nodes.forEach((n, k) => n.position(pos[k])));
  return movedAny;
}

/** Fade everything but `keep` (a collection); `null` clears the fading. */
export function fadeExcept(cy, keep) {
  cy.batch(() => {
    cy.elements().removeClass("faded");
    if (keep) cy.elements().difference(keep).addClass("faded");
  });
}
