"""The invariant graph/nxraw.py relies on: NetworkX's public views read the very dicts the
adapter fills, on the real corpus's store, built and read back from a snapshot file."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from graphsvc.graph import nxraw
from graphsvc.graph.build import EDGE_ATTRS, NODE_ATTRS
from graphsvc.graph.snapshot import read_snapshot, write_snapshot
from graphsvc.graph.store import GraphStore
from graphsvc.identity import kind_of


def check_layout(graph: nx.DiGraph) -> None:
    nodes, succ, pred = nxraw.node_dicts(graph), nxraw.succ_dicts(graph), nxraw.pred_dicts(graph)
    assert list(graph) == list(nodes) == list(succ) == list(pred)
    assert graph.number_of_edges() == sum(map(len, succ.values())) == sum(map(len, pred.values()))
    shared = {id(d) for d in (*NODE_ATTRS.values(), *EDGE_ATTRS.values())}
    for key, data in graph.nodes(data=True):
        assert data is nodes[key] and data is NODE_ATTRS[kind_of(key)]
        assert list(graph.successors(key)) == list(succ[key])  # rank order survives
        assert list(graph.predecessors(key)) == list(pred[key])
    for source, target, data in graph.edges(data=True):
        assert data is succ[source][target] is pred[target][source]
        assert id(data) in shared  # one dict per kind, never a copy per edge
    # the same edges through NetworkX's own add_edge give an equal graph
    plain = nx.DiGraph()
    plain.add_nodes_from(graph.nodes(data=True))
    plain.add_edges_from(graph.edges(data=True))
    assert nx.utils.graphs_equal(plain, graph)


def test_views_agree_with_the_raw_dicts_of_a_built_store(news_store: GraphStore) -> None:
    check_layout(news_store.graph)


def test_views_agree_with_the_raw_dicts_of_a_read_snapshot(
    news_store: GraphStore, tmp_path: Path
) -> None:
    write_snapshot(news_store, tmp_path / "news.store")
    check_layout(read_snapshot(tmp_path / "news.store").graph)


def test_put_edge_is_seen_by_the_views() -> None:
    graph = nx.DiGraph()
    data = {"kind": "RELATED"}
    for key in ("a:x", "a:y"):
        nxraw.put_node(graph, key, NODE_ATTRS[kind_of(key)])
    nxraw.put_edge(graph, "a:x", "a:y", data)
    assert graph.edges["a:x", "a:y"] is data
    assert list(graph.predecessors("a:y")) == ["a:x"]
    undirected = nx.Graph([("a:x", "a:y")])
    nxraw.put_undirected_edge(undirected, "a:x", "a:y", data)
    assert undirected.edges["a:y", "a:x"] is data
