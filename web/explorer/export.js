// Export the drawn view: GraphML built in the browser from the elements, and PNG via cy.png().

const GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns";

// Attributes written for nodes and edges: [data key, GraphML name, GraphML type].
const NODE_KEYS = [
  ["kind", "kind", "string"],
  ["label", "label", "string"],
  ["url", "url", "string"],
  ["publishedAt", "publishedAt", "string"],
  ["domain", "domain", "string"],
  ["degree", "degree", "int"],
  ["articleCount", "articleCount", "int"],
  ["isStub", "isStub", "boolean"],
];
const EDGE_KEYS = [
  ["kind", "kind", "string"],
  ["rank", "rank", "int"],
  ["explanation", "explanation", "string"],
];

// Characters XML 1.0 cannot hold at all (escaping cannot help): dropped.
const NOT_XML = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function xmlText(value) {
  return String(value).replace(NOT_XML, "");
}

/**
 * The drawn elements as a GraphML document (a string). Built with the DOM's XML serialiser, so
 * every title is escaped by construction. Edges keep the API's stored direction.
 */
export function toGraphML(cy, { description = "" } = {}) {
  const doc = document.implementation.createDocument(GRAPHML_NS, "graphml", null);
  const root = doc.documentElement;
  const add = (parent, name, attrs = {}, text = null) => {
    const node = doc.createElementNS(GRAPHML_NS, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, xmlText(v));
    if (text !== null) node.textContent = xmlText(text);
    parent.appendChild(node);
    return node;
  };
  for (const [, name, type] of NODE_KEYS) {
    add(root, "key", { id: `n_${name}`, for: "node", "attr.name": name, "attr.type": type });
  }
  for (const [, name, type] of EDGE_KEYS) {
    add(root, "key", { id: `e_${name}`, for: "edge", "attr.name": name, "attr.type": type });
  }
  add(root, "key", { id: "g_description", for: "graph", "attr.name": "description", "attr.type": "string" });
  const graph = add(root, "graph", { id: "G", edgedefault: "directed" });
  if (description) add(graph, "data", { key: "g_description" }, description);
  const writeData = (parent, data, keys, prefix) => {
    for (const [field, name, type] of keys) {
      const value = data[field];
      if (value === undefined || value === null || value === "") continue;
      const text = type === "boolean" ? String(Boolean(value)) : String(value);
      add(parent, "data", { key: `${prefix}_${name}` }, text);
    }
  };
  cy.nodes().forEach((n) => {
    writeData(add(graph, "node", { id: n.id() }), n.data(), NODE_KEYS, "n");
  });
  cy.edges().forEach((e) => {
    const edge = add(graph, "edge", { id: e.id(), source: e.source().id(), target: e.target().id() });
    writeData(edge, e.data(), EDGE_KEYS, "e");
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(doc)}\n`;
}

/** Offer `blob` as a download called `filename`. */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.rel = "noopener";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A file-name piece: lower case, letters and digits joined by "-", at most `max` long. */
export function slug(text, max = 60) {
  const s = String(text ?? "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return s.slice(0, max).replace(/-+$/, "");
}

/** `news-topic-ai.graphml`: the corpus, then what drew the view (or "view"), then the extension. */
export function fileName(corpus, view, extension) {
  const parts = [slug(corpus, 40) || "graph", slug(view) || "view"];
  return `${parts.join("-")}.${extension}`;
}

export function exportGraphML(cy, description, filename) {
  const text = toGraphML(cy, { description });
  download(new Blob([text], { type: "application/graphml+xml" }), filename);
}

export function exportPNG(cy, filename) {
  const blob = cy.png({ output: "blob", bg: "#ffffff", full: true, scale: 2, maxWidth: 4096, maxHeight: 4096 });
  download(blob, filename);
}
