"""Centrality of articles, providers and topics with NetworkX, ranked once per snapshot.

Each kind is measured on its own graph: articles on the RELATED graph (stubs included;
PageRank follows the listing direction), providers on their RELATED links (weighted by
edge count, see providers.py), topics on their co-occurrence (weighted by count). DEGREE
is the share of the other nodes linked either way; BETWEENNESS uses undirected shortest
paths from sources picked with a fixed seed where the graph is big (see
betweenness_sources: each source walks the whole graph, about 1 µs per node and edge here).
Scores are rounded to 12 digits; equal scores share a rank (1, 2, 2, 4).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import networkx as nx
import numpy as np

from graphsvc.graph.analytics import compiled
from graphsvc.graph.analytics.cooccurrence import CoKind, cooccurrence_graph
from graphsvc.graph.analytics.providers import provider_links
from graphsvc.graph.analytics.related import related_arrays, undirected_pairs
from graphsvc.graph.mapped import KeySeq
from graphsvc.graph.memo import memoised
from graphsvc.graph.nxraw import put_edge, put_undirected_edge
from graphsvc.graph.store import GraphStore
from graphsvc.identity import kind_of
from graphsvc.model import NodeKind

#: Betweenness sources: at most this many, fewer where (nodes + edges) × sources would pass
#: the budget, never fewer than the minimum; all nodes (exact) where that is no more.
BETWEENNESS_SAMPLES = 200
BETWEENNESS_BUDGET = 20_000_000
BETWEENNESS_MIN_SAMPLES = 10
SEED = 42
DIGITS = 12
_EDGE: dict[str, Any] = {}


class Centrality(StrEnum):
    """Centrality measures."""

    PAGERANK = "PAGERANK"
    DEGREE = "DEGREE"
    BETWEENNESS = "BETWEENNESS"


@dataclass(frozen=True, slots=True)
class Ranking:
    """Nodes of one kind by one measure: best first (ties by key), scores and ranks."""

    order: Sequence[str]
    scores: Mapping[str, float]
    ranks: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Ranked:
    """One node of a ranking."""

    key: str
    score: float
    rank: int


def article_graph(store: GraphStore) -> nx.DiGraph:
    """Every article and the RELATED edges, in key order.

    Like the store's own graph, every edge shares one attribute dict (never mutated), which
    takes about a fifth of the memory of a dict per edge (docs/architecture.md#memory-is-edges)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(store.articles))
    for key in sorted(store.full_by_date):
        for target in store.related_out(key):
            put_edge(graph, key, target, _EDGE)
    return graph


def provider_graph(store: GraphStore) -> nx.DiGraph:
    """Every provider, with an edge weighted by how often one's articles list the other's."""
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(store.providers))
    links = provider_links(store).out
    for source in sorted(links):
        graph.add_weighted_edges_from((source, target, n) for target, n in links[source])
    return graph


def topic_graph(store: GraphStore) -> nx.Graph:
    """Every topic, with an edge weighted by how many articles carry both."""
    graph = nx.Graph()
    graph.add_nodes_from(sorted(store.topics))
    pairs = cooccurrence_graph(store, CoKind.TOPIC, first=len(store.topics)).edges
    graph.add_weighted_edges_from(sorted((a, b, n) for a, b, n, _w in pairs))
    return graph


def graph_of(store: GraphStore, kind: NodeKind) -> nx.Graph:
    """The graph a kind's centrality is measured on. The article graph, as big as the store's
    RELATED edges, is built for each measure and dropped; the small ones are kept."""
    if kind is NodeKind.ARTICLE:
        return article_graph(store)
    build = provider_graph if kind is NodeKind.PROVIDER else topic_graph
    return memoised(store, f"centrality-graph:{kind.value}", build)


def _undirected(graph: nx.Graph) -> nx.Graph:
    """An undirected copy (sharing one edge dict; unweighted), much faster to walk than
    NetworkX's undirected view of a directed graph."""
    if not graph.is_directed():
        return graph
    out = nx.Graph()
    out.add_nodes_from(graph)
    for u, v in graph.edges():
        put_undirected_edge(out, u, v, _EDGE)
    return out


def measure(graph: nx.Graph, how: Centrality) -> dict[str, float]:
    """Scores of every node of a graph: NetworkX's measures (PageRank and betweenness by
    compiled code that gives NetworkX's results, see compiled.py)."""
    if how is Centrality.PAGERANK:
        return compiled.pagerank(graph)
    undirected = _undirected(graph)
    if how is Centrality.DEGREE:
        return dict(nx.degree_centrality(undirected))
    k = betweenness_sources(undirected.number_of_nodes(), undirected.number_of_edges())
    return compiled.betweenness(undirected, k, SEED)


def betweenness_sources(nodes: int, edges: int) -> int | None:
    """How many sources betweenness samples (None: every node, exact).

    >>> [betweenness_sources(n, m) for n, m in [(20, 100), (409, 9000), (287_568, 2_900_000)]]
    [None, 200, 10]
    """
    k = BETWEENNESS_BUDGET // max(nodes + edges, 1)
    k = max(BETWEENNESS_MIN_SAMPLES, min(BETWEENNESS_SAMPLES, k))
    return None if nodes <= k else k


def rank_scores(scores: Mapping[str, float]) -> Ranking:
    """Best first, ties by key; equal (rounded) scores share the best rank among them."""
    rounded = {k: round(v, DIGITS) for k, v in scores.items()}
    return ranked(sorted(rounded, key=lambda k: (-rounded[k], k)), rounded)


def ranked(order: Sequence[str], rounded: Mapping[str, float]) -> Ranking:
    """The ranking of rounded scores already in ``rank_scores``'s order (such as one a
    snapshot file keeps): the ranks follow without sorting again."""
    ranks: dict[str, int] = {}
    last: tuple[float, int] | None = None  # (score, rank) of the previous node
    for position, key in enumerate(order, start=1):
        if last is None or rounded[key] != last[0]:
            last = (rounded[key], position)
        ranks[key] = last[1]
    return Ranking(tuple(order), MappingProxyType(dict(rounded)), MappingProxyType(ranks))


def ranked_arrays(
    keys: Sequence[str], number: Mapping[str, int], scores: np.ndarray, order: np.ndarray
) -> Ranking:
    """``ranked`` of a ranking a snapshot file keeps, without a dict per node: ``scores``
    (NaN for a node without one) and ``order`` are by record number (``keys[i]``, found by
    ``number``); the ranks follow from the scores in order, as ``ranked`` gives them."""
    in_order = scores[order]
    position = np.arange(1, len(order) + 1)
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = in_order[1:] != in_order[:-1]
    ranks = np.zeros(len(keys), dtype=np.int64)
    ranks[order] = np.maximum.accumulate(np.where(starts, position, 0)) if len(order) else 0
    return Ranking(
        KeySeq(order, keys.__getitem__),
        _ByNumber(keys, number, scores, float),
        _ByNumber(keys, number, np.where(np.isnan(scores), 0, ranks), int, np.isnan(scores)),
    )


class _ByNumber(Mapping[str, Any]):
    """Key -> value of a per-record array (records without a value are not keys)."""

    __slots__ = ("_cast", "_keys", "_missing", "_number", "_values")

    def __init__(
        self,
        keys: Sequence[str],
        number: Mapping[str, int],
        values: np.ndarray,
        cast: type,
        missing: np.ndarray | None = None,
    ) -> None:
        self._keys, self._number, self._values, self._cast = keys, number, values, cast
        self._missing = np.isnan(values) if missing is None else missing

    def __getitem__(self, key: str) -> Any:
        i = self._number.get(key)
        if i is None or self._missing[i]:
            raise KeyError(key)
        return self._cast(self._values[i])

    def __contains__(self, key: object) -> bool:
        i = self._number.get(key) if isinstance(key, str) else None
        return i is not None and not self._missing[i]

    def __iter__(self) -> Iterator[str]:
        return map(self._keys.__getitem__, np.flatnonzero(~self._missing).tolist())

    def __len__(self) -> int:
        return int(len(self._missing) - np.count_nonzero(self._missing))


def article_degrees(store: GraphStore) -> dict[str, float]:
    """NetworkX's degree centrality of the undirected RELATED graph: distinct related
    articles either way, over the other articles."""
    found = related_arrays(store)
    pairs = undirected_pairs(found.src, found.dst)
    n = len(found.nodes)
    degree = np.bincount(pairs.ravel(), minlength=n) if n else np.zeros(0)
    scale = 1 / (n - 1) if n > 1 else 1.0
    return dict(zip(found.nodes, (degree * scale).tolist(), strict=True))


def scores_of(store: GraphStore, kind: NodeKind, how: Centrality) -> dict[str, float]:
    """Scores of every node of a kind by a measure."""
    if kind is NodeKind.ARTICLE and how is Centrality.DEGREE:
        return article_degrees(store)  # no copy of the RELATED graph needed
    if kind is NodeKind.ARTICLE:
        found = related_arrays(store)  # article_graph's nodes and edges, as numbers
        nodes, src, dst = found.nodes, found.src, found.dst
        if how is Centrality.PAGERANK:
            scores = compiled.pagerank_arrays(len(nodes), src, dst)
        else:
            pairs = undirected_pairs(src, dst)
            k = betweenness_sources(len(nodes), len(pairs))
            scores = compiled.betweenness_arrays(nodes, pairs, k, SEED)
        return dict(zip(nodes, scores.tolist(), strict=True))
    return measure(graph_of(store, kind), how)


def memo_name(kind: NodeKind, how: Centrality) -> str:
    """The name a kind's ranking by a measure is kept under, per snapshot."""
    return f"centrality:{kind.value}:{how.value}"


def ranking(store: GraphStore, kind: NodeKind, how: Centrality) -> Ranking:
    """A kind's ranking by a measure (computed once per snapshot, before it is served)."""
    return memoised(store, memo_name(kind, how), lambda s: rank_scores(scores_of(s, kind, how)))


def central(store: GraphStore, kind: NodeKind, how: Centrality, first: int = 10) -> list[Ranked]:
    """The ``first`` most central nodes of a kind."""
    found = ranking(store, kind, how)
    return [Ranked(k, found.scores[k], found.ranks[k]) for k in found.order[:first]]


def rank_of(store: GraphStore, key: str, how: Centrality = Centrality.PAGERANK) -> Ranked | None:
    """A node's score and rank among the nodes of its kind."""
    found = ranking(store, kind_of(key), how)
    if key not in found.ranks:
        return None
    return Ranked(key, found.scores[key], found.ranks[key])
