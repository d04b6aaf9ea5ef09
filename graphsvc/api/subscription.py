"""Subscriptions (graphql-transport-ws): snapshot swaps and newly added articles."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from graphsvc.api.context import Info, PublicError
from graphsvc.api.graphtypes import GraphStats, stats_of
from graphsvc.api.types import Article, ArticleFilter, article_node
from graphsvc.graph import queries


@strawberry.type(description="A new snapshot of the graph was swapped in.")
class GraphChange:
    version: str = strawberry.field(description="The new snapshot's version.")
    previous_version: str = strawberry.field(description="The version it replaced.")
    stats: GraphStats = strawberry.field(description="Counts of the new snapshot.")


@strawberry.type(description="Live updates: each reload of the corpus that changes the graph.")
class Subscription:
    @strawberry.subscription(description="Every snapshot swap, with the new version and counts.")
    async def graph_changed(self, info: Info) -> AsyncGenerator[GraphChange, None]:
        source = info.context.source
        if source is None:
            raise PublicError("subscriptions need the server (graphsvc serve)")
        async for old, new in source.changes():
            yield GraphChange(
                version=new.version, previous_version=old.version, stats=stats_of(new)
            )

    @strawberry.subscription(
        description="Articles that appear in a new snapshot and pass the filter, newest first."
    )
    async def articles_added(
        self, info: Info, filter: ArticleFilter | None = None
    ) -> AsyncGenerator[Article, None]:
        source = info.context.source
        if source is None:
            raise PublicError("subscriptions need the server (graphsvc serve)")
        spec = filter.to_spec() if filter else queries.ArticleFilter()
        async for old, new in source.changes():
            for key in queries.filter_articles(new, spec):
                if key not in old.articles or old.articles[key].is_stub:
                    yield article_node(new.articles[key])
