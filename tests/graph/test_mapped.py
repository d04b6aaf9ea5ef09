"""A snapshot read in place (graph/mapped.py) is the same NetworkX graph as the built one:
NetworkX's views and algorithms give the same answers on both, and it cannot be changed."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import MappingProxyType

import networkx as nx
import pytest

from graphsvc.graph.mapped import MappedArticles, MappedDiGraph
from graphsvc.graph.queries import (
    SORT_KEYS,
    ArticleFilter,
    ArticleOrder,
    filter_articles,
    sort_articles,
)
from graphsvc.graph.searching import StoreDocs, iter_search_docs
from graphsvc.graph.snapshot import read_snapshot, write_snapshot
from graphsvc.graph.store import GraphStore


@pytest.fixture(scope="module")
def pair(
    news_store: GraphStore, tmp_path_factory: pytest.TempPathFactory
) -> tuple[GraphStore, GraphStore]:
    path = Path(tmp_path_factory.mktemp("mapped")) / "news.snap"
    write_snapshot(news_store, path)
    return news_store, read_snapshot(path, analytics=False)


def sample(store: GraphStore) -> list[str]:
    """Articles with related lists, stubs, providers and topics: every kind of row."""
    keys = [k for k in store.full_by_date if store.related_out(k)][:40]
    keys += list(store.stubs_by_date[:20]) + list(store.providers)[:20] + list(store.topics)[:10]
    return keys


def test_read_store_is_mapped(pair: tuple[GraphStore, GraphStore]) -> None:
    _built, read = pair
    assert isinstance(read.graph, MappedDiGraph)
    assert isinstance(read.articles, MappedArticles)


def test_views_agree(pair: tuple[GraphStore, GraphStore]) -> None:
    built, read = pair
    gb, gr = built.graph, read.graph
    assert gr.number_of_nodes() == gb.number_of_nodes()
    assert gr.number_of_edges() == gb.number_of_edges()
    assert list(gr.nodes(data="kind")) == list(gb.nodes(data="kind"))
    assert list(gr.edges(data="kind")) == list(gb.edges(data="kind"))
    for key in sample(built):
        assert list(gr.successors(key)) == list(gb.successors(key)), key
        assert list(gr.predecessors(key)) == list(gb.predecessors(key)), key
        assert (gr.degree(key), gr.in_degree(key)) == (gb.degree(key), gb.in_degree(key))
        for target in list(gb.successors(key))[:5]:
            assert gr.has_edge(key, target) and gr.edges[key, target] == gb.edges[key, target]
            assert not gr.has_edge(target, key) or gb.has_edge(target, key)
    assert "a:https://nowhere.example/x" not in gr
    with pytest.raises(KeyError):
        gr.succ["a:https://nowhere.example/x"]


def test_algorithms_agree(pair: tuple[GraphStore, GraphStore]) -> None:
    built, read = pair
    gb, gr = built.graph, read.graph
    keys = sample(built)
    far = built.full_by_date[-1]
    for key in keys[:15]:
        ego_b, ego_r = nx.ego_graph(gb, key, radius=2), nx.ego_graph(gr, key, radius=2)
        assert sorted(ego_r.edges) == sorted(ego_b.edges), key
        ub, ur = gb.to_undirected(as_view=True), gr.to_undirected(as_view=True)
        if nx.has_path(ub, key, far):
            assert nx.shortest_path_length(ur, key, far) == nx.shortest_path_length(ub, key, far)
    assert sorted(map(len, nx.weakly_connected_components(gr))) == sorted(
        map(len, nx.weakly_connected_components(gb))
    )


def test_it_cannot_be_changed(pair: tuple[GraphStore, GraphStore]) -> None:
    _built, read = pair
    key = read.full_by_date[0]
    with pytest.raises(TypeError):
        read.graph.add_edge(key, "a:https://new.example/")
    with pytest.raises(TypeError):
        read.graph.remove_node(key)


def test_articles_decode_on_demand(pair: tuple[GraphStore, GraphStore]) -> None:
    built, read = pair
    assert len(read.articles) == len(built.articles)
    for key in sample(built):
        assert (key in read.articles) == (key in built.articles)
        if key in built.articles:
            assert read.articles[key] == built.articles[key]
        else:
            with pytest.raises(KeyError):
                read.articles[key]  # a provider or topic key is not an article
    assert read.articles.get("a:https://nowhere.example/x") is None


def test_search_documents_are_made_on_demand_in_the_indexed_order(
    pair: tuple[GraphStore, GraphStore],
) -> None:
    """An index opened from its folder reads its hits' documents by position: the lazy
    sequence must be exactly the documents it was built from, in that order."""
    built, read = pair
    expected = list(iter_search_docs(built))
    for store in (built, read):
        docs = StoreDocs(store)
        assert len(docs) == len(expected)
        assert list(docs) == expected
        assert docs[-1] == expected[-1] and docs[3:6] == expected[3:6]
        assert docs.kinds == {d.kind for d in expected}
        with pytest.raises(IndexError):
            docs[len(expected)]


def test_url_lookups_agree(pair: tuple[GraphStore, GraphStore], tmp_path: Path) -> None:
    """Every URL (an article's own, and another it was seen under) finds the same article."""
    built, _read = pair
    target = built.full_by_date[0]
    index = {**built.url_index, "https://alias.example/moved": target}
    built = dataclasses.replace(built, url_index=MappingProxyType(index))
    write_snapshot(built, tmp_path / "alias.snap")
    read = read_snapshot(tmp_path / "alias.snap", analytics=False)
    assert read.url_index["https://alias.example/moved"] == target
    assert list(read.url_index.items()) == list(built.url_index.items())
    for url, key in built.url_index.items():
        assert read.url_index[url] == key and url in read.url_index
    assert read.url_index.get("https://nowhere.example/x") is None
    assert "https://nowhere.example/x" not in read.url_index
    assert len(read.url_index) == len(built.url_index)


@pytest.mark.parametrize("order", list(ArticleOrder))
def test_sorts_read_off_the_places_equal_sorting_the_records(
    pair: tuple[GraphStore, GraphStore], order: ArticleOrder
) -> None:
    """The article places (kept in the file) against a plain sort of the decoded records by
    ``SORT_KEYS``, stubs included, and ``minQuality`` against a plain filter."""
    built, read = pair
    every = list(built.articles)[::-1]
    expected = sorted(every, key=lambda k: SORT_KEYS[order](built.articles[k]))
    assert sort_articles(read, every, order) == expected
    assert sort_articles(built, every, order) == expected
    flt = ArticleFilter(min_quality=2)
    passing = [k for k in built.full_by_date if (built.articles[k].quality or 0) >= 2]
    assert passing and len(passing) < len(built.full_by_date)
    assert list(filter_articles(read, flt)) == passing
