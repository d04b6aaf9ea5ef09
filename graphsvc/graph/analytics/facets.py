"""Facets: the counts by topic, provider, month and type of the articles a filter keeps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graphsvc.graph.memo import memoised, memoised_call
from graphsvc.graph.queries import ArticleFilter, article_numbers, article_places, filter_articles
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


@dataclass(frozen=True, slots=True, eq=False)
class FacetColumns:
    """Each article's (stubs too) facet values as numbers, by article number (the article
    places' numbering, graph/queries.py): a filter's facets are then counted with NumPy over
    the numbers it keeps, without reading a record (a mapped snapshot decodes one per read:
    2.5 s for the biggest topic at 100,000 documents). Snapshot files keep them."""

    providers: tuple[str, ...]  # provider number -> key
    months: tuple[str | None, ...]  # month number -> "YYYY-MM" (None: undated)
    types: tuple[str | None, ...]
    topics: tuple[str, ...]
    provider: Any  # NumPy int arrays by article number
    month: Any
    type: Any
    topic_offsets: Any  # CSR: article i's topics are topic_items[offsets[i]:offsets[i + 1]]
    topic_items: Any


def _month(when: datetime | None) -> str | None:
    return None if when is None else f"{when.year:04d}-{when.month:02d}"


def build_columns(store: GraphStore) -> FacetColumns:
    """Read every article once (before a snapshot is served, or when one is written)."""
    import numpy as np

    found = article_places(store)
    articles = [store.articles[k] for k in found.keys[: len(found.quality)]]  # by number
    names: dict[str, dict[Any, int]] = {"p": {}, "m": {}, "y": {}, "t": {}}

    def code(kind: str, value: Any) -> int:
        return names[kind].setdefault(value, len(names[kind]))

    provider = [code("p", a.provider) for a in articles]
    month = [code("m", _month(a.published_at)) for a in articles]
    kind = [code("y", a.type) for a in articles]
    offsets, items = [0], list[int]()
    for a in articles:
        items.extend(code("t", t) for t in a.topics)
        offsets.append(len(items))
    return FacetColumns(
        providers=tuple(names["p"]),
        months=tuple(names["m"]),
        types=tuple(names["y"]),
        topics=tuple(names["t"]),
        provider=np.asarray(provider, dtype=np.uint32),
        month=np.asarray(month, dtype=np.uint32),
        type=np.asarray(kind, dtype=np.uint32),
        topic_offsets=np.asarray(offsets, dtype=np.uint64),
        topic_items=np.asarray(items, dtype=np.uint32),
    )


COLUMNS_MEMO = "facet-columns"


def facet_columns(store: GraphStore) -> FacetColumns:
    """The snapshot's facet columns (made once; kept in snapshot files)."""
    return memoised(store, COLUMNS_MEMO, build_columns)


def count_facets(store: GraphStore, flt: ArticleFilter) -> Facets:
    """Count every facet of the articles that pass a filter, from the facet columns."""
    import numpy as np

    keys = filter_articles(store, flt)
    cols = facet_columns(store)
    rows = article_numbers(store, keys)
    starts, ends = cols.topic_offsets[rows].astype(np.int64), cols.topic_offsets[rows + 1]
    lengths = ends.astype(np.int64) - starts
    first = np.cumsum(lengths) - lengths  # where each article's topics start in the gather
    at = np.repeat(starts - first, lengths) + np.arange(int(lengths.sum()))

    def counted(names: tuple[Any, ...], values: Any) -> list[tuple[Any, int]]:
        counts = np.bincount(values, minlength=len(names))
        return [(names[i], int(counts[i])) for i in np.flatnonzero(counts).tolist()]

    months = counted(cols.months, cols.month[rows])
    types = counted(cols.types, cols.type[rows])
    return Facets(
        total=len(keys),
        topics=_most(counted(cols.topics, cols.topic_items[at])),
        providers=_most(counted(cols.providers, cols.provider[rows])),
        months=tuple(sorted(months, key=lambda kv: (kv[0] is None, kv[0] or ""))),
        types=tuple(sorted(types, key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))),
    )


def _most(items: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(items, key=lambda kv: (-kv[1], kv[0])))


MEMO_NAME = "facets"


def facets(store: GraphStore, flt: ArticleFilter | None = None) -> Facets:
    """The facets of a filter (kept per snapshot for the most recent filters)."""
    spec = flt or ArticleFilter()
    return memoised_call(store, MEMO_NAME, spec, lambda: count_facets(store, spec))
