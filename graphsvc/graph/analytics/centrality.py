"""Centrality of articles, providers and topics with NetworkX, ranked once per snapshot.

Each kind is measured on its own graph: articles on the RELATED graph (stubs included;
PageRank follows the listing direction), providers on their RELATED links (weighted by
edge count, see providers.py), topics on their co-occurrence (weighted by count). DEGREE
is the share of the other nodes linked either way; BETWEENNESS uses undirected shortest
paths and, on graphs of more than BETWEENNESS_SAMPLES nodes, that many sources picked with
a fixed seed. Scores are rounded to 12 digits; equal scores share a rank (1, 2, 2, 4).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import networkx as nx
from networkx.algorithms.link_analysis import pagerank_alg

from graphsvc.graph.analytics.cooccurrence import CoKind, cooccurrence_graph
from graphsvc.graph.analytics.memo import memoised
from graphsvc.graph.analytics.providers import provider_links
from graphsvc.graph.store import GraphStore
from graphsvc.model import NodeKind, kind_of

BETWEENNESS_SAMPLES = 200
SEED = 42
DIGITS = 12


class Centrality(StrEnum):
    """Centrality measures."""

    PAGERANK = "PAGERANK"
    DEGREE = "DEGREE"
    BETWEENNESS = "BETWEENNESS"


@dataclass(frozen=True, slots=True)
class Ranking:
    """Nodes of one kind by one measure: best first (ties by key), scores and ranks."""

    order: tuple[str, ...]
    scores: Mapping[str, float]
    ranks: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Ranked:
    """One node of a ranking."""

    key: str
    score: float
    rank: int


def _pagerank(graph: nx.Graph) -> dict[str, float]:
    """NetworkX's PageRank: its SciPy version where SciPy is installed, else its pure Python one."""
    if importlib.util.find_spec("scipy") is None:
        return dict(pagerank_alg._pagerank_python(graph))
    return dict(nx.pagerank(graph))


def article_graph(store: GraphStore) -> nx.DiGraph:
    """Every article and the RELATED edges, in key order."""
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(store.articles))
    for key in sorted(store.full_by_date):
        graph.add_edges_from((key, target) for target in store.related_out(key))
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
    """The graph a kind's centrality is measured on (built once per snapshot)."""
    build = {
        NodeKind.ARTICLE: article_graph,
        NodeKind.PROVIDER: provider_graph,
        NodeKind.TOPIC: topic_graph,
    }[kind]
    return memoised(store, f"centrality-graph:{kind.value}", build)


def measure(graph: nx.Graph, how: Centrality) -> dict[str, float]:
    """Scores of every node of a graph."""
    if how is Centrality.PAGERANK:
        return _pagerank(graph)
    undirected: Any = graph.to_undirected(as_view=True) if graph.is_directed() else graph
    if how is Centrality.DEGREE:
        return dict(nx.degree_centrality(undirected))
    n = graph.number_of_nodes()
    k = BETWEENNESS_SAMPLES if n > BETWEENNESS_SAMPLES else None
    return dict(nx.betweenness_centrality(undirected, k=k, seed=SEED))


def rank_scores(scores: Mapping[str, float]) -> Ranking:
    """Best first, ties by key; equal (rounded) scores share the best rank among them."""
    rounded = {k: round(v, DIGITS) for k, v in scores.items()}
    order = sorted(rounded, key=lambda k: (-rounded[k], k))
    ranks: dict[str, int] = {}
    last: tuple[float, int] | None = None  # (score, rank) of the previous node
    for position, key in enumerate(order, start=1):
        if last is None or rounded[key] != last[0]:
            last = (rounded[key], position)
        ranks[key] = last[1]
    return Ranking(tuple(order), MappingProxyType(rounded), MappingProxyType(ranks))


def ranking(store: GraphStore, kind: NodeKind, how: Centrality) -> Ranking:
    """A kind's ranking by a measure (computed once per snapshot, on first use)."""
    return memoised(
        store,
        f"centrality:{kind.value}:{how.value}",
        lambda s: rank_scores(measure(graph_of(s, kind), how)),
    )


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
