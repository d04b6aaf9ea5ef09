"""Selection rules: whole graph, filters (as ArticleFilter), seeds with a depth, bad input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graphsvc.api.context import encode_id
from graphsvc.export import SelectionError, SelectionSpec, parse_spec, select
from graphsvc.export.select import MAX_DEPTH, neighborhood_keys, parse_time, resolve_seed
from graphsvc.graph.queries import ArticleFilter, filter_articles
from graphsvc.graph.store import GraphStore
from graphsvc.graph.traversal import neighborhood


def test_no_filter_and_no_seed_is_the_whole_graph(seeds_store: GraphStore) -> None:
    selection = select(seeds_store)
    assert selection.is_whole_graph
    assert set(selection.nodes()) == set(seeds_store.graph)
    assert selection.node_count == seeds_store.graph.number_of_nodes()
    assert selection.edge_count() == seeds_store.counts.edges == len(list(selection.edges()))


def test_a_filter_picks_what_filter_articles_picks(seeds_store: GraphStore) -> None:
    flt = ArticleFilter(topics=("Kubernetes",))
    selection = select(seeds_store, SelectionSpec(flt))
    assert list(selection.articles) == list(filter_articles(seeds_store, flt))
    assert not any(seeds_store.articles[k].is_stub for k in selection.articles)
    providers = {seeds_store.articles[k].provider for k in selection.articles}
    topics = {t for k in selection.articles for t in seeds_store.articles[k].topics}
    assert set(selection.providers) == providers and set(selection.topics) == topics
    members = set(selection.nodes())
    for source, target, kind, rank in selection.edges():
        assert source in members and target in members
        if kind.value == "RELATED":
            assert rank == seeds_store.rank(source, target)  # the full list's rank
    expected = {(s, t) for s, t, _k in seeds_store.iter_edges() if s in members and t in members}
    assert {(s, t) for s, t, _k, _r in selection.edges()} == expected
    assert selection.edge_count() == len(expected)


def test_include_stubs_alone_is_every_article(seeds_store: GraphStore) -> None:
    spec = parse_spec(seeds_store, include_stubs="true")
    selection = select(seeds_store, spec)
    assert set(selection.nodes()) == set(seeds_store.graph)
    assert not selection.is_whole_graph
    assert selection.edge_count() == seeds_store.counts.edges


def test_a_seed_keeps_its_surroundings(seeds_store: GraphStore) -> None:
    seed = seeds_store.full_by_date[0]
    selection = select(seeds_store, SelectionSpec(seed=seed, depth=1))
    around = neighborhood(seeds_store, seed, 1, limit=500)
    assert set(around.nodes) <= set(selection.nodes())
    assert selection.articles[0] == seed  # nearest first
    assert set(selection.articles) == {k for k in around.nodes if k.startswith("a:")}
    only = select(seeds_store, SelectionSpec(seed=seed, depth=0))
    article = seeds_store.articles[seed]
    assert set(only.nodes()) == {seed, article.provider, *article.topics}


def test_a_topic_seed_stays_in_even_at_depth_zero(seeds_store: GraphStore) -> None:
    topic = next(iter(seeds_store.topics))
    assert set(select(seeds_store, SelectionSpec(seed=topic, depth=0)).nodes()) == {topic}
    near = select(seeds_store, SelectionSpec(seed=topic, depth=1))
    assert set(near.articles) == set(seeds_store.topic_articles[topic])


def test_seed_and_filter_together(seeds_store: GraphStore) -> None:
    seed = seeds_store.full_by_date[0]
    flt = ArticleFilter(include_stubs=False)
    selection = select(seeds_store, SelectionSpec(flt, seed, 2))
    around = neighborhood_keys(seeds_store, seed, 2)
    assert set(selection.articles) == {k for k in filter_articles(seeds_store, flt) if k in around}


@pytest.mark.corpus
def test_the_seed_neighbourhood_has_no_node_cap(news_store: GraphStore) -> None:
    selection = select(news_store, parse_spec(news_store, seed="t:azure", depth=1))
    assert len(selection.articles) == 1368  # over the API's 500-node neighbourhood limit


def test_seeds_by_url_id_or_key(seeds_store: GraphStore) -> None:
    key = seeds_store.full_by_date[0]
    url = seeds_store.articles[key].url
    assert resolve_seed(seeds_store, url) == key
    scheme, rest = url.split("://", 1)
    host, path = rest.split("/", 1)
    assert resolve_seed(seeds_store, f"{scheme.upper()}://{host.upper()}/{path}#x") == key
    assert resolve_seed(seeds_store, encode_id(key)) == key
    assert resolve_seed(seeds_store, key) == key


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"topics": ["no such topic"]}, "topic"),
        ({"providers": ["nowhere.example"]}, "provider"),
        ({"after": "yesterday"}, "after"),
        ({"before": "2021-02-30"}, "before"),
        ({"min_quality": "high"}, "minQuality"),
        ({"include_stubs": "maybe"}, "includeStubs"),
        ({"seed": "https://nowhere.example/x"}, "seed"),
        ({"depth": "2"}, "depth"),
        ({"seed": "t:kubernetes", "depth": "-1"}, "depth"),
        ({"seed": "t:kubernetes", "depth": str(MAX_DEPTH + 1)}, "depth"),
        ({"seed": "t:kubernetes", "depth": "two"}, "depth"),
    ],
)
def test_bad_input_names_the_parameter(
    seeds_store: GraphStore, kwargs: dict[str, str], parameter: str
) -> None:
    with pytest.raises(SelectionError) as caught:
        parse_spec(seeds_store, **kwargs)  # type: ignore[arg-type]
    assert caught.value.parameter == parameter


def test_dates_are_read_as_utc() -> None:
    assert parse_time("2021", "after") == datetime(2021, 1, 1, tzinfo=UTC)
    assert parse_time("2021-06", "after") == datetime(2021, 6, 1, tzinfo=UTC)
    assert parse_time("2021-06-02", "after") == datetime(2021, 6, 2, tzinfo=UTC)
    assert parse_time("2021-06-02T03:04:05Z", "after") == datetime(2021, 6, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_time("2021-06-02T03:04:05", "after") == datetime(2021, 6, 2, 3, 4, 5, tzinfo=UTC)


def test_an_empty_selection_is_fine(seeds_store: GraphStore) -> None:
    selection = select(seeds_store, parse_spec(seeds_store, after="2100"))
    assert selection.node_count == 0 and selection.edge_count() == 0
