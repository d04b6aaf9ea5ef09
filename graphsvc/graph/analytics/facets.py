"""Facets: the counts by topic, provider, month and type of the articles a filter keeps."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from graphsvc.graph.memo import memoised_call
from graphsvc.graph.queries import ArticleFilter, filter_articles
from graphsvc.graph.store import GraphStore


@dataclass(frozen=True, slots=True)
class Facets:
    """Counts of the filtered articles: topics and providers by key, months ("YYYY-MM",
    UTC; None for undated) and types (None where the document gives none)."""

    total: int
    topics: tuple[tuple[str, int], ...]  # most first, ties by key
    providers: tuple[tuple[str, int], ...]  # likewise
    months: tuple[tuple[str | None, int], ...]  # oldest first, undated last
    types: tuple[tuple[str | None, int], ...]  # most first, ties by value (None last)


def count_facets(store: GraphStore, flt: ArticleFilter) -> Facets:
    """Count every facet of the articles that pass a filter, in one pass."""
    topics: Counter[str] = Counter()
    providers: Counter[str] = Counter()
    months: Counter[str | None] = Counter()
    types: Counter[str | None] = Counter()
    keys = filter_articles(store, flt)
    for key in keys:
        article = store.articles[key]
        topics.update(article.topics)
        providers[article.provider] += 1
        when = article.published_at
        months[None if when is None else f"{when.year:04d}-{when.month:02d}"] += 1
        types[article.type] += 1
    return Facets(
        total=len(keys),
        topics=_most(topics.items()),
        providers=_most(providers.items()),
        months=tuple(sorted(months.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))),
        types=tuple(sorted(types.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))),
    )


def _most(items: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(items, key=lambda kv: (-kv[1], kv[0])))


MEMO_NAME = "facets"


def facets(store: GraphStore, flt: ArticleFilter | None = None) -> Facets:
    """The facets of a filter (kept per snapshot for the most recent filters)."""
    spec = flt or ArticleFilter()
    return memoised_call(store, MEMO_NAME, spec, lambda: count_facets(store, spec))
