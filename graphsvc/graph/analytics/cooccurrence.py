"""Co-occurrence of topics, or of providers, over baskets of one per full article.

A topic basket is an article's topics. A provider basket is the article's provider with the
providers of the articles it lists as related: the aggregator grouped them as covering the
same news. With N baskets, n(x) baskets holding x and n(x, y) holding both:
COUNT is n(x, y); JACCARD is n(x, y) / (n(x) + n(y) - n(x, y)); PMI is
log2(N * n(x, y) / (n(x) * n(y))), in bits. Pairs that never co-occur have no weight.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations
from types import MappingProxyType

from graphsvc.graph.analytics.memo import memoised, memoised_call
from graphsvc.graph.store import GraphStore


class CoKind(StrEnum):
    """What co-occurs."""

    TOPIC = "TOPIC"
    PROVIDER = "PROVIDER"


class CoMeasure(StrEnum):
    """How co-occurrence is weighed."""

    COUNT = "COUNT"
    JACCARD = "JACCARD"
    PMI = "PMI"


@dataclass(frozen=True, slots=True)
class Cooccurrences:
    """Basket counts: N, n(x) and n(x, y) (symmetric: both orders are stored)."""

    baskets: int
    occurrences: Mapping[str, int]
    pairs: Mapping[str, Mapping[str, int]]

    def weight(self, a: str, b: str, measure: CoMeasure) -> float:
        """The weight of a co-occurring pair (0 for COUNT and JACCARD when they never do)."""
        both = self.pairs.get(a, {}).get(b, 0)
        if measure is CoMeasure.COUNT:
            return float(both)
        na, nb = self.occurrences.get(a, 0), self.occurrences.get(b, 0)
        if measure is CoMeasure.JACCARD:
            return both / (na + nb - both) if both else 0.0
        if not both:
            raise ValueError(f"PMI of {a} and {b} is -inf: they never co-occur")
        return math.log2(self.baskets * both / (na * nb))


@dataclass(frozen=True, slots=True)
class Weighted:
    """A node or pair with its co-occurrence count and weight."""

    key: str
    count: int
    weight: float


@dataclass(frozen=True, slots=True)
class CoGraph:
    """The most frequent nodes and their weighted edges, heaviest first."""

    nodes: tuple[tuple[str, int], ...]  # (key, n(key)), most frequent first, ties by key
    edges: tuple[tuple[str, str, int, float], ...]  # (a, b, n(a, b), weight), a < b


def iter_baskets(store: GraphStore, kind: CoKind) -> Iterator[frozenset[str]]:
    """One basket per full article."""
    articles = store.articles
    for key in store.full_by_date:
        article = articles[key]
        if kind is CoKind.TOPIC:
            yield frozenset(article.topics)
        else:
            related = store.related_out(key)
            yield frozenset([article.provider, *(articles[r].provider for r in related)])


def count_baskets(store: GraphStore, kind: CoKind) -> Cooccurrences:
    """N, n(x) and n(x, y) over the snapshot's baskets."""
    occurrences: Counter[str] = Counter()
    both: Counter[tuple[str, str]] = Counter()
    baskets = 0
    for basket in iter_baskets(store, kind):
        baskets += 1
        occurrences.update(basket)
        both.update(combinations(sorted(basket), 2))  # Counter counts an iterable in C
    pairs: dict[str, dict[str, int]] = {}
    for (a, b), n in both.items():
        pairs.setdefault(a, {})[b] = n
        pairs.setdefault(b, {})[a] = n
    return Cooccurrences(
        baskets,
        MappingProxyType(dict(occurrences)),
        MappingProxyType({k: MappingProxyType(v) for k, v in pairs.items()}),
    )


def cooccurrences(store: GraphStore, kind: CoKind) -> Cooccurrences:
    """The snapshot's counts for one kind (counted once, on first use)."""
    return memoised(store, f"cooccurrence:{kind.value}", lambda s: count_baskets(s, kind))


def neighbours(
    store: GraphStore,
    kind: CoKind,
    of: str,
    measure: CoMeasure = CoMeasure.COUNT,
    first: int = 10,
    min_count: int = 1,
) -> list[Weighted]:
    """The nodes that co-occur with ``of`` at least ``min_count`` times, heaviest first
    (ties: higher count, then key)."""
    counts = cooccurrences(store, kind)
    ranked = memoised_call(
        store,
        "cooccurrence-neighbours",
        (kind, of, measure),
        lambda: sorted(
            (
                Weighted(b, n, counts.weight(of, b, measure))
                for b, n in counts.pairs.get(of, {}).items()
            ),
            key=lambda w: (-w.weight, -w.count, w.key),
        ),
    )
    return [w for w in ranked if w.count >= min_count][:first]


def cooccurrence_graph(
    store: GraphStore,
    kind: CoKind,
    measure: CoMeasure = CoMeasure.COUNT,
    first: int = 50,
    min_weight: float | None = None,
    min_count: int = 1,
) -> CoGraph:
    """The ``first`` most frequent nodes and the pairs among them that co-occur at least
    ``min_count`` times with a weight of at least ``min_weight``."""
    args = (kind, measure, first, min_weight, min_count)
    return memoised_call(
        store,
        "cooccurrence-graph",
        args,
        lambda: _graph(cooccurrences(store, kind), measure, first, min_weight, min_count),
    )


def _graph(
    counts: Cooccurrences, measure: CoMeasure, first: int, min_weight: float | None, min_count: int
) -> CoGraph:
    nodes = sorted(counts.occurrences.items(), key=lambda kv: (-kv[1], kv[0]))[:first]
    kept = {k for k, _n in nodes}
    edges = []
    for a, _n in nodes:
        for b, both in counts.pairs.get(a, {}).items():
            if a < b and b in kept and both >= min_count:
                weight = counts.weight(a, b, measure)
                if min_weight is None or weight >= min_weight:
                    edges.append((a, b, both, weight))
    edges.sort(key=lambda e: (-e[3], -e[2], e[0], e[1]))
    return CoGraph(tuple(nodes), tuple(edges))
