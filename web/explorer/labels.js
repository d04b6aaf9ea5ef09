// Reading a crowded canvas: which labels to show, which nodes are hubs, the hover card.

import { day } from "./dom.js";

export const LABELS = Object.freeze({
  fontPx: 12, // a label's size on screen, whatever the zoom
  maxWidthPx: 150, // longer labels end in an ellipsis
  gapPx: 3, // between two labels' boxes
  maxLabels: 80, // never more on the canvas at once
  leading: 3, // the most important labels, which may cover the middle of another node
});

// A provider or topic linked to at least this share of the drawn articles (when there are at
// least `HUB_MIN_ARTICLES`) is a hub: drawn small and faint, left out of the layout's forces.
const HUB_SHARE = 0.5;
const HUB_MIN_ARTICLES = 20;

/** Mark hubs (class `hub`, and `hub-edge` on their edges); returns the hubs. */
export function markHubs(cy) {
  const articles = cy.nodes("[kind = 'article']").length;
  let hubs = cy.collection();
  if (articles >= HUB_MIN_ARTICLES) {
    hubs = cy.nodes("[kind != 'article']").filter(
      (n) => n.neighborhood("node[kind = 'article']").length >= HUB_SHARE * articles,
    );
  }
  cy.batch(() => {
    cy.elements(".hub, .hub-edge").removeClass("hub hub-edge");
    hubs.addClass("hub");
    hubs.connectedEdges().addClass("hub-edge");
  });
  return hubs;
}

/** Label style rules (graph.js adds them to its stylesheet): only `.labelled` nodes show one. */
export const LABEL_STYLE = [
  {
    selector: "node",
    style: {
      label: "",
      "font-family": "system-ui, sans-serif",
      color: "#1f2933",
      "text-valign": "bottom",
      "text-wrap": "ellipsis",
      "text-background-color": "#ffffff",
      "text-background-opacity": 0.8,
      "text-background-shape": "roundrectangle",
      // Sizes in model units that come out at a fixed size on screen (updated on zoom).
      "font-size": (n) => LABELS.fontPx / n.cy().zoom(),
      "text-max-width": (n) => LABELS.maxWidthPx / n.cy().zoom(),
      "text-margin-y": (n) => 2 / n.cy().zoom(),
      "text-background-padding": (n) => 1 / n.cy().zoom(),
    },
  },
  // Drawn above unlabelled nodes, so no node hides a label (paths and the selection go higher).
  { selector: "node.labelled", style: { label: "data(label)", "z-index": 5 } },
];

/** How much a node's label matters: the centre, the selection, then degree on the canvas. */
function importance(node) {
  let score = node.degree(false);
  if (node.hasClass("center") || node.hasClass("on-path")) score += 1000;
  if (node.selected()) score += 2000;
  if (node.data("kind") !== "article") score += 0.5; // ties: the shorter names first
  return score;
}

let measurer = null;

/** The width of a label's text on screen, measured in the label's font. */
function textWidth(text, bold) {
  measurer ??= document.createElement("canvas").getContext("2d");
  measurer.font = `${bold ? "bold " : ""}${LABELS.fontPx}px system-ui, sans-serif`;
  return measurer.measureText(text).width;
}

/** Where a node's label would go on screen: a box under the node. */
function labelBox(node) {
  const p = node.renderedPosition();
  const below = (node.outerHeight() * node.cy().zoom()) / 2 + 2;
  const text = String(node.data("label") ?? "");
  const bold = node.data("kind") !== "article";
  const width = Math.min(LABELS.maxWidthPx, textWidth(text, bold) + 4) + 2 * LABELS.gapPx;
  const height = LABELS.fontPx * 1.35 + 2 * LABELS.gapPx;
  return { x1: p.x - width / 2, x2: p.x + width / 2, y1: p.y + below, y2: p.y + below + height };
}

const crosses = (a, b) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

/**
 * Label the most important nodes in view whose labels fit on the canvas without covering one
 * another or another node: the further in the zoom, the more fit. Returns how many are labelled.
 */
export function placeLabels(cy) {
  const width = cy.width();
  const height = cy.height();
  const inView = cy
    .nodes()
    .filter((n) => {
      if (n.hasClass("faded")) return false;
      const p = n.renderedPosition();
      return p.x >= 0 && p.x <= width && p.y >= 0 && p.y <= height;
    })
    .toArray()
    .sort((a, b) => importance(b) - importance(a));
  // A label stays on the canvas, off other labels and off the middle of other nodes (the
  // inner 40% of their width: grazing a node's rim is allowed, else hubs' labels rarely fit).
  const zoom = cy.zoom();
  const bodies = inView.map((n) => {
    const p = n.renderedPosition();
    const r = (n.outerWidth() * zoom) / 5;
    return { node: n, x1: p.x - r, x2: p.x + r, y1: p.y - r, y2: p.y + r };
  });
  const taken = [];
  const chosen = [];
  for (const node of inView) {
    if (chosen.length >= LABELS.maxLabels) break;
    const box = labelBox(node);
    if (box.x1 < 0 || box.x2 > width || box.y2 > height) continue;
    if (taken.some((t) => crosses(t, box))) continue;
    // The few most important labels may cross a node's middle: they matter more than it.
    const leading = chosen.length < LABELS.leading;
    if (!leading && bodies.some((b) => b.node !== node && crosses(b, box))) continue;
    taken.push(box);
    chosen.push(node);
  }
  cy.batch(() => {
    cy.nodes(".labelled").removeClass("labelled");
    for (const node of chosen) node.addClass("labelled");
    cy.nodes().updateStyle(); // font sizes follow the zoom
  });
  cy.container().dataset.labelled = String(chosen.length);
  return chosen.length;
}

/**
 * Re-place labels once the view settles (layout, zoom, pan, nodes added or removed): 80 ms
 * after the last change. The container's `data-labels-pending` is "1" until then.
 */
export function wireLabels(cy) {
  let timer = null;
  const box = cy.container();
  const later = () => {
    clearTimeout(timer);
    box.dataset.labelsPending = "1";
    timer = setTimeout(() => {
      placeLabels(cy);
      box.dataset.labelsPending = "0";
    }, 80);
  };
  cy.on("layoutstop viewport add remove select unselect", later);
  return later;
}

// ---------------------------------------------------------------------------- hover card

/** The hover card's lines for a node: kind, name, and provider · date or article count. */
export function cardLines(data) {
  const kind = data.kind.charAt(0).toUpperCase() + data.kind.slice(1);
  if (data.kind === "article") {
    const meta = [data.providerName, day(data.publishedAt) || "undated"].filter(Boolean).join(" · ");
    return { kind: data.isStub ? `${kind} (stub)` : kind, title: data.label, meta };
  }
  const count = data.articleCount;
  const meta = [data.domain, count !== undefined ? `${count} article${count === 1 ? "" : "s"}` : null];
  return { kind, title: data.label, meta: meta.filter(Boolean).join(" · ") };
}

/** Show `card` (an element over the canvas) next to the node under the mouse. */
export function wireHoverCard(cy, card) {
  const [kindLine, titleLine, metaLine] = ["p", "p", "p"].map((tag, i) => {
    const line = document.createElement(tag);
    line.className = ["card-kind", "card-title", "card-meta"][i];
    card.append(line);
    return line;
  });
  const hide = () => {
    card.hidden = true;
    delete card.dataset.id;
  };
  cy.on("mouseover", "node", (event) => {
    const node = event.target;
    const lines = cardLines(node.data());
    kindLine.textContent = lines.kind;
    kindLine.dataset.kind = node.data("kind");
    titleLine.textContent = lines.title;
    metaLine.textContent = lines.meta;
    card.dataset.id = node.id();
    card.hidden = false;
    const p = node.renderedPosition();
    const r = (node.outerWidth() * cy.zoom()) / 2;
    const room = cy.width() - card.offsetWidth - 8;
    let x = p.x + r + 10;
    if (x > room) x = Math.max(8, p.x - r - 10 - card.offsetWidth);
    const y = Math.min(Math.max(8, p.y - card.offsetHeight / 2), cy.height() - card.offsetHeight - 8);
    card.style.left = `${Math.round(x)}px`;
    card.style.top = `${Math.round(y)}px`;
  });
  cy.on("mouseout", "node", hide);
  cy.on("viewport remove tapstart", hide);
  cy.container().addEventListener("mouseleave", hide);
}
