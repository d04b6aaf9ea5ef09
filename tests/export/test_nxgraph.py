"""The graph as a NetworkX graph in one call (export/nxgraph.py): from a folder or a snapshot
file, whole or a selection (filter, seed and depth, story), checked against the store and
against NetworkX's own ego graph and the API's stories."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
import strawberry

from graphsvc.api.context import Context, encode_id
from graphsvc.api.schema import build_schema
from graphsvc.export import SelectionError
from graphsvc.export.fields import node_values
from graphsvc.export.nxgraph import load_networkx, to_networkx
from graphsvc.graph.snapshot import write_snapshot
from graphsvc.graph.store import GraphStore
from graphsvc.model import EdgeKind
from tests.support import NEWS, SEEDS


def query(schema: strawberry.Schema, store: GraphStore, text: str) -> dict:
    result = schema.execute_sync(text, context_value=Context(store=store))
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def test_whole_graph_from_a_folder(seeds_store: GraphStore, tmp_path: Path) -> None:
    graph = load_networkx(SEEDS, cache_dir=tmp_path)
    assert isinstance(graph, nx.DiGraph)
    assert set(graph) == set(seeds_store.graph)
    assert graph.number_of_edges() == seeds_store.counts.edges
    for key in seeds_store.graph:
        assert graph.nodes[key] == node_values(seeds_store, key)
    for source, target, data in graph.edges(data=True):
        kind = seeds_store.edge_kind(source, target)
        assert data["kind"] == kind.value
        if kind is EdgeKind.RELATED:
            assert data["rank"] == seeds_store.rank(source, target)
        else:
            assert "rank" not in data
    graph.add_node("mine")  # a graph of its own: the store is untouched
    assert "mine" not in seeds_store.graph


def test_snapshot_file_gives_the_same_graph(seeds_store: GraphStore, tmp_path: Path) -> None:
    write_snapshot(seeds_store, tmp_path / "s.snap")
    from_file = load_networkx(tmp_path / "s.snap")
    from_store = to_networkx(seeds_store)
    assert nx.utils.nodes_equal(from_file.nodes(data=True), from_store.nodes(data=True))
    assert nx.utils.edges_equal(from_file.edges(data=True), from_store.edges(data=True))


def test_a_filter_holds_what_the_api_lists(seeds_store: GraphStore, tmp_path: Path) -> None:
    schema = build_schema()
    topic = max(seeds_store.topics.values(), key=lambda t: t.article_count).name
    data = query(
        schema,
        seeds_store,
        f'{{ articles(filter: {{topics: ["{topic}"]}}, first: 100) {{ edges {{ node {{ url }} }} }} }}',
    )
    urls = {e["node"]["url"] for e in data["articles"]["edges"]}
    graph = load_networkx(SEEDS, topics=[topic], cache_dir=tmp_path)
    articles = {d["url"] for _k, d in graph.nodes(data=True) if d["kind"] == "article"}
    assert articles == urls and urls
    # Their providers and topics come along, and every edge has both ends selected.
    for key, d in graph.nodes(data=True):
        if d["kind"] == "article":
            assert graph.has_edge(key, seeds_store.articles[key].provider)


@pytest.mark.corpus
@pytest.mark.parametrize("depth", [0, 1, 2])
def test_a_seed_holds_the_articles_of_networkx_ego_graph(
    news_store: GraphStore, cache_dir: Path, depth: int
) -> None:
    whole = to_networkx(news_store).to_undirected(as_view=True)
    seed = news_store.full_by_date[10]
    ego = nx.ego_graph(whole, seed, radius=depth)
    expected = {k for k in ego if k.startswith("a:")}
    graph = load_networkx(
        NEWS, seed=news_store.articles[seed].url, depth=depth, cache_dir=cache_dir
    )
    assert {k for k, d in graph.nodes(data=True) if d["kind"] == "article"} == expected
    providers = {news_store.articles[k].provider for k in expected}
    assert {k for k, d in graph.nodes(data=True) if d["kind"] == "provider"} == providers


@pytest.mark.corpus
def test_a_story_is_the_api_story(news_store: GraphStore, cache_dir: Path) -> None:
    schema = build_schema()
    data = query(
        schema,
        news_store,
        "{ stories(first: 1) { edges { node { id size articles(first: 100) { edges { node { url } } } } } } }",
    )
    story = data["stories"]["edges"][0]["node"]
    urls = {e["node"]["url"] for e in story["articles"]["edges"]}
    by_id = load_networkx(NEWS, story=story["id"], cache_dir=cache_dir)
    by_article = load_networkx(NEWS, story=next(iter(urls)), cache_dir=cache_dir)
    for graph in (by_id, by_article):
        articles = [k for k, d in graph.nodes(data=True) if d["kind"] == "article"]
        assert {graph.nodes[k]["url"] for k in articles} == urls and len(urls) == story["size"]
        related = graph.subgraph(articles).to_undirected()
        assert nx.is_connected(related)  # a story is one connected cluster


def test_bad_options_name_themselves(seeds_store: GraphStore, tmp_path: Path) -> None:
    with pytest.raises(SelectionError) as info:
        load_networkx(SEEDS, topics=["No such topic"], cache_dir=tmp_path)
    assert info.value.parameter == "topic"
    stub = seeds_store.stubs_by_date[0]  # stubs are in no story
    with pytest.raises(SelectionError, match="in no story"):
        load_networkx(SEEDS, story=encode_id(stub), cache_dir=tmp_path)
    with pytest.raises(SelectionError, match="no story for"):
        load_networkx(SEEDS, story="nothing", cache_dir=tmp_path)
