"""Co-occurrence of topics, or of providers, over baskets of one per full article.

A topic basket is an article's topics. A provider basket is the article's provider with the
providers of the articles it lists as related: the aggregator grouped them as covering the
same news. With N baskets, n(x) baskets holding x and n(x, y) holding both:
COUNT is n(x, y); JACCARD is n(x, y) / (n(x) + n(y) - n(x, y)); PMI is
log2(N * n(x, y) / (n(x) * n(y))), in bits. Pairs that never co-occur have no weight.

The snapshot keeps the baskets and, per node, the baskets that hold it; the pairs of one
node, or among the nodes of a graph, are counted from those when first asked for. Counting
every pair up front took 85 s for providers on a 100,000-article corpus (2,844 providers,
baskets of 18 on average).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

import numpy as np
import scipy.sparse as sp

from graphsvc.graph.analytics.related import related_arrays
from graphsvc.graph.memo import memoised, memoised_call
from graphsvc.graph.store import GraphStore

#: Pair counts are kept among this many most frequent nodes of each kind (the API's
#: largest ``first``); a bigger graph (the topic graph of centrality.py) counts its own.
TOP_NODES = 100


class CoKind(StrEnum):
    """What co-occurs."""

    TOPIC = "TOPIC"
    PROVIDER = "PROVIDER"


class CoMeasure(StrEnum):
    """How co-occurrence is weighed."""

    COUNT = "COUNT"
    JACCARD = "JACCARD"
    PMI = "PMI"


@dataclass(frozen=True, slots=True, eq=False)
class Baskets:
    """The baskets of one kind as a sparse 0/1 matrix: a row per basket (full articles,
    newest first), a column per node (numbered in key order). ``by_node`` is the same by
    column. Sparse arrays, not tuples of ints: at 100,000 documents the provider baskets
    took 168 MB as tuples, a tenth of that as arrays."""

    keys: tuple[str, ...]  # node number -> node key
    numbers: Mapping[str, int]
    incidence: sp.csr_array = field(repr=False)
    by_node: sp.csc_array = field(repr=False)

    @property
    def count(self) -> int:
        """N: the number of baskets."""
        return int(self.incidence.shape[0])

    def basket(self, index: int) -> tuple[int, ...]:
        """The node numbers of one basket, ascending."""
        start, end = self.incidence.indptr[index], self.incidence.indptr[index + 1]
        return tuple(self.incidence.indices[start:end].tolist())

    def iter_baskets(self) -> Iterator[tuple[int, ...]]:
        """Every basket, in order."""
        return (self.basket(i) for i in range(self.count))

    def holding(self, number: int) -> np.ndarray:
        """The baskets that hold a node (by number), ascending."""
        start, end = self.by_node.indptr[number], self.by_node.indptr[number + 1]
        return np.asarray(self.by_node.indices[start:end])

    def together(self, number: int) -> np.ndarray:
        """n(x, y) for node ``number`` x and every node y (x itself included): the incidence
        matrix, transposed (no copy), times the 0/1 vector of the baskets holding x. SciPy's
        ``incidence[rows].sum(axis=0)`` made a matrix of those rows first: 28 MB for a
        provider in 85% of 100,000 baskets, kept by the allocator afterwards."""
        held = np.zeros(self.count, dtype=np.int32)
        held[self.holding(number)] = 1
        return np.asarray(self.incidence.T @ held)

    def size(self, number: int) -> int:
        """n(x) of a node by number: the baskets that hold it."""
        return int(self.by_node.indptr[number + 1] - self.by_node.indptr[number])

    def occurrences(self, key: str) -> int:
        """n(key): the baskets that hold a node."""
        number = self.numbers.get(key)
        return 0 if number is None else self.size(number)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Baskets):
            return NotImplemented
        return (self.keys, self.count) == (other.keys, other.count) and (
            (self.incidence != other.incidence).nnz == 0
        )

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Weighted:
    """A node with its co-occurrence count and weight."""

    key: str
    count: int
    weight: float


@dataclass(frozen=True, slots=True)
class CoGraph:
    """The most frequent nodes and their weighted edges, heaviest first."""

    nodes: tuple[tuple[str, int], ...]  # (key, n(key)), most frequent first, ties by key
    edges: tuple[tuple[str, str, int, float], ...]  # (a, b, n(a, b), weight), a < b


def weigh(measure: CoMeasure, both: int, na: int, nb: int, baskets: int) -> float:
    """The weight of a pair that co-occurs ``both`` > 0 times.

    >>> round(weigh(CoMeasure.PMI, 2, 3, 2, 5), 4), weigh(CoMeasure.JACCARD, 2, 3, 2, 5)
    (0.737, 0.6666666666666666)
    """
    if measure is CoMeasure.COUNT:
        return float(both)
    if measure is CoMeasure.JACCARD:
        return both / (na + nb - both)
    return math.log2(baskets * both / (na * nb))


def iter_baskets(store: GraphStore, kind: CoKind) -> Iterator[frozenset[str]]:
    """One basket per full article, newest first (what build_baskets indexes)."""
    articles = store.articles
    for key in store.full_by_date:
        article = articles[key]
        if kind is CoKind.TOPIC:
            yield frozenset(article.topics)
        else:
            related = store.related_out(key)
            yield frozenset([article.provider, *(articles[r].provider for r in related)])


def build_baskets(store: GraphStore, kind: CoKind) -> Baskets:
    """Number the nodes (in key order) and index the baskets (a provider basket is read off
    the RELATED arrays: one pass of NumPy instead of a walk of every edge)."""
    if kind is CoKind.TOPIC:
        names = tuple(sorted(store.topics))
        number = {k: i for i, k in enumerate(names)}
        topic_rows, topic_cols = [], []
        for index, key in enumerate(store.full_by_date):
            for topic in store.articles[key].topics:
                topic_rows.append(index)
                topic_cols.append(number[topic])
        rows = np.asarray(topic_rows, dtype=np.int64)
        return _index(rows, np.asarray(topic_cols, dtype=np.int64), names, len(store.full_by_date))
    found = related_arrays(store)
    position = np.full(len(found.nodes), -1, dtype=np.int64)  # article number -> basket
    full = np.fromiter((found.number[k] for k in store.full_by_date), dtype=np.int64)
    position[full] = np.arange(len(full))
    rows = np.concatenate([position[full], position[found.src]])
    cols = np.concatenate([found.provider[full], found.provider[found.dst]])
    return _index(rows, cols, found.providers, len(full))


def _index(rows: np.ndarray, cols: np.ndarray, names: tuple[str, ...], baskets: int) -> Baskets:
    """``baskets`` baskets from (basket, node) memberships over nodes ``names`` (repeats
    count once); only the nodes in some basket are numbered, in the order of ``names``."""
    every = sp.csr_array(  # summing repeats: SciPy's sort, far quicker than np.unique here
        (np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(baskets, len(names))
    )
    every.sum_duplicates()
    used = np.flatnonzero(np.bincount(every.indices, minlength=len(names)))
    renumber = np.zeros(len(names), dtype=every.indices.dtype)
    renumber[used] = np.arange(len(used))
    incidence = sp.csr_array(
        (np.ones(len(every.indices), dtype=np.int32), renumber[every.indices], every.indptr),
        shape=(baskets, len(used)),
    )
    keys = tuple(names[i] for i in used.tolist())
    return Baskets(
        keys,
        MappingProxyType({k: i for i, k in enumerate(keys)}),
        incidence,
        sp.csc_array(incidence),
    )


def baskets_memo(kind: CoKind) -> str:
    """The name a kind's baskets are kept under, per snapshot."""
    return f"baskets:{kind.value}"


def baskets_of(store: GraphStore, kind: CoKind) -> Baskets:
    """The snapshot's baskets of one kind (indexed once, on first use)."""
    return memoised(store, baskets_memo(kind), lambda s: build_baskets(s, kind))


def pair_counts(store: GraphStore, kind: CoKind, of: str) -> Mapping[str, int]:
    """n(of, y) for every y that co-occurs with ``of`` (kept per node for the snapshot)."""

    def count() -> Mapping[str, int]:
        found = baskets_of(store, kind)
        number = found.numbers.get(of)
        if number is None:
            return MappingProxyType({})
        both = found.together(number)
        both[number] = 0
        nonzero = np.flatnonzero(both).tolist()
        return MappingProxyType({found.keys[n]: int(both[n]) for n in nonzero})

    return memoised_call(store, f"cooccurrence-pairs:{kind.value}", of, count)


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

    def rank() -> list[Weighted]:
        found = baskets_of(store, kind)
        n_of, total = found.occurrences(of), found.count
        return sorted(
            (
                Weighted(b, n, weigh(measure, n, n_of, found.occurrences(b), total))
                for b, n in pair_counts(store, kind, of).items()
                if n >= min_count
            ),
            key=lambda w: (-w.weight, -w.count, w.key),
        )

    args = (kind, of, measure, min_count)
    return memoised_call(store, "cooccurrence-neighbours", args, rank)[:first]


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
        lambda: _graph(store, kind, measure, first, min_weight, min_count),
    )


@dataclass(frozen=True, slots=True)
class TopPairs:
    """The nodes of one kind by frequency (most first, ties by key), and n(x, y) for every
    pair among the TOP_NODES most frequent: every graph of up to that many nodes is cut
    from it without walking the baskets again."""

    ranked: tuple[int, ...]
    pairs: Mapping[tuple[int, int], int]


def top_pairs(store: GraphStore, kind: CoKind) -> TopPairs:
    """The snapshot's pair counts among the most frequent nodes of a kind (counted once)."""

    def build(s: GraphStore) -> TopPairs:
        found = baskets_of(s, kind)
        ranked = tuple(
            sorted(range(len(found.keys)), key=lambda n: (-found.size(n), found.keys[n]))
        )
        return TopPairs(ranked, MappingProxyType(_count_pairs(found, ranked[:TOP_NODES])))

    return memoised(store, top_pairs_memo(kind), build)


def top_pairs_memo(kind: CoKind) -> str:
    """The name a kind's top pairs are kept under, per snapshot."""
    return f"top-pairs:{kind.value}"


def _count_pairs(found: Baskets, nodes: Sequence[int]) -> dict[tuple[int, int], int]:
    """n(a, b) > 0 for the pairs among ``nodes`` (a < b), by a sparse matrix product."""
    columns = list(nodes)
    if len(columns) < 2:
        return {}
    sub = found.incidence[:, columns]
    both = (sub.T @ sub).toarray()
    upper = np.argwhere(np.triu(both, k=1))
    pairs = {}
    for i, j in upper.tolist():
        a, b = columns[i], columns[j]
        pairs[(a, b) if a < b else (b, a)] = int(both[i, j])
    return pairs


def _graph(
    store: GraphStore,
    kind: CoKind,
    measure: CoMeasure,
    first: int,
    min_weight: float | None,
    min_count: int,
) -> CoGraph:
    found, top = baskets_of(store, kind), top_pairs(store, kind)
    kept = frozenset(top.ranked[:first])
    pairs = top.pairs if first <= TOP_NODES else _count_pairs(found, top.ranked[:first])
    total = found.count
    edges = []
    for (a, b), n in pairs.items():
        if a not in kept or b not in kept:
            continue
        na, nb = found.size(a), found.size(b)
        weight = weigh(measure, n, na, nb, total)
        if n >= min_count and (min_weight is None or weight >= min_weight):
            ka, kb = sorted((found.keys[a], found.keys[b]))
            edges.append((ka, kb, n, weight))
    edges.sort(key=lambda e: (-e[3], -e[2], e[0], e[1]))
    nodes = tuple((found.keys[n], found.size(n)) for n in top.ranked[:first])
    return CoGraph(nodes, tuple(edges))
