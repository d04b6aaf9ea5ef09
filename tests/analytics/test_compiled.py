"""The compiled PageRank and betweenness give NetworkX's own results: on hand-made graphs and
on every graph that centrality.py measures on the shared corpus, scores and whole rankings."""

from __future__ import annotations

import networkx as nx
import pytest
from networkx.algorithms.link_analysis import pagerank_alg

from graphsvc.graph.analytics import centrality, compiled
from graphsvc.graph.analytics.centrality import Centrality, rank_scores
from graphsvc.graph.store import GraphStore
from graphsvc.model import NodeKind


def nx_pagerank(graph: nx.Graph) -> dict[str, float]:
    """NetworkX's PageRank in pure Python (what graphsvc ran before; no SciPy involved)."""
    return dict(pagerank_alg._pagerank_python(graph))


def nx_betweenness(graph: nx.Graph) -> dict[str, float]:
    undirected = centrality._undirected(graph)
    k = centrality.betweenness_sources(undirected.number_of_nodes(), undirected.number_of_edges())
    return dict(nx.betweenness_centrality(undirected, k=k, seed=centrality.SEED))


def assert_close(found: dict[str, float], expected: dict[str, float]) -> None:
    assert found.keys() == expected.keys()
    worst = max((abs(found[k] - expected[k]) for k in expected), default=0.0)
    assert worst < 1e-13, worst


SMALL = [
    nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]),  # d dangles
    nx.path_graph([f"n{i}" for i in range(7)]),
    nx.star_graph(5),
    nx.karate_club_graph(),
]


@pytest.mark.parametrize("graph", SMALL, ids=["cycle+dangling", "path", "star", "karate"])
def test_small_graphs(graph: nx.Graph) -> None:
    assert_close(compiled.pagerank(graph), nx_pagerank(graph))
    undirected = graph.to_undirected() if graph.is_directed() else graph
    exact = nx.betweenness_centrality(undirected)
    assert_close(compiled.betweenness(undirected, None, 42), exact)
    for k in (1, 2, 3):  # sampled: the same sources as NetworkX's, the same rescaling
        sampled = nx.betweenness_centrality(undirected, k=k, seed=42)
        found = compiled.betweenness(undirected, k, 42)
        if k == 1:  # NetworkX leaves the one source's score undefined (NaN)
            assert {n for n, v in found.items() if v != v} == {
                n for n, v in sampled.items() if v != v
            }
            found = {n: v for n, v in found.items() if v == v}
            sampled = {n: v for n, v in sampled.items() if v == v}
        assert_close(found, sampled)


def test_weighted_pagerank() -> None:
    graph = nx.DiGraph()
    graph.add_weighted_edges_from([("a", "b", 3), ("a", "c", 1), ("b", "c", 2), ("c", "a", 5)])
    assert_close(compiled.pagerank(graph), nx_pagerank(graph))
    assert compiled.pagerank(nx.DiGraph()) == {}


@pytest.mark.corpus
@pytest.mark.parametrize("kind", list(NodeKind))
def test_shared_corpus_scores_and_rankings_equal_networkx(
    news_store: GraphStore, kind: NodeKind
) -> None:
    graph = centrality.graph_of(news_store, kind)
    expected = {
        Centrality.PAGERANK: nx_pagerank(graph),
        Centrality.BETWEENNESS: nx_betweenness(graph),
    }
    for how, scores in expected.items():
        found = centrality.scores_of(news_store, kind, how)  # what a snapshot is built with
        assert_close(found, scores)
        served = centrality.ranking(news_store, kind, how)
        reference = rank_scores(scores)
        assert (served.order, dict(served.ranks)) == (reference.order, dict(reference.ranks))
        assert dict(served.scores) == dict(reference.scores)
