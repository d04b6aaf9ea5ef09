// The canvas: Cytoscape.js set-up, styles by kind and degree, elements from API answers, layout.

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

const STYLE = [
  {
    selector: "node",
    style: {
      "background-color": (n) => KINDS[n.data("kind")]?.color ?? "#888",
      shape: (n) => KINDS[n.data("kind")]?.shape ?? "ellipse",
      width: (n) => nodeSize(n.data("degree")),
      height: (n) => nodeSize(n.data("degree")),
      label: "data(label)",
      "font-size": 11,
      "font-family": "system-ui, sans-serif",
      color: "#1f2933",
      "text-valign": "bottom",
      "text-margin-y": 4,
      "text-wrap": "ellipsis",
      "text-max-width": 150,
      "text-background-color": "#ffffff",
      "text-background-opacity": 0.75,
      "text-background-padding": 1,
      "min-zoomed-font-size": 7,
      "border-width": 1,
      "border-color": "#ffffff",
    },
  },
  { selector: "node[kind = 'article']", style: { "font-size": 9, "text-max-width": 130 } },
  { selector: "node[kind != 'article']", style: { "font-weight": "bold" } },
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

/** Lay the graph out: force-directed (cose) while small, concentric by degree beyond. */
export function layout(cy, { incremental = false } = {}) {
  const n = cy.nodes().length;
  if (n === 0) return;
  let options;
  if (n <= 220) {
    options = {
      name: "cose",
      animate: false,
      randomize: !incremental,
      fit: true,
      padding: 40,
      nodeDimensionsIncludeLabels: true,
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
  cy.layout(options).run();
  // cose is randomised and its overlap force is only a force: now and then (1 CI run in ~15)
  // a pair still ends up stacked. A deterministic pass moves them apart; rings need none.
  if (options.name === "cose" && separate(cy)) cy.fit(undefined, options.padding);
  // A handful of nodes would otherwise be blown up to fill the canvas.
  if (cy.zoom() > 1.4) {
    cy.zoom(1.4);
    cy.center();
  }
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
