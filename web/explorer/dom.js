// Safe DOM helpers: text always goes in as textContent, never as HTML.

/**
 * Build an element. `props`: `class`, `text` (textContent), `dataset`, `on<event>` handlers,
 * other keys become attributes. Children are nodes or strings (inserted as text nodes).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "href" || key === "src") {
      throw new Error(`el(): set ${key} with outsideLink()/outsideImage(), which check the scheme`);
    } else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

/** Append children (nodes, strings as text, nested arrays; null/false skipped). */
export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Remove every child of `node`. */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** The URL, normalised, when it is absolute http or https; otherwise null. */
export function httpUrl(value) {
  if (typeof value !== "string" || value === "") return null;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** An <a> to an outside http(s) URL (new tab, no opener, no referrer), or null for others. */
export function outsideLink(url, text) {
  const href = httpUrl(url);
  if (!href) return null;
  const a = el("a", { target: "_blank", rel: "noopener noreferrer", text });
  a.href = href;
  return a;
}

/** An <img> for an outside http(s) URL (no referrer), or null for other schemes. */
export function outsideImage(url, alt) {
  const src = httpUrl(url);
  if (!src) return null;
  const img = el("img", { alt, referrerpolicy: "no-referrer", loading: "lazy", decoding: "async" });
  img.src = src;
  return img;
}

/** `2021-06-15` from an ISO time (the UTC date), or "" when missing. */
export function day(iso) {
  return typeof iso === "string" && iso.length >= 10 ? iso.slice(0, 10) : "";
}

/** Shorten to `max` characters with an ellipsis. */
export function shorten(text, max) {
  const s = String(text ?? "");
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Call `fn` once `ms` after the last call. */
export function debounce(fn, ms) {
  let timer = null;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}

const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#x27;": "'", "&#39;": "'" };

/**
 * A search snippet (HTML-escaped text with matches in <mark>…</mark>) as DOM nodes, built
 * without parsing HTML: the text between the tags is unescaped and inserted as text.
 */
export function snippetNodes(snippet) {
  const nodes = [];
  const parts = String(snippet ?? "").split(/(<mark>|<\/mark>)/);
  let marked = false;
  for (const part of parts) {
    if (part === "<mark>") marked = true;
    else if (part === "</mark>") marked = false;
    else if (part) {
      const text = part.replace(/&(?:amp|lt|gt|quot|#x27|#39);/g, (m) => ENTITIES[m]);
      nodes.push(marked ? el("mark", { text }) : document.createTextNode(text));
    }
  }
  return nodes;
}
