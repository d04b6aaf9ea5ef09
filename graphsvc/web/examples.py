"""Example queries the playground opens with: article, filter, neighbourhood, path and search."""

from __future__ import annotations

from graphsvc.api.context import encode_id

_AI = encode_id("t:ai")
_SECURITY = encode_id("t:security")

DEFAULT_QUERY = """# Welcome to graphsvc. Run a query with Ctrl-Enter; the Examples menu has more.
query Overview {
  stats { articles stubs providers topics edges }
  topics(first: 5) {
    edges { node { id name articleCount } }
  }
}
"""

EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        "Articles on a topic",
        """query AiArticles($after: String) {
  articles(filter: {topics: ["AI"]}, first: 5, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        title url publishedAt
        provider { name domain }
        topics { name }
        related(first: 3) { totalCount edges { node { title isStub } } }
      }
    }
  }
}
""",
    ),
    (
        "Filter by provider, date and quality",
        """query Filtered {
  articles(
    filter: {publishedAfter: "2021-01-01T00:00:00Z", minQuality: 50, includeStubs: false}
    orderBy: QUALITY_DESC
    first: 10
  ) {
    totalCount
    edges { node { title quality publishedAt provider { domain } } }
  }
}
""",
    ),
    (
        "Neighbourhood of a topic",
        f"""query Neighbourhood {{
  neighborhood(id: "{_AI}", depth: 1, limit: 25) {{
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
    ),
    (
        "Shortest path between two topics",
        f"""query Path {{
  shortestPath(from: "{_AI}", to: "{_SECURITY}", maxLength: 4) {{
    length
    nodes {{ __typename ... on Article {{ title }} ... on Topic {{ name }} }}
    edges {{ kind explanation }}
  }}
}}
""",
    ),
    (
        "Search",
        """query Search {
  search(query: "kubernetes", first: 5) {
    score
    snippet
    node { __typename ... on Article { title url } ... on Topic { name } ... on Provider { name } }
  }
}
""",
    ),
    (
        "Look up an article by URL",
        """query ArticleByUrl {
  article(url: "https://www.nationthailand.com/edandtech/30402761") {
    title publishedAt isStub
    provider { name }
    topics { name articleCount }
    related(direction: BOTH, first: 5) { edges { node { title url } } }
  }
}
""",
    ),
)
