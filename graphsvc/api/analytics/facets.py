"""Facets in GraphQL: counts of a filtered article list by topic, provider, month and type."""

from __future__ import annotations

import strawberry

from graphsvc.api import arguments as doc
from graphsvc.api.analytics.common import check_first
from graphsvc.api.types import ArticleFilter
from graphsvc.graph.analytics import facets
from graphsvc.graph.store import GraphStore


@strawberry.type(description="A value of a facet with the number of articles that have it.")
class FacetValue:
    value: str | None = strawberry.field(
        description="What to filter on: a topic name, a provider domain, a month `YYYY-MM` (UTC) or a type; null for undated or untyped."
    )
    label: str = strawberry.field(description="Display text.")
    count: int = strawberry.field(description="Articles of the filtered list with this value.")


@strawberry.type(
    description="Counts of a filtered article list by topic, provider, month and type."
)
class Facets:
    total_count: int = strawberry.field(description="Articles that pass the filter.")
    topics: list[FacetValue] = strawberry.field(description="Most articles first (ties by name).")
    providers: list[FacetValue] = strawberry.field(
        description="Most articles first (ties by domain)."
    )
    months: list[FacetValue] = strawberry.field(
        description="Every month with articles, oldest first, undated last."
    )
    types: list[FacetValue] = strawberry.field(description="Most articles first.")


def facets_of(store: GraphStore, flt: ArticleFilter | None, first: int | None) -> Facets:
    """The facets of a filter, each list but months cut to ``first``."""
    n = check_first(first, doc.DEFAULT_FACET_VALUES)
    found = facets.facets(store, flt.checked_spec(store) if flt else None)
    return Facets(
        total_count=found.total,
        topics=[
            FacetValue(value=store.topics[k].name, label=store.topics[k].name, count=c)
            for k, c in found.topics[:n]
        ],
        providers=[
            FacetValue(value=store.providers[k].domain, label=store.providers[k].name, count=c)
            for k, c in found.providers[:n]
        ],
        months=[FacetValue(value=m, label=m or "undated", count=c) for m, c in found.months],
        types=[FacetValue(value=t, label=t or "unknown", count=c) for t, c in found.types[:n]],
    )
