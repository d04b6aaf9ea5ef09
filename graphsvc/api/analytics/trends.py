"""Trends in GraphQL: counts per bucket, and the trending topics and providers."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from graphsvc.api import arguments as doc
from graphsvc.api.analytics.common import check_first
from graphsvc.api.context import PublicError
from graphsvc.api.types import Provider, Topic, provider_node, topic_node
from graphsvc.graph import queries
from graphsvc.graph.analytics import trends
from graphsvc.graph.store import GraphStore


@strawberry.enum(description="Trend bucket sizes, in UTC.")
class TrendBucket(Enum):
    DAY = strawberry.enum_value("DAY", description="Calendar days.")
    WEEK = strawberry.enum_value("WEEK", description="ISO weeks, from Monday.")
    MONTH = strawberry.enum_value("MONTH", description="Calendar months.")


# Trends ------------------------------------------------------------------------------
@strawberry.type(description="Articles published in one bucket.")
class TrendPoint:
    start: datetime = strawberry.field(description="Start of the bucket, UTC.")
    end: datetime = strawberry.field(description="Start of the next bucket, UTC.")
    count: int = strawberry.field(
        description="Full articles published in the bucket (within the trend's from/to)."
    )


@strawberry.type(
    description="Article counts of a topic or provider per bucket, empty buckets included. Undated articles are in no bucket: `undated` counts them."
)
class Trend:
    name: str = strawberry.field(description="The topic's or provider's display name.")
    bucket: TrendBucket = strawberry.field(description="Bucket size.")
    from_: datetime | None = strawberry.field(
        name="from", description="Start of the range (inclusive), UTC."
    )
    to: datetime | None = strawberry.field(description="End of the range (exclusive), UTC.")
    points: list[TrendPoint] = strawberry.field(description="One point per bucket, oldest first.")
    total: int = strawberry.field(description="Articles counted in the range.")
    undated: int = strawberry.field(
        description="The node's articles without a publication time (never in a bucket)."
    )


@strawberry.type(description="A topic's latest window against its baseline.")
class TopicTrendScore:
    topic: Topic = strawberry.field(description="The topic.")
    count: int = strawberry.field(description="Articles in the latest window.")
    baseline_mean: float = strawberry.field(description="Mean articles per baseline window.")
    baseline_std: float = strawberry.field(
        description="Standard deviation (population) of the baseline windows' counts."
    )
    score: float = strawberry.field(
        description="z-score: (count - baselineMean) / max(baselineStd, 1). The ranking key."
    )
    ratio: float = strawberry.field(description="(count + 1) / (baselineMean + 1).")


@strawberry.type(description="A provider's latest window against its baseline.")
class ProviderTrendScore:
    provider: Provider = strawberry.field(description="The provider.")
    count: int = strawberry.field(description="Articles in the latest window.")
    baseline_mean: float = strawberry.field(description="Mean articles per baseline window.")
    baseline_std: float = strawberry.field(
        description="Standard deviation (population) of the baseline windows' counts."
    )
    score: float = strawberry.field(
        description="z-score: (count - baselineMean) / max(baselineStd, 1). The ranking key."
    )
    ratio: float = strawberry.field(description="(count + 1) / (baselineMean + 1).")


@strawberry.type(
    description="Topics ranked by how far their latest window rises above the baseline."
)
class TrendingTopics:
    window_start: datetime = strawberry.field(description="Start of the latest window, UTC.")
    window_end: datetime = strawberry.field(description="End of the latest window, UTC.")
    baseline_start: datetime = strawberry.field(
        description="Start of the baseline (which ends at windowStart), UTC."
    )
    topics: list[TopicTrendScore] = strawberry.field(
        description="Highest score first (ties: higher count, then name)."
    )


@strawberry.type(
    description="Providers ranked by how far their latest window rises above the baseline."
)
class TrendingProviders:
    window_start: datetime = strawberry.field(description="Start of the latest window, UTC.")
    window_end: datetime = strawberry.field(description="End of the latest window, UTC.")
    baseline_start: datetime = strawberry.field(
        description="Start of the baseline (which ends at windowStart), UTC."
    )
    providers: list[ProviderTrendScore] = strawberry.field(
        description="Highest score first (ties: higher count, then domain)."
    )


def _trend(
    store: GraphStore,
    key: str,
    name: str,
    bucket: TrendBucket | None,
    start: datetime | None,
    end: datetime | None,
) -> Trend:
    found = trends.trend(
        store, key, trends.Bucket(doc.name_or(bucket, doc.DEFAULT_BUCKET)), start, end
    )
    return Trend(
        name=name,
        bucket=TrendBucket[found.bucket.value],
        from_=found.start,
        to=found.end,
        points=[TrendPoint(start=p.start, end=p.end, count=p.count) for p in found.points],
        total=found.total,
        undated=found.undated,
    )


def topic_trend(
    store: GraphStore,
    topic: str,
    bucket: TrendBucket | None,
    start: datetime | None,
    end: datetime | None,
) -> Trend:
    """A topic's trend, by topic name."""
    key = queries.find_topic(store, topic)
    if key is None:
        raise PublicError(f"no topic named {topic[:200]!r}")
    return _trend(store, key, store.topics[key].name, bucket, start, end)


def provider_trend(
    store: GraphStore,
    domain: str,
    bucket: TrendBucket | None,
    start: datetime | None,
    end: datetime | None,
) -> Trend:
    """A provider's trend, by domain."""
    key = queries.find_provider(store, domain)
    if key is None:
        raise PublicError(f"no provider with domain {domain[:200]!r}")
    return _trend(store, key, store.providers[key].name, bucket, start, end)


def _trending(
    store: GraphStore,
    kind: str,
    window: int | None,
    baseline: int | None,
    at: datetime | None,
) -> trends.Trending:
    return trends.trending(
        store,
        kind,
        doc.DEFAULT_WINDOW if window is None else window,
        doc.DEFAULT_BASELINE if baseline is None else baseline,
        at,
    )


def trending_topics(
    store: GraphStore,
    window: int | None,
    baseline: int | None,
    at: datetime | None,
    first: int | None,
) -> TrendingTopics:
    """Topics ranked by z-score."""
    n = check_first(first, doc.DEFAULT_TOP)
    found = _trending(store, "topic", window, baseline, at)
    return TrendingTopics(
        window_start=found.window_start,
        window_end=found.window_end,
        baseline_start=found.baseline_start,
        topics=[
            TopicTrendScore(
                topic=topic_node(store.topics[s.key]),
                count=s.count,
                baseline_mean=s.mean,
                baseline_std=s.std,
                score=s.score,
                ratio=s.ratio,
            )
            for s in found.scores[:n]
        ],
    )


def trending_providers(
    store: GraphStore,
    window: int | None,
    baseline: int | None,
    at: datetime | None,
    first: int | None,
) -> TrendingProviders:
    """Providers ranked by z-score."""
    n = check_first(first, doc.DEFAULT_TOP)
    found = _trending(store, "provider", window, baseline, at)
    return TrendingProviders(
        window_start=found.window_start,
        window_end=found.window_end,
        baseline_start=found.baseline_start,
        providers=[
            ProviderTrendScore(
                provider=provider_node(store.providers[s.key]),
                count=s.count,
                baseline_mean=s.mean,
                baseline_std=s.std,
                score=s.score,
                ratio=s.ratio,
            )
            for s in found.scores[:n]
        ],
    )
