"""The WebSocket protocols of /graphql, gated on the graph: an operation sent before the graph is
loaded gets the protocol's error message (the connection stays open), as HTTP answers 503; a
malformed message closes the connection with 4400."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import StartMessage

from graphsvc.web.http import loading_error
from graphsvc.web.metrics import GRAPHQL_ERRORS, websocket_operation
from graphsvc.web.ws_messages import BAD_MESSAGE, graphql_ws_problem, transport_ws_problem

if TYPE_CHECKING:
    from graphsvc.web.service import ServiceGraphQL


class LoadingGatedTransportWS(BaseGraphQLTransportWSHandler[Any, None]):
    """graphql-transport-ws, where an operation sent before the graph is loaded is answered
    with the protocol's ``error`` message (the operation ends; the connection stays open), as
    HTTP answers 503: graphql-ws clients hand such errors to the operation's sink. A malformed
    message closes the connection with 4400 before the protocol handles it."""

    async def handle_message(self, message: Any) -> None:
        problem = transport_ws_problem(message)
        if problem is not None:
            await self.handle_invalid_message(problem)
            return
        await super().handle_message(message)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        holder = cast("ServiceGraphQL", self.view).holder
        if holder.ready or not self.connection_acknowledged or message["id"] in self.operations:
            await super().handle_subscribe(message)  # it also answers the protocol errors
            return
        error = loading_error(holder.failure)
        GRAPHQL_ERRORS.labels(error["extensions"]["code"]).inc()
        await self.send_message({"id": message["id"], "type": "error", "payload": [error]})

    async def run_operation(self, operation: Any) -> None:
        with websocket_operation():
            await super().run_operation(operation)


class LoadingGatedWS(BaseGraphQLWSHandler[Any, None]):
    """The older graphql-ws protocol (subscriptions-transport-ws, Apollo's), gated the same
    way: an operation started before the graph is loaded gets the protocol's ``error`` message
    (one error object as its payload) and ends; the connection stays open. A malformed
    message closes the connection with 4400, as in graphql-transport-ws."""

    async def handle_message(self, message: Any) -> None:
        problem = graphql_ws_problem(message)
        if problem is not None:
            await self.websocket.close(code=BAD_MESSAGE, reason=problem)
            return
        await super().handle_message(message)

    async def handle_start(self, message: StartMessage) -> None:
        holder = cast("ServiceGraphQL", self.view).holder
        if holder.ready or not self.connection_acknowledged:
            await super().handle_start(message)  # it also refuses unacknowledged connections
            return
        error = loading_error(holder.failure)
        GRAPHQL_ERRORS.labels(error["extensions"]["code"]).inc()
        await self.send_message({"id": message["id"], "type": "error", "payload": error})

    async def handle_async_results(self, *args: Any, **kwargs: Any) -> None:
        with websocket_operation():
            await super().handle_async_results(*args, **kwargs)
