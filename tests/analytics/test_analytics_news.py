"""Analytics on the real corpus: the invariants of stories, trends and facets, and story IDs
that survive a rebuild."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import strawberry

from graphsvc.corpus import load_store
from graphsvc.graph.analytics import centrality, stories, trends
from graphsvc.graph.analytics.facets import facets
from graphsvc.graph.queries import ArticleFilter
from graphsvc.graph.store import GraphStore
from tests.analytics.analytics_support import run


def test_story_sizes_sum_to_the_assigned_articles(news_store: GraphStore) -> None:
    found = stories.stories(news_store)
    sizes = [s.size for s in found.by_key.values()]
    assert sum(sizes) == len(found.of_article)
    assert min(sizes) >= 2
    assert all(found.of_article[k] == s.key for s in found.by_key.values() for k in s.members)
    assert all(not news_store.articles[k].is_stub for k in found.of_article)
    # Measured: 169 stories of 942 articles, the largest 40 (see the module's docstring).
    assert (len(sizes), sum(sizes), max(sizes), found.method) == (169, 942, 40, "components")


def test_every_story_is_connected_through_related_edges(news_store: GraphStore) -> None:
    for story in stories.stories(news_store).by_key.values():
        members = set(story.members)
        seen = {story.members[0]}
        todo = [story.members[0]]
        while todo:
            current = todo.pop()
            for other in (*news_store.related_out(current), *news_store.related_in(current)):
                if other in members and other not in seen:
                    seen.add(other)
                    todo.append(other)
        assert seen == members, story.key


def test_an_article_without_a_story_has_no_full_related_article(news_store: GraphStore) -> None:
    assigned = stories.stories(news_store).of_article
    for key in news_store.full_by_date:
        linked = [
            k
            for k in (*news_store.related_out(key), *news_store.related_in(key))
            if not news_store.articles[k].is_stub
        ]
        assert (key in assigned) == bool(linked), key


def test_louvain_finds_the_same_stories_here(news_store: GraphStore) -> None:
    graph = stories.story_graph(news_store)
    louvain = nx.community.louvain_communities(graph, seed=stories.SEED)
    found = stories.stories(news_store).by_key.values()
    assert {frozenset(c) for c in louvain if len(c) > 1} == {frozenset(s.members) for s in found}


def test_rebuilding_gives_the_same_story_ids(
    news_store: GraphStore, news_dir: Path, tmp_path: Path
) -> None:
    rebuilt = load_store(news_dir, cache_dir=tmp_path / "other-cache")  # computes its own
    assert stories.stories(rebuilt) is not stories.stories(news_store)
    before = {k: s.members for k, s in stories.stories(news_store).by_key.items()}
    after = {k: s.members for k, s in stories.stories(rebuilt).by_key.items()}
    assert after == before


@pytest.mark.parametrize("bucket", list(trends.Bucket))
def test_trend_counts_sum_to_article_counts(news_store: GraphStore, bucket: trends.Bucket) -> None:
    for key, topic in news_store.topics.items():
        trend = trends.trend(news_store, key, bucket)
        assert trend.total + trend.undated == topic.article_count, topic.name
        assert all(a.end == b.start for a, b in zip(trend.points, trend.points[1:], strict=False))
    for key, provider in news_store.providers.items():
        trend = trends.trend(news_store, key, bucket)
        assert trend.total + trend.undated == provider.article_count, provider.domain


def test_topic_trend_through_graphql_matches_article_count(
    analytics_schema: strawberry.Schema, news_store: GraphStore
) -> None:
    data = run(
        analytics_schema,
        news_store,
        """{ topicTrend(topic: "security", bucket: WEEK) { total undated points { count } }
            topic(name: "security") { articleCount } }""",
    )
    trend = data["topicTrend"]
    assert (
        sum(p["count"] for p in trend["points"]) + trend["undated"] == data["topic"]["articleCount"]
    )
    assert any(p["count"] == 0 for p in trend["points"])  # empty weeks are there


def _total(schema: strawberry.Schema, store: GraphStore, flt: dict[str, Any]) -> int:
    query = "query($f: ArticleFilter) { articles(filter: $f, first: 0) { totalCount } }"
    return int(run(schema, store, query, f=flt)["articles"]["totalCount"])


def _month_range(month: str) -> tuple[datetime, datetime]:
    year, number = (int(part) for part in month.split("-"))
    start = datetime(year, number, 1, tzinfo=UTC)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    return start, end


@pytest.mark.parametrize(
    "flt",
    [
        {},
        {"topics": ["Security"]},
        {"providers": ["microsoft.com", "zdnet.com"]},
        {"publishedAfter": "2021-01-01T00:00:00Z", "minQuality": 1},
        {"includeStubs": True, "publishedBefore": "2020-06-01T00:00:00Z"},
    ],
)
def test_facet_counts_match_article_totals(
    analytics_schema: strawberry.Schema, news_store: GraphStore, flt: dict[str, Any]
) -> None:
    data = run(
        analytics_schema,
        news_store,
        """query($f: ArticleFilter) { facets(filter: $f, first: 100) { totalCount
             topics { value count } providers { value count } months { value count } types { count } } }""",
        f=flt,
    )["facets"]
    total = _total(analytics_schema, news_store, flt)
    assert data["totalCount"] == total
    assert sum(t["count"] for t in data["types"]) == total
    assert sum(m["count"] for m in data["months"]) == total
    for facet in data["topics"][:8]:
        narrowed = {**flt, "topics": [*flt.get("topics", []), facet["value"]]}
        assert _total(analytics_schema, news_store, narrowed) == facet["count"], facet
    for facet in data["providers"][:8]:
        assert (
            _total(analytics_schema, news_store, {**flt, "providers": [facet["value"]]})
            == facet["count"]
        )
    for facet in data["months"][:8]:
        start, end = _month_range(facet["value"])
        lo = max(start, datetime.fromisoformat(flt.get("publishedAfter", "1970-01-01T00:00:00Z")))
        hi = min(end, datetime.fromisoformat(flt.get("publishedBefore", "2100-01-01T00:00:00Z")))
        narrowed = {**flt, "publishedAfter": lo.isoformat(), "publishedBefore": hi.isoformat()}
        assert _total(analytics_schema, news_store, narrowed) == facet["count"], facet


def test_facets_without_filter_count_every_article(news_store: GraphStore) -> None:
    found = facets(news_store, ArticleFilter())
    assert found.total == news_store.counts.articles
    assert dict(found.topics) == {k: t.article_count for k, t in news_store.topics.items()}
    assert dict(found.providers) == {
        k: p.article_count for k, p in news_store.providers.items() if p.article_count
    }


def test_analytics_through_graphql_on_the_corpus(
    analytics_schema: strawberry.Schema, news_store: GraphStore
) -> None:
    data = run(
        analytics_schema,
        news_store,
        """{ stories(first: 3) { totalCount edges { node { id size representative { story { id } } } } }
            central(nodeKind: PROVIDER, first: 3) { node { ... on Provider { domain rank } } rank }
            trendingTopics(window: 30, baseline: 6, first: 3) { topics { topic { name } score } } }""",
    )
    assert data["stories"]["totalCount"] == 169
    for edge in data["stories"]["edges"]:
        assert edge["node"]["representative"]["story"]["id"] == edge["node"]["id"]
    sizes = [e["node"]["size"] for e in data["stories"]["edges"]]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] == 40
    assert [c["rank"] for c in data["central"]] == [c["node"]["rank"] for c in data["central"]]
    scores = [t["score"] for t in data["trendingTopics"]["topics"]]
    assert scores == sorted(scores, reverse=True)


def test_article_degree_is_networkx_degree_centrality(news_store: GraphStore) -> None:
    undirected = centrality.article_graph(news_store).to_undirected()
    want = nx.degree_centrality(undirected)
    got = centrality.article_degrees(news_store)
    assert got.keys() == want.keys()
    assert all(got[k] == pytest.approx(want[k], abs=1e-15) for k in want)
