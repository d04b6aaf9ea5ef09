"""The GraphQL endpoint at /graphql: the schema with its limits, metrics and tracing, the offline
playground, the loading gate, and the snapshot each operation runs on."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from graphsvc.api.context import Context
from graphsvc.api.limits import Limits
from graphsvc.api.schema import build_schema
from graphsvc.web.examples import DEFAULT_QUERY, examples_for
from graphsvc.web.graphiql import OfflineGraphiQLMixin
from graphsvc.web.holder import StoreHolder, pinned
from graphsvc.web.http import GraphQLApp, loading_response, wants_html
from graphsvc.web.metrics import instrument, websocket_open
from graphsvc.web.tracing import tracing_extension
from graphsvc.web.websocket import LoadingGatedTransportWS, LoadingGatedWS


class ServiceGraphQL(OfflineGraphiQLMixin, GraphQLApp):
    """GraphQL at /graphql: each request runs on the snapshot current when it arrived."""

    graphiql_default_query = DEFAULT_QUERY
    graphql_transport_ws_handler_class = LoadingGatedTransportWS
    graphql_ws_handler_class = LoadingGatedWS

    def __init__(
        self, holder: StoreHolder, limits: Limits, *, tracing: bool = False, **kwargs: Any
    ) -> None:
        schema = build_schema(limits)
        schema.extensions = instrument(schema.extensions)  # operation types and errors
        if tracing:  # outermost: its span covers the whole operation
            schema.extensions = (tracing_extension(), *schema.extensions)
        super().__init__(schema, **kwargs)
        self.holder = holder

    def graphiql_examples(self, request: Request) -> list[tuple[str, str]]:
        """Examples filled from the snapshot served (ones that need none while it loads)."""
        return examples_for(pinned(request.scope))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and pinned(scope) is None and not wants_html(scope):
            gate = loading_response(self.holder.failure)
            await gate(scope, receive, send)
            return
        if scope["type"] == "websocket":
            with websocket_open():
                await super().__call__(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:  # type: ignore[override]
        store = None if isinstance(request, WebSocket) else pinned(request.scope)
        if store is None:
            # A connection outlives reloads: it follows the holder. Over HTTP the graph is only
            # missing for the playground page (the gate above answers the rest 503), which
            # needs none: it used to fail with a 500 here while the graph loaded.
            return Context(request=request, response=response, source=self.holder)
        return Context(store=store, request=request, response=response, source=self.holder)
