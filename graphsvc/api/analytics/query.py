"""The analytics root fields: each resolver is one call into this package's helpers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from graphsvc.api.analytics.measures import (
    CentralityMeasure,
    CentralNode,
    CooccurrenceGraph,
    CooccurrenceKind,
    CooccurrenceMeasure,
    CooccurrenceNeighbour,
    Facets,
    NodeKind,
    central,
    cooccurrence_graph,
    facets_of,
    neighbours,
)
from graphsvc.api.analytics.stories import (
    Story,
    StoryConnection,
    StoryOrder,
    story_by_id,
    story_connection,
)
from graphsvc.api.analytics.trends import (
    Trend,
    TrendBucket,
    TrendingProviders,
    TrendingTopics,
    provider_trend,
    topic_trend,
    trending_providers,
    trending_topics,
)
from graphsvc.api.context import Info
from graphsvc.api.types import ArticleFilter

From = Annotated[
    datetime | None,
    strawberry.argument(name="from", description="Start, inclusive (UTC if naive)."),
]
To = Annotated[datetime | None, strawberry.argument(description="End, exclusive (UTC if naive).")]
Window = Annotated[int | None, strawberry.argument(description="Window length in days (1–366).")]
Baseline = Annotated[
    int | None, strawberry.argument(description="Number of equal windows before it (1–104).")
]
At = Annotated[datetime | None, strawberry.argument(description="End of the latest window.")]


@strawberry.type(description="Graph analytics: stories, trends, co-occurrence, centrality, facets.")
class AnalyticsQuery:
    @strawberry.field(description="A story by its ID.")
    def story(self, info: Info, id: strawberry.ID) -> Story | None:
        return story_by_id(info.context.store, str(id))

    @strawberry.field(
        description="Stories (clusters of full articles tied by RELATED edges); with a filter, the stories with at least one article that passes it (first ≤ 100)."
    )
    def stories(
        self,
        info: Info,
        filter: ArticleFilter | None = None,
        order_by: StoryOrder | None = StoryOrder.SIZE,
        first: int | None = 20,
        after: str | None = None,
    ) -> StoryConnection:
        return story_connection(info.context.store, filter, order_by, first, after)

    @strawberry.field(
        description="A topic's full articles per bucket over [from, to) (default: the graph's whole dated range), empty buckets included (≤ 1,000 buckets)."
    )
    def topic_trend(
        self,
        info: Info,
        topic: str,
        bucket: TrendBucket | None = TrendBucket.MONTH,
        from_: From = None,
        to: To = None,
    ) -> Trend:
        return topic_trend(info.context.store, topic, bucket, from_, to)

    @strawberry.field(
        description="A provider's full articles per bucket over [from, to) (default: the graph's whole dated range), empty buckets included (≤ 1,000 buckets)."
    )
    def provider_trend(
        self,
        info: Info,
        domain: str,
        bucket: TrendBucket | None = TrendBucket.MONTH,
        from_: From = None,
        to: To = None,
    ) -> Trend:
        return provider_trend(info.context.store, domain, bucket, from_, to)

    @strawberry.field(
        description="Topics ranked by the z-score of their article count in the latest window against the baseline windows before it. The window ends at `at`, by default the midnight (UTC) after the graph's newest article."
    )
    def trending_topics(
        self,
        info: Info,
        window: Window = 7,
        baseline: Baseline = 8,
        first: int | None = 10,
        at: At = None,
    ) -> TrendingTopics:
        return trending_topics(info.context.store, window, baseline, at, first)

    @strawberry.field(
        description="Providers ranked by the z-score of their article count in the latest window against the baseline windows before it (as trendingTopics)."
    )
    def trending_providers(
        self,
        info: Info,
        window: Window = 7,
        baseline: Baseline = 8,
        first: int | None = 10,
        at: At = None,
    ) -> TrendingProviders:
        return trending_providers(info.context.store, window, baseline, at, first)

    @strawberry.field(
        description="The topics (or providers) that co-occur with `of` (a topic name or a provider domain) at least minCount times, heaviest first."
    )
    def cooccurrence(
        self,
        info: Info,
        kind: CooccurrenceKind,
        of: str,
        measure: CooccurrenceMeasure | None = CooccurrenceMeasure.COUNT,
        first: int | None = 10,
        min_count: int | None = 1,
    ) -> list[CooccurrenceNeighbour]:
        return neighbours(info.context.store, kind, of, measure, first, min_count)

    @strawberry.field(
        description="The `first` most frequent topics or providers and the pairs among them that co-occur at least minCount times with a weight of at least minWeight."
    )
    def cooccurrence_graph(
        self,
        info: Info,
        kind: CooccurrenceKind,
        measure: CooccurrenceMeasure | None = CooccurrenceMeasure.COUNT,
        min_weight: float | None = None,
        min_count: int | None = 1,
        first: int | None = 50,
    ) -> CooccurrenceGraph:
        return cooccurrence_graph(info.context.store, kind, measure, min_weight, min_count, first)

    @strawberry.field(
        description="The most central articles, providers or topics by a NetworkX measure, computed once per snapshot."
    )
    def central(
        self,
        info: Info,
        node_kind: NodeKind,
        measure: CentralityMeasure | None = CentralityMeasure.PAGERANK,
        first: int | None = 10,
    ) -> list[CentralNode]:
        return central(info.context.store, node_kind, measure, first)

    @strawberry.field(
        description="Counts by topic, provider, month and type of the articles a filter keeps, for filter chips (`first` caps each list but months)."
    )
    def facets(
        self, info: Info, filter: ArticleFilter | None = None, first: int | None = 20
    ) -> Facets:
        return facets_of(info.context.store, filter, first)
