// The search box: results as you type (a combobox list), arrow keys, Enter or a click opens one.

import { SEARCH, request } from "./api.js";
import { clear, day, debounce, el, snippetNodes } from "./dom.js";
import { writeState } from "./urlstate.js";

function resultItem(hit, index, choose) {
  const node = hit.node;
  const kind = node.__typename.toLowerCase();
  const title = kind === "article" ? node.title : node.name;
  const meta = [];
  if (kind === "article") {
    if (node.provider) meta.push(node.provider.name);
    meta.push(day(node.publishedAt) || "undated");
    if (node.isStub) meta.push("stub");
  } else {
    meta.push(kind, `${node.articleCount} article${node.articleCount === 1 ? "" : "s"}`);
    if (node.domain) meta.push(node.domain);
  }
  const body = el(
    "div",
    { class: "result-body" },
    el("div", { class: "result-title", text: title }),
    el("div", { class: "result-meta", text: meta.join(" · ") }),
  );
  if (node.topics?.length) {
    body.append(el("div", { class: "result-topics chips" }, node.topics.map((t) => el("span", { text: t.name }))));
  }
  // The snippet helps when the match is in the excerpt, not the title.
  const snippet = snippetNodes(hit.snippet);
  if (snippet.map((n) => n.textContent).join("") !== title) {
    body.append(el("div", { class: "result-snippet" }, snippet));
  }
  return el(
    "li",
    {
      role: "option",
      id: `result-${index}`,
      "aria-selected": "false",
      dataset: { id: node.id, kind },
      onmousedown: (event) => event.preventDefault(), // keep focus in the box
      onclick: () => choose(index),
    },
    el("span", { class: `dot ${kind}`, "aria-hidden": "true" }),
    body,
  );
}

/**
 * Wire the search `input` and its result `list`: `first` results per search, sent `delayMs`
 * after the last key, each through `run` (busy, errors); `onChoose(id)` opens a result. The
 * text goes in the address (urlstate.js) as `q`.
 */
export function wireSearch(input, list, { first, delayMs, run, onChoose }) {
  let results = [];
  let active = -1;
  let seq = 0;

  const hide = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    active = -1;
  };
  const choose = (index) => {
    const hit = results[index];
    if (!hit) return;
    hide();
    onChoose(hit.node.id);
  };
  const render = (hits, text) => {
    results = hits;
    active = -1;
    clear(list);
    list.dataset.query = text; // which search the list shows (typing runs several)
    if (!hits.length) {
      list.append(el("li", { class: "empty", role: "option", "aria-disabled": "true", text: `Nothing found for “${text}”` }));
    } else {
      hits.forEach((hit, i) => list.append(resultItem(hit, i, choose)));
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  };
  const search = debounce((text) => {
    writeState({ q: text });
    const mine = ++seq;
    run(async () => {
      const { data } = await request(SEARCH, { query: text, first });
      if (mine !== seq || input.value.trim() !== text) return; // a newer search won
      render(data.search, text);
    });
  }, delayMs);
  const move = (step) => {
    const items = [...list.querySelectorAll("li[data-id]")];
    if (!items.length) return;
    active = (active + step + items.length) % items.length;
    items.forEach((item, i) => item.setAttribute("aria-selected", String(i === active)));
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  };

  input.addEventListener("input", () => {
    const text = input.value.trim();
    if (!text) {
      search.cancel();
      writeState({ q: null });
      seq += 1;
      hide();
      return;
    }
    search(text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") move(1);
    else if (event.key === "ArrowUp") move(-1);
    else if (event.key === "Enter") choose(active >= 0 ? active : 0);
    else if (event.key === "Escape") hide();
    else return;
    event.preventDefault();
  });
  input.addEventListener("focus", () => {
    if (results.length && input.value.trim()) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  });
  input.addEventListener("blur", () => setTimeout(hide, 150));
}
