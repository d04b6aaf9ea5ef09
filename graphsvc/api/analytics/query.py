"""The analytics root fields: each resolver is one call into this package's helpers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from graphsvc.api import arguments as doc
from graphsvc.api.analytics.centrality import CentralityMeasure, CentralNode, NodeKind, central
from graphsvc.api.analytics.cooccurrence import (
    CooccurrenceGraph,
    CooccurrenceKind,
    CooccurrenceMeasure,
    CooccurrenceNeighbour,
    cooccurrence_graph,
    neighbours,
)
from graphsvc.api.analytics.facets import Facets, facets_of
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
from graphsvc.api.arguments import After, PageFirst
from graphsvc.api.context import Info
from graphsvc.api.types import ArticleFilter
from graphsvc.graph.analytics.trends import MAX_BASELINE_WINDOWS, MAX_WINDOW_DAYS

From = Annotated[
    datetime | None,
    strawberry.argument(
        name="from",
        description="Start, inclusive (UTC if naive); default: the start of the bucket holding the graph's oldest dated full article. It must be before `to`.",
    ),
]
To = Annotated[
    datetime | None,
    strawberry.argument(
        description="End, exclusive (UTC if naive); default: the end of the bucket holding the graph's newest dated full article."
    ),
]
Window = Annotated[
    int | None,
    strawberry.argument(
        description=f"Window length in days, 1 to {MAX_WINDOW_DAYS} (default {doc.DEFAULT_WINDOW}); outside that is an error."
    ),
]
Baseline = Annotated[
    int | None,
    strawberry.argument(
        description=f"Number of equal windows before the latest one, 1 to {MAX_BASELINE_WINDOWS} (default {doc.DEFAULT_BASELINE}); outside that is an error."
    ),
]
At = Annotated[
    datetime | None,
    strawberry.argument(
        description="End of the latest window (UTC if naive); default: the midnight (UTC) after the graph's newest dated full article."
    ),
]


@strawberry.type(description="Graph analytics: stories, trends, co-occurrence, centrality, facets.")
class AnalyticsQuery:
    @strawberry.field(description="A story by its ID.")
    def story(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="ID of a story, as Story.id gives it; a malformed or unknown ID is an error."
            ),
        ],
    ) -> Story | None:
        return story_by_id(info.context.store, str(id))

    @strawberry.field(
        description="Stories (clusters of full articles tied by RELATED edges); with a filter, the stories with at least one article that passes it (first ≤ 100)."
    )
    def stories(
        self,
        info: Info,
        filter: Annotated[
            ArticleFilter | None,
            strawberry.argument(
                description="Keep the stories with at least one article that passes this filter; without it, every story."
            ),
        ] = None,
        order_by: Annotated[
            StoryOrder | None, strawberry.argument(description=doc.STORY_ORDER)
        ] = StoryOrder[doc.DEFAULT_STORY_ORDER],
        first: PageFirst = doc.DEFAULT_FIRST,
        after: After = None,
    ) -> StoryConnection:
        return story_connection(info.context.store, filter, order_by, first, after)

    @strawberry.field(
        description="A topic's full articles per bucket over [from, to) (default: the graph's whole dated range), empty buckets included (≤ 1,000 buckets)."
    )
    def topic_trend(
        self,
        info: Info,
        topic: Annotated[str, strawberry.argument(description=doc.TOPIC_NAME)],
        bucket: Annotated[
            TrendBucket | None, strawberry.argument(description=doc.BUCKET)
        ] = TrendBucket[doc.DEFAULT_BUCKET],
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
        domain: Annotated[str, strawberry.argument(description=doc.PROVIDER_DOMAIN)],
        bucket: Annotated[
            TrendBucket | None, strawberry.argument(description=doc.BUCKET)
        ] = TrendBucket[doc.DEFAULT_BUCKET],
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
        window: Window = doc.DEFAULT_WINDOW,
        baseline: Baseline = doc.DEFAULT_BASELINE,
        first: Annotated[
            int | None, strawberry.argument(description=doc.list_first("topics", doc.DEFAULT_TOP))
        ] = doc.DEFAULT_TOP,
        at: At = None,
    ) -> TrendingTopics:
        return trending_topics(info.context.store, window, baseline, at, first)

    @strawberry.field(
        description="Providers ranked by the z-score of their article count in the latest window against the baseline windows before it (as trendingTopics)."
    )
    def trending_providers(
        self,
        info: Info,
        window: Window = doc.DEFAULT_WINDOW,
        baseline: Baseline = doc.DEFAULT_BASELINE,
        first: Annotated[
            int | None,
            strawberry.argument(description=doc.list_first("providers", doc.DEFAULT_TOP)),
        ] = doc.DEFAULT_TOP,
        at: At = None,
    ) -> TrendingProviders:
        return trending_providers(info.context.store, window, baseline, at, first)

    @strawberry.field(
        description="The topics (or providers) that co-occur with `of` (a topic name or a provider domain) at least minCount times, heaviest first."
    )
    def cooccurrence(
        self,
        info: Info,
        kind: Annotated[CooccurrenceKind, strawberry.argument(description=doc.COOCCURRENCE_KIND)],
        of: Annotated[
            str,
            strawberry.argument(
                description="The topic name (kind TOPIC, case-insensitive) or provider domain (kind PROVIDER, `www.` ignored) to find the partners of; an unknown one is an error."
            ),
        ],
        measure: Annotated[
            CooccurrenceMeasure | None, strawberry.argument(description=doc.COOCCURRENCE_MEASURE)
        ] = CooccurrenceMeasure[doc.DEFAULT_COOCCURRENCE_MEASURE],
        first: Annotated[
            int | None, strawberry.argument(description=doc.list_first("partners", doc.DEFAULT_TOP))
        ] = doc.DEFAULT_TOP,
        min_count: Annotated[
            int | None, strawberry.argument(description=doc.MIN_COUNT)
        ] = doc.DEFAULT_MIN_COUNT,
    ) -> list[CooccurrenceNeighbour]:
        return neighbours(info.context.store, kind, of, measure, first, min_count)

    @strawberry.field(
        description="The `first` most frequent topics or providers and the pairs among them that co-occur at least minCount times with a weight of at least minWeight."
    )
    def cooccurrence_graph(
        self,
        info: Info,
        kind: Annotated[CooccurrenceKind, strawberry.argument(description=doc.COOCCURRENCE_KIND)],
        measure: Annotated[
            CooccurrenceMeasure | None, strawberry.argument(description=doc.COOCCURRENCE_MEASURE)
        ] = CooccurrenceMeasure[doc.DEFAULT_COOCCURRENCE_MEASURE],
        min_weight: Annotated[
            float | None,
            strawberry.argument(
                description="Least weight of an edge, in the measure asked for (default: no floor)."
            ),
        ] = None,
        min_count: Annotated[
            int | None, strawberry.argument(description=doc.MIN_COUNT)
        ] = doc.DEFAULT_MIN_COUNT,
        first: Annotated[
            int | None,
            strawberry.argument(
                description=doc.list_first(
                    "nodes (the most frequent topics or providers)", doc.DEFAULT_GRAPH_NODES
                )
            ),
        ] = doc.DEFAULT_GRAPH_NODES,
    ) -> CooccurrenceGraph:
        return cooccurrence_graph(info.context.store, kind, measure, min_weight, min_count, first)

    @strawberry.field(
        description="The most central articles, providers or topics by a NetworkX measure, computed once per snapshot."
    )
    def central(
        self,
        info: Info,
        node_kind: Annotated[
            NodeKind, strawberry.argument(description="Which kind of node to rank, on which graph.")
        ],
        measure: Annotated[
            CentralityMeasure | None, strawberry.argument(description=doc.CENTRALITY)
        ] = CentralityMeasure[doc.DEFAULT_CENTRALITY],
        first: Annotated[
            int | None, strawberry.argument(description=doc.list_first("nodes", doc.DEFAULT_TOP))
        ] = doc.DEFAULT_TOP,
    ) -> list[CentralNode]:
        return central(info.context.store, node_kind, measure, first)

    @strawberry.field(
        description="Counts by topic, provider, month and type of the articles a filter keeps, for filter chips (`first` caps each list but months)."
    )
    def facets(
        self,
        info: Info,
        filter: Annotated[
            ArticleFilter | None, strawberry.argument(description=doc.ARTICLE_FILTER)
        ] = None,
        first: Annotated[
            int | None,
            strawberry.argument(
                description=doc.list_first(
                    "values in each list but months", doc.DEFAULT_FACET_VALUES
                )
            ),
        ] = doc.DEFAULT_FACET_VALUES,
    ) -> Facets:
        return facets_of(info.context.store, filter, first)
