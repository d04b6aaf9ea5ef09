// The filter form: what it asks for as an ArticleFilter, in words, and the elements it draws.

/** The form's fields: `{topic, provider, from, to}`, each an <input> or <select>. */
export const FIELDS = ["topic", "provider", "from", "to"];

/** The form's values (strings, "" when unset). */
export function formValues(form) {
  return Object.fromEntries(FIELDS.map((key) => [key, form[key].value]));
}

/** Set the form (missing keys empty it); an unknown topic or provider is added as an option. */
export function setForm(form, values = {}) {
  for (const key of FIELDS) {
    const value = values[key] ?? "";
    const input = form[key];
    if (value && input.tagName === "SELECT" && ![...input.options].some((o) => o.value === value)) {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = value;
      input.append(option);
    }
    input.value = value;
  }
}

function nextDay(date) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().replace(".000Z", "Z");
}

/** The ArticleFilter the form describes, or null when it sets nothing. */
export function formFilter(form) {
  const filter = {};
  if (form.topic.value) filter.topics = [form.topic.value];
  if (form.provider.value) filter.providers = [form.provider.value];
  if (form.from.value) filter.publishedAfter = `${form.from.value}T00:00:00Z`;
  if (form.to.value) filter.publishedBefore = nextDay(form.to.value); // the "to" day is included
  return Object.keys(filter).length ? filter : null;
}

/** "topic AI, provider zdnet.com, published 2021-01-01 to …" */
export function describeForm(form) {
  const parts = [];
  if (form.topic.value) parts.push(`topic ${form.topic.value}`);
  if (form.provider.value) parts.push(`provider ${form.provider.value}`);
  if (form.from.value || form.to.value) parts.push(`published ${form.from.value || "…"} to ${form.to.value || "…"}`);
  return parts.join(", ");
}

/**
 * Nodes and edges for a page of articles (DRAWN_ARTICLES): each article with its provider and
 * topics, and the RELATED links among all articles in `related` (earlier pages included).
 */
export function articleElements(pageEdges, related) {
  const nodes = [];
  const edges = [];
  for (const { node: article } of pageEdges) {
    nodes.push(article);
    if (article.provider) {
      nodes.push(article.provider);
      edges.push({ kind: "PUBLISHED_BY", source: article.id, target: article.provider.id });
    }
    for (const topic of article.topics) {
      nodes.push(topic);
      edges.push({ kind: "TAGGED", source: article.id, target: topic.id });
    }
    related.set(article.id, article.related.edges.map((e) => e.node.id));
  }
  for (const [source, targets] of related) {
    targets.forEach((target, i) => edges.push({ kind: "RELATED", source, target, rank: i + 1 }));
  }
  return { nodes, edges };
}
