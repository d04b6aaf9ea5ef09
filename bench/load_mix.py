"""The load test's request mix: 400 bodies drawn from the corpus (see load.py's docstring)."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from typing import Any

from mix import (
    ARTICLE,
    LISTS,
    NEIGHBORHOOD,
    SEARCH,
    SHORTEST_PATH,
    TOPIC_PAGE,
    Case,
)

from graphsvc.api.context import encode_id
from graphsvc.graph.store import GraphStore

PROVIDER_PAGE = """
query ProviderPage($provider: String!) {
  articles(filter: {providers: [$provider]}, first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id title url publishedAt topics { name } } }
  }
}
"""

#: Lines of the body file per kind: a long tail of article pages, neighbourhoods, paths and
#: searches, fewer topic and provider pages, and the lists page that every client asks for.
MIX_SHAPE = {
    "article": 120,
    "topic_page": 40,
    "provider_page": 40,
    "lists": 20,
    "neighborhood": 60,
    "shortest_path": 60,
    "search": 60,
}


def realistic_mix(store: GraphStore, seed: int) -> list[Case]:
    """The body file's lines (``MIX_SHAPE``), variables drawn from ``store``, shuffled.

    Deterministic for a store and seed. A small corpus gives fewer distinct bodies, not fewer
    kinds (a kind whose pool is empty is left out)."""
    rng = random.Random(seed)
    full = [store.articles[k] for k in store.full_by_date]
    if not full:
        raise ValueError("the store has no articles")
    linked = [k for k in store.full_by_date if store.related_out(k)] or list(store.full_by_date)
    topics = sorted(
        (t for t in store.topics.values() if t.article_count), key=lambda t: (t.key, t.name)
    )
    providers = sorted(
        (p for p in store.providers.values() if p.article_count), key=lambda p: p.key
    )
    # Search words: words of titles that are neither rare nor everywhere ("with", "that").
    words = Counter(
        w for a in full for w in {w.lower() for w in re.findall(r"[A-Za-z]{4,}", a.title)}
    )
    common = sorted(w for w, n in words.items() if 2 <= n <= max(2, len(full) // 40))

    def some(pool: list[Any], k: int) -> list[Any]:
        return rng.sample(pool, min(k, len(pool)))

    lines = [Case("article", ARTICLE, {"url": a.url}) for a in some(full, MIX_SHAPE["article"])]
    if topics:
        lines += [
            Case("topic_page", TOPIC_PAGE, {"topic": t.name})
            for t in rng.choices(
                topics, weights=[t.article_count for t in topics], k=MIX_SHAPE["topic_page"]
            )
        ]
    lines += [
        Case("provider_page", PROVIDER_PAGE, {"provider": p.domain})
        for p in some(providers, MIX_SHAPE["provider_page"])
    ]
    lines += [Case("lists", LISTS)] * MIX_SHAPE["lists"]
    lines += [
        Case("neighborhood", NEIGHBORHOOD, {"id": encode_id(k)})
        for k in some(linked, MIX_SHAPE["neighborhood"])
    ]
    for _ in range(MIX_SHAPE["shortest_path"] if len(linked) > 1 else 0):
        a, b = rng.sample(linked, 2)
        lines.append(
            Case("shortest_path", SHORTEST_PATH, {"from": encode_id(a), "to": encode_id(b)})
        )
    texts: set[str] = set()
    for _ in range(MIX_SHAPE["search"] * 3 if common else 0):
        texts.add(" ".join(rng.sample(common, rng.choice((1, 2)))))
        if len(texts) == MIX_SHAPE["search"]:
            break
    lines += [Case("search", SEARCH, {"q": q}) for q in sorted(texts)]
    rng.shuffle(lines)
    return lines


def describe_mix(mix: list[Case]) -> dict[str, Any]:
    """Lines and distinct bodies per kind (for the record)."""
    kinds: dict[str, Any] = {}
    for case in mix:
        entry = kinds.setdefault(case.name, {"lines": 0, "distinct": set()})
        entry["lines"] += 1
        entry["distinct"].add(json.dumps(case.body(), sort_keys=True))
    out = {k: {"lines": v["lines"], "distinct": len(v["distinct"])} for k, v in kinds.items()}
    out["all"] = {
        "lines": len(mix),
        "distinct": len({json.dumps(c.body(), sort_keys=True) for c in mix}),
    }
    return out
