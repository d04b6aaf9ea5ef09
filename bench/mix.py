"""The six-query mix of the benchmarks: typical GraphQL operations of a news-graph client.

Importable by the in-process benchmark (``bench/queries.py``) and by the load tests, which send
the same texts over HTTP. ``cases(store)`` picks the variables from a store, deterministically,
so that every corpus (real or synthetic) gets comparable work:

- ``article``: the newest article with at least 20 related items, with its first page of them;
- ``topic_page``: the first page of the biggest topic's articles (the topic every real article has);
- ``lists``: the topic and provider lists, 20 of each;
- ``neighborhood``: depth 2 around that same article, at most 100 nodes;
- ``shortest_path``: over RELATED edges, from that article to the oldest article with a related
  list (up to 6 hops);
- ``search``: a two-word full-text search (the index is built on first use).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphsvc.api.context import encode_id
from graphsvc.graph.store import GraphStore

ARTICLE = """
query Article($url: String!) {
  article(url: $url) {
    id title url publishedAt quality isStub
    provider { id name domain }
    topics { id name }
    related(first: 20) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id title url publishedAt isStub provider { name } } }
    }
  }
}
"""

TOPIC_PAGE = """
query TopicPage($topic: String!) {
  articles(filter: {topics: [$topic]}, first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id title url publishedAt provider { name } } }
  }
}
"""

LISTS = """
query Lists {
  topics(first: 20) { totalCount edges { node { id name articleCount } } }
  providers(first: 20) { totalCount edges { node { id name domain articleCount } } }
}
"""

NEIGHBORHOOD = """
query Neighborhood($id: ID!) {
  neighborhood(id: $id, depth: 2, limit: 100) {
    truncated
    nodes {
      id
      ... on Article { title isStub }
      ... on Topic { name }
      ... on Provider { name }
    }
    edges { kind source target }
  }
}
"""

SHORTEST_PATH = """
query ShortestPath($from: ID!, $to: ID!) {
  shortestPath(from: $from, to: $to, edgeKinds: [RELATED], maxLength: 6) {
    length
    nodes { id ... on Article { title } }
    edges { kind source target }
  }
}
"""

SEARCH = """
query Search($q: String!) {
  search(query: $q, first: 10) {
    score snippet
    node { id ... on Article { title url } ... on Topic { name } ... on Provider { name } }
  }
}
"""

#: The six operations by name, in the order the benchmarks report them.
QUERIES: dict[str, str] = {
    "article": ARTICLE,
    "topic_page": TOPIC_PAGE,
    "lists": LISTS,
    "neighborhood": NEIGHBORHOOD,
    "shortest_path": SHORTEST_PATH,
    "search": SEARCH,
}
SEARCH_TEXT = "cloud security"


@dataclass(frozen=True)
class Case:
    """One operation of the mix with its variables (JSON-ready, as an HTTP body needs)."""

    name: str
    query: str
    variables: dict[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        """The GraphQL-over-HTTP request body."""
        return {"query": self.query, "variables": self.variables}


def cases(store: GraphStore) -> list[Case]:
    """The six cases with variables picked from ``store`` (the same store gives the same)."""
    if not store.full_by_date:
        raise ValueError("the store has no articles")
    centre = _newest_with_related(store, 20)
    far = next(
        (k for k in reversed(store.full_by_date) if k != centre and store.related_out(k)),
        store.full_by_date[-1],
    )
    topic = max(store.topics.values(), key=lambda t: (t.article_count, t.key), default=None)
    return [
        Case("article", ARTICLE, {"url": store.articles[centre].url}),
        Case("topic_page", TOPIC_PAGE, {"topic": topic.name if topic else ""}),
        Case("lists", LISTS),
        Case("neighborhood", NEIGHBORHOOD, {"id": encode_id(centre)}),
        Case("shortest_path", SHORTEST_PATH, {"from": encode_id(centre), "to": encode_id(far)}),
        Case("search", SEARCH, {"q": SEARCH_TEXT}),
    ]


def _newest_with_related(store: GraphStore, at_least: int) -> str:
    """The newest full article listing at least ``at_least`` related items (else the most)."""
    best, most = store.full_by_date[0], -1
    for key in store.full_by_date:
        count = len(store.related_out(key))
        if count >= at_least:
            return key
        if count > most:
            best, most = key, count
    return best
