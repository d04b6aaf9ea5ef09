"""Whole-graph analytics are computed before a store is served, and a snapshot file keeps them:
a loaded or read-back store answers every analytic from its memo, with the same results as a
fresh computation; a file without them (an older format) is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.corpus import load_store
from graphsvc.graph import analytics, memo
from graphsvc.graph.analytics import (
    centrality,
    cooccurrence,
    facets,
    providers,
    stories,
    trends,
)
from graphsvc.graph.analytics.centrality import Centrality
from graphsvc.graph.build import build_store
from graphsvc.graph.mapped import KeySeq
from graphsvc.graph.queries import ArticleFilter
from graphsvc.graph.snapshot import MAGIC, SnapshotError, read_snapshot, write_snapshot
from graphsvc.graph.store import GraphStore
from graphsvc.ingest.loader import load_corpus
from graphsvc.model import NodeKind
from tests.support import SEEDS

#: Every whole-graph analytic, by the memo name it is kept under.
WHOLE_GRAPH = [
    *(centrality.memo_name(kind, how) for kind in NodeKind for how in Centrality),
    stories.MEMO_NAME,
    "timelines",
    "provider-links",
    "topic-mix",
    *(f"baskets:{kind.value}" for kind in cooccurrence.CoKind),
]


def missing(store: GraphStore) -> list[str]:
    return [name for name in WHOLE_GRAPH if memo.memo_value(store, name) is None]


def built_without_analytics(root: Path) -> GraphStore:
    result = load_corpus(root, use_cache=False)
    return build_store(result.records, result.report, version=result.version, root=str(root))


def test_a_plain_build_computes_nothing_until_asked() -> None:
    store = built_without_analytics(SEEDS)
    assert missing(store) == WHOLE_GRAPH  # the check below could not pass by accident
    assert analytics.results(store) is None


def test_a_loaded_store_has_every_analytic_before_it_is_served(tmp_path: Path) -> None:
    store = load_store(SEEDS, cache_dir=tmp_path)
    assert missing(store) == []
    assert memo.memo_value(store, "facets:table")  # the unfiltered facets, among them
    assert memo.memo_value(store, "cooccurrence-graph:table")


def test_warm_results_equal_a_fresh_computation() -> None:
    store = analytics.warm(built_without_analytics(SEEDS))
    fresh = built_without_analytics(SEEDS)
    for kind in NodeKind:
        for how in Centrality:
            assert centrality.ranking(store, kind, how) == centrality.rank_scores(
                centrality.scores_of(fresh, kind, how)
            )
    assert stories.stories(store) == stories.build_stories(fresh)


def assert_same_analytics(read: GraphStore, built: GraphStore) -> None:
    assert missing(read) == []
    for kind in NodeKind:
        for how in Centrality:
            assert centrality.ranking(read, kind, how) == centrality.ranking(built, kind, how)
    assert stories.stories(read) == stories.stories(built)
    assert providers.provider_links(read) == providers.provider_links(built)
    assert providers.topic_mixes(read) == providers.topic_mixes(built)
    assert trends.timelines(read) == trends.timelines(built)
    assert facets.facets(read) == facets.facets(built)
    for kind in ("topic", "provider"):
        assert trends.trending(read, kind) == trends.trending(built, kind)
    for kind in cooccurrence.CoKind:
        assert cooccurrence.baskets_of(read, kind) == cooccurrence.baskets_of(built, kind)
        assert cooccurrence.top_pairs(read, kind) == cooccurrence.top_pairs(built, kind)


def test_seeds_snapshot_keeps_the_analytics(seeds_store: GraphStore, tmp_path: Path) -> None:
    write_snapshot(seeds_store, tmp_path / "seeds.snap")
    read = read_snapshot(tmp_path / "seeds.snap")
    # The kept trending lists are found under the keys trending() asks with: reading warmed
    # both default lists without adding an entry beside the two installed.
    assert len(memo.memo_value(read, f"{trends.TRENDING_MEMO}:table")) == 2
    # The counts walk every node: counted on reading, before a server forks its workers, not
    # in each worker (where touching every key copies their pages: 57 MB at 100k).
    assert "counts" in vars(read) and read.counts == seeds_store.counts
    assert_same_analytics(read, seeds_store)


@pytest.mark.corpus
def test_news_snapshot_keeps_the_analytics(news_store: GraphStore, tmp_path: Path) -> None:
    write_snapshot(news_store, tmp_path / "news.snap")
    read = read_snapshot(tmp_path / "news.snap")
    assert_same_analytics(read, news_store)
    assert len(stories.stories(read).by_key) > 100  # a real partition went through the file


def test_writing_a_store_without_analytics_computes_them(tmp_path: Path) -> None:
    store = built_without_analytics(SEEDS)
    write_snapshot(store, tmp_path / "s.snap")
    assert missing(store) == []
    assert_same_analytics(read_snapshot(tmp_path / "s.snap"), store)


def test_a_format_1_snapshot_is_refused(seeds_store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "old.snap"
    write_snapshot(seeds_store, path)
    _first, rest = path.read_bytes().split(b"\n", 1)
    path.write_bytes(MAGIC + b"1\n" + rest)  # what graphsvc wrote before the analytics
    with pytest.raises(SnapshotError, match=r"format '1'.*build it again"):
        read_snapshot(path)


def test_a_report_only_load_leaves_the_analytics_to_first_use(tmp_path: Path) -> None:
    built = load_store(SEEDS, cache_dir=tmp_path, analytics=False)  # built, then kept: the
    assert missing(built) == []  # kept file holds the analytics, so they were computed for it
    kept = load_store(SEEDS, cache_dir=tmp_path, analytics=False)  # read back: the same
    assert kept.report.parsed == 0 and missing(kept) == WHOLE_GRAPH
    served = load_store(SEEDS, cache_dir=tmp_path)  # what a server loads: all of them
    assert served.report.parsed == 0 and missing(served) == []
    assert centrality.ranking(kept, NodeKind.TOPIC, Centrality.PAGERANK) == centrality.ranking(
        served, NodeKind.TOPIC, Centrality.PAGERANK
    )


@pytest.mark.corpus
def test_filtered_story_lists_of_a_read_snapshot(news_store: GraphStore, tmp_path: Path) -> None:
    """A read snapshot lists the stories of a topic's or a provider's articles on the file's
    numbers (inplace.stories_in): the same lists as the built store, in every order."""
    write_snapshot(news_store, tmp_path / "news.snap")
    read = read_snapshot(tmp_path / "news.snap")
    topics = sorted(news_store.topics.values(), key=lambda t: -t.article_count)[:4]
    providers = sorted(news_store.providers.values(), key=lambda p: -p.article_count)[:3]
    filters = [ArticleFilter(topics=(t.name,)) for t in topics]
    filters += [ArticleFilter(providers=(p.domain,)) for p in providers]
    filters += [  # lists of keys, not numbers: answered key by key, as before
        ArticleFilter(topics=(topics[0].name, topics[1].name)),
        ArticleFilter(topics=(topics[0].name,), include_stubs=True),
    ]
    on_numbers = 0
    for flt in filters:
        for order in stories.StoryOrder:
            got = stories.list_stories(read, flt, order)[0]
            want = stories.list_stories(news_store, flt, order)[0]
            assert list(got) == list(want), (flt, order)
            on_numbers += isinstance(got, KeySeq)
    assert on_numbers >= 4 * len(stories.StoryOrder)  # the single-topic lists at least
