"""Trends on hand-built corpora: buckets (empty ones included), ranges, undated articles,
and the z-score of trending topics and providers, worked out by hand."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
import strawberry

from graphsvc.graph.analytics import trends
from graphsvc.graph.queries import QueryError
from graphsvc.identity import provider_key, topic_key
from tests.analytics.analytics_support import doc, make_store, run, run_error

TREND_DOCS = [
    doc("t1", when="2021-03-01T05:00:00Z", topics=["T"], provider="tp.org"),
    doc("t2", when="2021-03-02T01:00:00Z", topics=["T"], provider="tp.org"),
    doc("t3", when="2021-03-02T23:59:00Z", topics=["T"], provider="tp.org"),
    doc("t4", when="2021-03-05T00:00:00Z", topics=["T"], provider="tp.org"),
    doc("t5", when=None, topics=["T"], provider="tp.org"),  # undated: in no bucket
    doc("u1", when="2021-02-27T18:00:00Z", topics=["U"]),  # the snapshot starts on a Saturday
]
T = topic_key("t")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def counts(trend: trends.Trend) -> list[tuple[str, int]]:
    return [(p.start.date().isoformat(), p.count) for p in trend.points]


def test_day_buckets_include_empty_days_and_count_undated_apart() -> None:
    store = make_store(TREND_DOCS)
    trend = trends.trend(store, T, trends.Bucket.DAY)
    assert counts(trend) == [
        ("2021-02-27", 0),
        ("2021-02-28", 0),
        ("2021-03-01", 1),
        ("2021-03-02", 2),
        ("2021-03-03", 0),  # no article: still a bucket
        ("2021-03-04", 0),
        ("2021-03-05", 1),
    ]
    assert (trend.total, trend.undated) == (4, 1)
    assert trend.total + trend.undated == store.topics[T].article_count == 5
    assert trend.start == utc(2021, 2, 27) and trend.end == utc(2021, 3, 6)


def test_week_and_month_buckets() -> None:
    store = make_store(TREND_DOCS)
    week = trends.trend(store, T, trends.Bucket.WEEK)
    assert counts(week) == [("2021-02-22", 0), ("2021-03-01", 4)]  # ISO weeks from Monday
    month = trends.trend(store, T, trends.Bucket.MONTH)
    assert counts(month) == [("2021-02-01", 0), ("2021-03-01", 4)]
    assert month.points[-1].end == utc(2021, 4, 1)
    december = trends.trend(store, T, trends.Bucket.MONTH, utc(2020, 12, 5), utc(2021, 1, 2))
    assert [p.end for p in december.points] == [utc(2021, 1, 1), utc(2021, 2, 1)]


def test_a_range_counts_only_inside_it() -> None:
    store = make_store(TREND_DOCS)
    trend = trends.trend(store, T, trends.Bucket.DAY, utc(2021, 3, 2, 12), utc(2021, 3, 5))
    # The first bucket counts from noon (t3 only); `to` is exclusive, so 5 March is out.
    assert counts(trend) == [("2021-03-02", 1), ("2021-03-03", 0), ("2021-03-04", 0)]
    naive = trends.trend(
        store, T, trends.Bucket.DAY, datetime(2021, 3, 2, 12), datetime(2021, 3, 5)
    )
    assert naive == trend  # naive times are UTC
    provider = trends.trend(store, provider_key("tp.org"), trends.Bucket.MONTH)
    assert counts(provider) == counts(trends.trend(store, T, trends.Bucket.MONTH))


def test_bad_ranges_are_errors() -> None:
    store = make_store(TREND_DOCS)
    with pytest.raises(QueryError, match="before"):
        trends.trend(store, T, trends.Bucket.DAY, utc(2021, 3, 2), utc(2021, 3, 2))
    with pytest.raises(QueryError, match="bigger bucket"):
        trends.trend(store, T, trends.Bucket.DAY, utc(2000, 1, 1), utc(2021, 1, 1))
    assert (
        len(trends.trend(store, T, trends.Bucket.MONTH, utc(2000, 1, 1), utc(2021, 1, 1)).points)
        == 252
    )


# Trending: one day windows, three baseline days (1-3 March), the window is 4 March.
DAILY = {  # topic: articles on 1, 2, 3 March, then in the window
    "x": [1, 3, 5, 9],
    "y": [2, 2, 2, 3],
    "w": [2, 2, 2, 3],
    "v": [0, 0, 0, 1],
    "z": [0, 0, 1, 1],
}


def trending_docs() -> list[dict[str, object]]:
    docs = []
    for name, per_day in DAILY.items():
        for day, n in enumerate(per_day, start=1):
            for i in range(n):
                docs.append(
                    doc(
                        f"{name}{day}{i}",
                        when=f"2021-03-0{day}T12:00:00Z",
                        topics=[name.upper()],
                        provider=f"{name}.org",
                    )
                )
    return docs


def test_z_scores_worked_out_by_hand() -> None:
    store = make_store(trending_docs())
    found = trends.trending(store, "topic", window_days=1, baseline=3)
    assert (found.window_start, found.window_end, found.baseline_start) == (
        utc(2021, 3, 4),
        utc(2021, 3, 5),  # the midnight after the newest article
        utc(2021, 3, 1),
    )
    by_key = {s.key: s for s in found.scores}
    x = by_key[topic_key("x")]
    # mean (1+3+5)/3 = 3; population std sqrt((4+0+4)/3) = 1.63299; z = (9-3)/1.63299
    assert (x.count, x.mean) == (9, 3.0)
    assert x.std == pytest.approx(math.sqrt(8 / 3))
    assert x.score == pytest.approx(3.674235, abs=1e-6)
    assert x.ratio == pytest.approx(10 / 4)
    y = by_key[topic_key("y")]
    assert (y.mean, y.std, y.score) == (2.0, 0.0, 1.0)  # std 0 is floored at 1: z = 3 - 2
    z = by_key[topic_key("z")]
    assert z.std == pytest.approx(math.sqrt(2 / 9))  # under 1, so floored
    assert z.score == pytest.approx(2 / 3)
    v = by_key[topic_key("v")]
    assert (v.score, v.ratio) == (1.0, 2.0)


def test_ties_in_the_trending_ranking() -> None:
    store = make_store(trending_docs())
    found = trends.trending(store, "topic", window_days=1, baseline=3)
    # w, y and v all score 1.0: w and y have 3 articles (then by key), v only 1.
    assert [s.key for s in found.scores] == [topic_key(t) for t in "xwyvz"]
    providers = trends.trending(store, "provider", window_days=1, baseline=3)
    assert [s.key for s in providers.scores] == [provider_key(f"{t}.org") for t in "xwyvz"]
    explicit = trends.trending(store, "topic", 1, 3, at=utc(2021, 3, 5))
    assert explicit.scores == found.scores
    earlier = trends.trending(store, "topic", 1, 1, at=utc(2021, 3, 4))  # window 3 March
    assert earlier.scores[0].key == topic_key("x") and earlier.scores[0].score == 2.0


def test_window_limits() -> None:
    store = make_store(trending_docs())
    with pytest.raises(QueryError, match="window"):
        trends.trending(store, "topic", window_days=0)
    with pytest.raises(QueryError, match="baseline"):
        trends.trending(store, "topic", baseline=500)


def test_trends_through_graphql(analytics_schema: strawberry.Schema) -> None:
    store = make_store(TREND_DOCS)
    data = run(
        analytics_schema,
        store,
        """{ topicTrend(topic: "t", bucket: DAY, from: "2021-03-01T00:00:00Z", to: "2021-03-04T00:00:00Z") {
              name bucket from to total undated points { start end count } }
            providerTrend(domain: "www.TP.org") { name total undated points { count } } }""",
    )
    trend = data["topicTrend"]
    assert (trend["name"], trend["bucket"], trend["total"], trend["undated"]) == ("T", "DAY", 3, 1)
    assert [p["count"] for p in trend["points"]] == [1, 2, 0]
    assert trend["points"][0] == {
        "start": "2021-03-01T00:00:00+00:00",
        "end": "2021-03-02T00:00:00+00:00",
        "count": 1,
    }
    assert data["providerTrend"]["total"] == 4 and data["providerTrend"]["undated"] == 1
    assert "no topic named" in run_error(
        analytics_schema, store, '{ topicTrend(topic: "nope") { total } }'
    )
    assert "bigger bucket" in run_error(
        analytics_schema,
        store,
        '{ topicTrend(topic: "t", bucket: DAY, from: "1990-01-01T00:00:00Z") { total } }',
    )

    ranked = run(
        analytics_schema,
        make_store(trending_docs()),
        """{ trendingTopics(window: 1, baseline: 3, first: 2) { windowStart topics { topic { name } count baselineMean score ratio } }
            trendingProviders(window: 1, baseline: 3, first: 1) { providers { provider { domain } score } } }""",
    )
    assert ranked["trendingTopics"]["windowStart"] == "2021-03-04T00:00:00+00:00"
    assert [t["topic"]["name"] for t in ranked["trendingTopics"]["topics"]] == ["X", "W"]
    assert ranked["trendingProviders"]["providers"][0]["provider"]["domain"] == "x.org"
