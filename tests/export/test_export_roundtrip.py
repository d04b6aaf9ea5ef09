"""Every format on the real corpus, read back (NetworkX's readers, csv, json): the same nodes,
the same edges by kind, the same key attributes as the store, and unique edge ids where the
format has them (GEXF, Cytoscape.js)."""

from __future__ import annotations

from collections import Counter

import pytest

from graphsvc.export import FORMATS, select
from graphsvc.export.cytoscape import edge_id
from graphsvc.export.gexf import COLORS
from graphsvc.graph.store import GraphStore
from graphsvc.model import EdgeKind
from tests.export.export_expect import (
    edge_ids,
    export_bytes,
    from_jsonld,
    read_any,
    read_cytoscape,
    read_gexf,
    read_graphml,
    restrict,
    store_truth,
)

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def whole(news_store: GraphStore) -> dict[str, bytes]:
    selection = select(news_store)
    return {name: export_bytes(selection, name) for name in FORMATS}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_round_trip_whole_graph(news_store: GraphStore, whole: dict[str, bytes], name: str) -> None:
    nodes, edges = read_any(name, whole[name])
    want_nodes, want_edges = store_truth(news_store)
    assert set(nodes) == set(want_nodes)
    by_kind = Counter(kind for kind, _rank in edges.values())
    counts = news_store.counts
    assert by_kind == {
        "RELATED": counts.related,
        "PUBLISHED_BY": counts.published_by,
        "TAGGED": counts.tagged,
    }
    assert edges == want_edges  # kinds and RELATED ranks, edge by edge
    if name == "jsonld":  # JSON-LD carries no scores, stub flags or counts
        want_nodes = restrict(want_nodes, nodes)
    assert nodes == want_nodes
    check_edge_ids(name, whole[name], len(want_edges))


def check_edge_ids(name: str, data: bytes, count: int) -> None:
    """Where a format gives edges ids (GEXF, Cytoscape.js), every edge has one, all differ."""
    ids = edge_ids(name, data)
    if ids is None:
        return
    assert len(ids) == count
    assert None not in ids and "" not in ids
    assert len(set(ids)) == count, [i for i, n in Counter(ids).items() if n > 1][:5]


def test_the_corpus_counts_are_the_documented_ones(whole: dict[str, bytes]) -> None:
    nodes, edges = read_any("json", whole["json"])
    assert Counter(k[:2] for k in nodes) == {"a:": 1368 + 2559, "p:": 409, "t:": 20}
    assert len(edges) == 47_792


def test_graphml_keys_are_typed(whole: dict[str, bytes]) -> None:
    graph = read_graphml(whole["graphml"])
    node = graph.nodes["t:azure"]
    assert node["articleCount"] == 1368 and isinstance(node["articleCount"], int)
    article = next(d for _k, d in graph.nodes(data=True) if d.get("quality") is not None)
    assert isinstance(article["quality"], int) and isinstance(article["isStub"], bool)
    assert article["label"] == article["title"]
    text = whole["graphml"][:4000].decode()
    assert 'attr.name="quality" attr.type="int"' in text
    assert 'attr.name="isStub" attr.type="boolean"' in text
    assert 'attr.name="rank" attr.type="int"' in text


def test_gexf_is_dynamic_on_published_at_and_coloured_by_kind(
    news_store: GraphStore, whole: dict[str, bytes]
) -> None:
    head = whole["gexf"][:600].decode()
    assert 'version="1.3"' in head and 'xmlns="http://gexf.net/1.3"' in head
    assert 'mode="dynamic" timeformat="date"' in whole["gexf"][:3000].decode()
    graph = read_gexf(whole["gexf"])
    for key, data in graph.nodes(data=True):
        published = data.get("publishedAt")
        assert data.get("start") == (published[:10] if published else None), key
        kind = "stub" if data.get("isStub") else data["kind"]
        r, g, b = COLORS[kind]
        assert data["viz"]["color"] == {"r": r, "g": g, "b": b, "a": 1.0}
    dated = sum(1 for a in news_store.articles.values() if a.published_at)
    assert sum(1 for _k, d in graph.nodes(data=True) if "start" in d) == dated


def test_cytoscape_ids_name_nodes_and_edges(
    news_store: GraphStore, whole: dict[str, bytes]
) -> None:
    """A node's id and value are its key; an edge's id is ``KIND|source|target`` of keys; no
    edge id is also a node id (Cytoscape.js has one id space)."""
    graph = read_cytoscape(whole["cyjs"])
    assert graph.number_of_nodes() == news_store.graph.number_of_nodes()
    assert graph.number_of_edges() == news_store.graph.number_of_edges()
    assert all(d["value"] == d["id"] == k for k, d in graph.nodes(data=True))
    for source, target, data in graph.edges(data=True):
        assert data["id"] == f"{data['kind']}|{source}|{target}"
        assert data["id"] == edge_id(source, target, EdgeKind(data["kind"]))
    ids = edge_ids("cyjs", whole["cyjs"])
    assert ids is not None and not set(ids) & set(graph)


def test_jsonld_mentions_keep_rank_order(news_store: GraphStore, whole: dict[str, bytes]) -> None:
    _nodes, edges = from_jsonld(whole["jsonld"])
    key = news_store.full_by_date[0]
    mentioned = sorted(
        ((rank, t) for (s, t), (kind, rank) in edges.items() if s == key and kind == "RELATED"),
    )
    assert [t for _rank, t in mentioned] == news_store.related_out(key)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_filtered_selection_round_trips(news_store: GraphStore, name: str) -> None:
    from graphsvc.export import SelectionSpec
    from graphsvc.graph.queries import ArticleFilter

    selection = select(news_store, SelectionSpec(ArticleFilter(topics=("Security",))))
    data = export_bytes(selection, name)
    nodes, edges = read_any(name, data)
    want_nodes, want_edges = store_truth(news_store, selection.nodes())
    assert set(nodes) == set(want_nodes)
    if name == "jsonld":  # ranks are positions among the mentions that went out
        want_nodes = restrict(want_nodes, nodes)
        edges = {e: (kind, None) for e, (kind, _rank) in edges.items()}
        want_edges = {e: (kind, None) for e, (kind, _rank) in want_edges.items()}
    assert edges == want_edges  # ranks are the full list's, gaps and all
    assert nodes == want_nodes
    check_edge_ids(name, data, len(want_edges))
