"""GraphQL types and root fields of graph analytics; resolvers call ``graph.analytics``.

Every heavy result is computed once per snapshot on first use (graph/memo.py).
The Article and Provider fields in api/types.py reach these through ``strawberry.lazy``.
"""

from __future__ import annotations

from graphsvc.api.analytics.measures import (
    CentralityMeasure,
    ProviderShare,
    TopicShare,
    coverage_overlap,
    rank_of,
    topic_mix,
)
from graphsvc.api.analytics.query import AnalyticsQuery
from graphsvc.api.analytics.stories import Story, story_of

__all__ = [
    "AnalyticsQuery",
    "CentralityMeasure",
    "ProviderShare",
    "Story",
    "TopicShare",
    "coverage_overlap",
    "rank_of",
    "story_of",
    "topic_mix",
]
