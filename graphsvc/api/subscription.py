"""Subscriptions (graphql-transport-ws): snapshot swaps and newly added articles."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterator
from typing import Annotated

import strawberry
from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from graphsvc.api.context import Info, PublicError, SnapshotSource
from graphsvc.api.graphtypes import GraphStats, stats_of
from graphsvc.api.types import Article, ArticleFilter, article_node
from graphsvc.graph import queries


def _source(info: Info) -> SnapshotSource:
    """The live snapshot source; subscriptions need a WebSocket connection to the server."""
    request = info.context.request
    source = info.context.source
    if source is None or getattr(request, "scope", {}).get("type") != "websocket":
        raise PublicError(
            "subscriptions run over a WebSocket (graphql-transport-ws) at /graphql, not over HTTP"
        )
    return source


@strawberry.type(description="A new snapshot of the graph was swapped in.")
class GraphChange:
    version: str = strawberry.field(description="The new snapshot's version.")
    previous_version: str = strawberry.field(description="The version it replaced.")
    stats: GraphStats = strawberry.field(description="Counts of the new snapshot.")


@strawberry.type(description="Live updates: each reload of the corpus that changes the graph.")
class Subscription:
    @strawberry.subscription(description="Every snapshot swap, with the new version and counts.")
    async def graph_changed(self, info: Info) -> AsyncGenerator[GraphChange, None]:
        async for old, new in _source(info).changes():
            yield GraphChange(
                version=new.version, previous_version=old.version, stats=stats_of(new)
            )

    @strawberry.subscription(
        description="Articles that appear in a new snapshot and pass the filter, newest first."
    )
    async def articles_added(
        self,
        info: Info,
        filter: Annotated[
            ArticleFilter | None,
            strawberry.argument(
                description="Only the new articles that pass this filter (every condition given must hold); without it, every new full article."
            ),
        ] = None,
    ) -> AsyncGenerator[Article, None]:
        source = _source(info)
        spec = filter.to_spec() if filter else queries.ArticleFilter()
        async for old, new in source.changes():
            for key in queries.filter_articles(new, spec):
                if key not in old.articles or old.articles[key].is_stub:
                    yield article_node(new.articles[key])


class WebSocketSubscriptionsOnly(SchemaExtension):
    """Refuses a subscription sent over plain HTTP with an error naming the WebSocket,
    instead of resolving its stream as if it were a query."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        request = getattr(context.context, "request", None)
        if (
            context.operation_type is OperationType.SUBSCRIPTION
            and getattr(request, "scope", {}).get("type") == "http"
        ):
            context.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "subscriptions run over a WebSocket (graphql-transport-ws) at /graphql,"
                        " not over HTTP"
                    )
                ],
            )
        yield
