"""The playground's example queries, filled from the served graph.

The IDs, URLs, topics, providers, dates and search words in the examples come from the
snapshot being served (as the explorer's starter chips do), so that every example answers,
with data, on whatever corpus is served: its biggest topic and provider, its newest article,
two topics that share articles, a word of a title. On an empty graph (or while it loads) the
picker offers only examples that need no value from the graph.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from graphsvc.graph.memo import memoised
from graphsvc.graph.store import GraphStore
from graphsvc.identity import encode_id
from graphsvc.model import Article

Example = tuple[str, str]

#: The first tab. Its comment is wrapped to fit the query editor beside the explorer panel.
DEFAULT_QUERY = """# Welcome to graphsvc. Run a query
# with Ctrl-Enter or the \u25b6 button.
# The Examples menu (top right) has
# more, each filled from the graph
# served here.
query Overview {
  stats { articles stubs providers topics edges }
  topics(first: 5) {
    edges { node { id name articleCount } }
  }
}
"""

#: Examples that need no value from the graph: shown on an empty graph, and always.
INGEST_PROBLEMS: Example = (
    "What the ingest rejected or noticed",
    """query IngestProblems {
  ingestProblems(warnings: true) { path line reason kind }
}
""",
)
LISTS: Example = (
    "Topics and providers",
    """query Lists {
  topics(first: 10) { totalCount edges { node { name articleCount } } }
  providers(first: 10) { totalCount edges { node { name domain articleCount } } }
}
""",
)
SEARCH_NAME = "Search"
_WORD = re.compile(r"[^\W\d_]{4,}")


def examples_for(store: GraphStore | None) -> list[Example]:
    """The picker's examples for this snapshot (computed once per snapshot)."""
    if store is None or not store.full_by_date:
        return [LISTS, INGEST_PROBLEMS]
    return memoised(store, "web:examples", _filled)


def _q(text: str) -> str:
    """A GraphQL string literal (JSON's escapes are GraphQL's)."""
    return json.dumps(text, ensure_ascii=False)


def _filled(store: GraphStore) -> list[Example]:
    newest = store.articles[store.full_by_date[0]]
    topic_key = _biggest(store.topic_articles)
    provider_key = _biggest(store.provider_articles)
    examples: list[Example] = []
    if topic_key is not None:
        examples.append(_topic_page(store, topic_key))
    if provider_key is not None:
        examples.append(_provider_filter(store, provider_key))
    examples.append(_neighbourhood(store, topic_key or newest.key))
    path = _path(store, topic_key) if topic_key is not None else None
    if path is not None:
        examples.append(path)
    examples.append(_search(newest))
    examples.append(_by_url(newest))
    return [*examples, LISTS, INGEST_PROBLEMS]


def _biggest(index: Mapping[str, Sequence[str]]) -> str | None:
    """The key with the longest article list (ties: the first key in order), or None."""
    best = max(sorted(index), key=lambda key: len(index[key]), default=None)
    return best if best is not None and index[best] else None


def _topic_page(store: GraphStore, key: str) -> Example:
    name = store.topics[key].name
    return (
        f"Articles on a topic ({name})",
        f"""query TopicArticles($after: String) {{
  articles(filter: {{topics: [{_q(name)}]}}, first: 5, after: $after) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{
      node {{
        title url publishedAt
        provider {{ name domain }}
        topics {{ name }}
        related(first: 3) {{ totalCount edges {{ node {{ title isStub }} }} }}
      }}
    }}
  }}
}}
""",
    )


def _provider_filter(store: GraphStore, key: str) -> Example:
    provider = store.providers[key]
    dated = [store.articles[k] for k in store.provider_articles[key]]
    times = sorted(a.published_at for a in dated if a.published_at is not None)
    since = ""
    if times:  # from the month of its median article: about half of them, at least one
        middle = times[(len(times) - 1) // 2]
        since = f', publishedAfter: "{middle:%Y-%m}-01T00:00:00Z"'
    return (
        f"Filter by provider and date ({provider.domain})",
        f"""query Filtered {{
  articles(
    filter: {{providers: [{_q(provider.domain)}]{since}}}
    orderBy: QUALITY_DESC
    first: 10
  ) {{
    totalCount
    edges {{ node {{ title quality publishedAt provider {{ domain }} }} }}
  }}
}}
""",
    )


def _neighbourhood(store: GraphStore, key: str) -> Example:
    node = store.node(key)
    label = getattr(node, "name", None) or getattr(node, "title", key)
    return (
        f"Neighbourhood of {label}"[:80],
        f"""query Neighbourhood {{
  neighborhood(id: "{encode_id(key)}", depth: 1, limit: 25) {{
    truncated
    nodes {{
      id
      __typename
      ... on Article {{ title }}
      ... on Topic {{ name }}
      ... on Provider {{ name }}
    }}
    edges {{ kind source target }}
  }}
}}
""",
    )


def _path(store: GraphStore, key: str) -> Example | None:
    """The shortest path from the biggest topic to the topic sharing most articles with it."""
    mine = set(store.topic_articles[key])
    shared = {
        other: len(mine.intersection(keys))
        for other, keys in sorted(store.topic_articles.items())
        if other != key
    }
    other = max(shared, key=lambda k: shared[k], default=None)
    if other is None or not shared[other]:
        return None
    names = store.topics[key].name, store.topics[other].name
    return (
        f"Shortest path between two topics ({names[0]}, {names[1]})"[:80],
        f"""query Path {{
  shortestPath(from: "{encode_id(key)}", to: "{encode_id(other)}", maxLength: 4) {{
    length
    nodes {{ __typename ... on Article {{ title }} ... on Topic {{ name }} }}
    edges {{ kind explanation }}
  }}
}}
""",
    )


def _search(article: Article) -> Example:
    words = _WORD.findall(article.title)
    word = max(words, key=len).lower() if words else article.title.split()[0]
    return (
        SEARCH_NAME,
        f"""query Search {{
  search(query: {_q(word)}, first: 5) {{
    score
    snippet
    node {{
      __typename
      ... on Article {{ title url }}
      ... on Topic {{ name }}
      ... on Provider {{ name }}
    }}
  }}
}}
""",
    )


def _by_url(article: Article) -> Example:
    return (
        "Look up an article by URL",
        f"""query ArticleByUrl {{
  article(url: {_q(article.url)}) {{
    title publishedAt isStub
    provider {{ name }}
    topics {{ name articleCount }}
    related(direction: BOTH, first: 5) {{ edges {{ node {{ title url }} }} }}
  }}
}}
""",
    )
