// The GraphQL client and every query the explorer sends. All data comes from POST /graphql.

export const ENDPOINT = "/graphql";

/** An answer with errors and no data, or a transport failure. */
export class ApiError extends Error {}

let sent = 0;

/**
 * POST one operation; resolves to `{data, errors}` (errors: possibly empty, when the answer
 * still carries data). `Accept: application/json` keeps GraphQL errors on HTTP 200.
 */
export async function request(query, variables = {}) {
  sent += 1;
  let response;
  try {
    response = await fetch(ENDPOINT, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables }),
      credentials: "same-origin",
    });
  } catch (err) {
    throw new ApiError(`cannot reach ${ENDPOINT}: ${err.message}`);
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`${ENDPOINT} answered HTTP ${response.status} without JSON`);
  }
  const errors = Array.isArray(body?.errors) ? body.errors : [];
  if (!body?.data) {
    const message = errors.map((e) => e.message).join("; ") || body?.error || "no data";
    throw new ApiError(message);
  }
  return { data: body.data, errors };
}

/** The name of the served corpus (its folder's name, from /readyz), or "graph". */
export async function corpusName() {
  try {
    const response = await fetch("/readyz", { credentials: "same-origin" });
    const body = await response.json();
    const path = String(body?.corpus ?? "").replace(/[\\/]+$/, "");
    return path.split(/[\\/]/).pop() || "graph";
  } catch {
    return "graph";
  }
}

/** How many operations were sent (exposed for tests and the status line). */
export function requestCount() {
  return sent;
}

// Fields every drawn node needs: kind, label, size (degree) and what the export writes.
export const GRAPH_NODE = `fragment GraphNode on Node {
  __typename
  id
  ... on Article { title url publishedAt isStub degree provider { name } }
  ... on Provider { name domain articleCount degree }
  ... on Topic { name articleCount }
}`;

const GRAPH_EDGE = "kind source target rank explanation";

export const SEARCH = `query Search($query: String!, $first: Int!) {
  search(query: $query, first: $first) {
    score
    snippet
    node {
      __typename
      id
      ... on Article { title publishedAt isStub provider { name domain } topics { name } }
      ... on Provider { name domain articleCount }
      ... on Topic { name articleCount }
    }
  }
}`;

export const NEIGHBORHOOD = `query Neighborhood($id: ID!, $depth: Int!, $limit: Int!) {
  neighborhood(id: $id, depth: $depth, limit: $limit) {
    truncated
    nodes { ...GraphNode }
    edges { ${GRAPH_EDGE} }
  }
}
${GRAPH_NODE}`;

export const SHORTEST_PATH = `query ShortestPath($from: ID!, $to: ID!, $maxLength: Int!) {
  shortestPath(from: $from, to: $to, maxLength: $maxLength) {
    length
    nodes { ...GraphNode }
    edges { ${GRAPH_EDGE} }
  }
}
${GRAPH_NODE}`;

// Articles with what draws them among others: provider, topics and related lists.
function drawnArticles(indent) {
  const lines = [
    "totalCount",
    "pageInfo { hasNextPage endCursor }",
    "edges {",
    "  node {",
    "    ...GraphNode",
    "    provider { ...GraphNode }",
    "    topics { ...GraphNode }",
    "    related(direction: OUT, first: 20) { edges { node { id } } }",
    "  }",
    "}",
  ];
  return lines.map((line, i) => (i ? " ".repeat(indent) : "") + line).join("\n");
}

export const FILTERED = `query FilteredArticles($filter: ArticleFilter!, $first: Int!, $after: String) {
  articles(filter: $filter, first: $first, after: $after, orderBy: PUBLISHED_AT_DESC) {
    ${drawnArticles(4)}
  }
}
${GRAPH_NODE}`;

/** NodeDetail, with the article's story where the schema has `Article.story`. */
export function nodeDetail({ story = false } = {}) {
  const storyFields = story ? "\n      story { id size firstPublishedAt lastPublishedAt }" : "";
  return NODE_DETAIL.replace("images { url width height }", `images { url width height }${storyFields}`);
}

export const NODE_DETAIL = `query NodeDetail($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Article {
      title url excerpt publishedAt type quality isStub degree
      provider { id name domain }
      topics { id name }
      images { url width height }
      relatedOut: related(direction: OUT, first: 1) { totalCount }
      relatedIn: related(direction: IN, first: 1) { totalCount }
    }
    ... on Provider {
      name domain articleCount degree
      articles(first: 5) { edges { node { id title publishedAt } } }
    }
    ... on Topic {
      name articleCount
      articles(first: 5) { edges { node { id title publishedAt } } }
    }
  }
}`;

export const FILTER_OPTIONS = `query FilterOptions {
  topics(first: 100) { totalCount edges { node { id name articleCount } } }
  providers(first: 100) { totalCount edges { node { id name domain articleCount } } }
}`;

// What this server offers beyond the core API (fields other features add to the schema).
export const CAPABILITIES = `query Capabilities {
  root: __type(name: "Query") { fields { name } }
  article: __type(name: "Article") { fields { name } }
  exportFormats: __type(name: "ExportFormat") { enumValues { name description } }
}`;

export const EXPORT_URL = `query ExportUrl($format: ExportFormat!, $filter: ArticleFilter, $seed: ID, $depth: Int) {
  exportUrl(format: $format, filter: $filter, seed: $seed, depth: $depth)
}`;

export const STORY = `query Story($id: ID!, $first: Int!) {
  story(id: $id) {
    id size firstPublishedAt lastPublishedAt
    articles(first: $first) {
      ${drawnArticles(6)}
    }
  }
}
${GRAPH_NODE}`;

const TREND_FIELDS = "bucket total undated points { start end count }";

export const TOPIC_TREND = `query TopicTrend($name: String!) {
  trend: topicTrend(topic: $name, bucket: MONTH) { ${TREND_FIELDS} }
}`;

export const PROVIDER_TREND = `query ProviderTrend($domain: String!) {
  trend: providerTrend(domain: $domain, bucket: MONTH) { ${TREND_FIELDS} }
}`;
