"""The ASGI app: GraphQL over HTTP and WebSocket, the offline playground, health and readiness.

``create_app(settings)`` builds everything from plain lists; the lifespan loads the graph in the
background (``/healthz`` answers at once, ``/readyz`` and ``/graphql`` once it is loaded) and
watches the corpus folder for changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
from collections.abc import AsyncIterator, Callable
from typing import Any, cast

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import StartMessage

from graphsvc.api.context import Context
from graphsvc.api.limits import Limits
from graphsvc.api.schema import build_schema
from graphsvc.graph.store import GraphStore
from graphsvc.settings import Settings
from graphsvc.web.examples import DEFAULT_QUERY, examples_for
from graphsvc.web.explorer import explorer_routes
from graphsvc.web.export import export_routes
from graphsvc.web.graphiql import OfflineGraphiQLMixin, asset_routes
from graphsvc.web.holder import PinSnapshot, StoreHolder, pinned
from graphsvc.web.http import (
    GraphQLApp,
    loading_error,
    loading_response,
    wants_html,
)
from graphsvc.web.metrics import (
    GRAPHQL_ERRORS,
    CountedAnswers,
    MeteredHolder,
    MetricsMiddleware,
    instrument,
    metrics_endpoint,
    process_stopped,
    websocket_open,
    websocket_operation,
)
from graphsvc.web.response_cache import ResponseCache
from graphsvc.web.tracing import tracing_extension
from graphsvc.web.ws_messages import BAD_MESSAGE, graphql_ws_problem, transport_ws_problem

log = logging.getLogger("graphsvc.web")


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
            await loading_response(self.holder.failure)(scope, receive, send)
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


class ETagMiddleware:
    """GET /graphql answers carry an ETag of (snapshot version, query string, Accept); 304 on a
    match. Every /graphql answer says ``Vary: Accept``: the same URL gives the playground page,
    ``application/json`` or ``application/graphql-response+json`` depending on that header."""

    def __init__(self, app: ASGIApp, path: str = "/graphql") -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        etag = self._etag(scope, headers)
        vary = (b"vary", b"Accept")
        matches = [t.strip() for t in headers.get(b"if-none-match", b"").split(b",")]
        if etag is not None and etag in matches:
            response = Response(status_code=304, headers={"ETag": etag.decode()})
            response.raw_headers.append(vary)
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [vary]
                if etag is not None and message["status"] == 200:
                    extra.append((b"etag", etag))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _etag(self, scope: Scope, headers: dict[bytes, bytes]) -> bytes | None:
        """The ETag of a GET query's answer, or None when the answer gets none."""
        if (
            scope["method"] != "GET"
            or not scope.get("query_string")
            or (store := pinned(scope)) is None
            or wants_html(scope)
        ):
            return None
        digest = hashlib.sha256(
            store.version.encode()
            + b"\0"
            + scope["query_string"]
            + b"\0"
            + headers.get(b"accept", b"")
        ).hexdigest()[:32]
        return f'W/"{digest}"'.encode()


def create_app(settings: Settings | None = None, *, holder: StoreHolder | None = None) -> Starlette:
    """The graphsvc ASGI app for these settings."""
    settings = settings or Settings.from_env()
    holder = holder or MeteredHolder(settings)
    limits = Limits(
        max_depth=settings.max_depth,
        max_aliases=settings.max_aliases,
        max_tokens=settings.max_tokens,
        max_cost=settings.max_cost,
    )
    graphql = ServiceGraphQL(
        holder,
        limits,
        max_body_bytes=settings.max_body_bytes,
        tracing=settings.tracing,
        allowed_origins=settings.cors_origins,  # pages allowed over HTTP may subscribe too
    )
    answers = CountedAnswers(settings.response_cache_bytes)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "alive"})

    async def readyz(request: Request) -> Response:
        if not holder.ready:
            if holder.failure is not None:  # the first load failed: say so, and why
                body = {"status": "failed", "reason": holder.failure, "watching": holder.watching}
                return JSONResponse(body, status_code=503)
            return JSONResponse(
                {"status": "loading"}, status_code=503, headers={"Retry-After": "2"}
            )
        store = holder.store
        return JSONResponse(
            {
                "status": "ready",
                "version": store.version,
                "loadedAt": store.loaded_at.isoformat(),
                "corpus": store.root,
                "counts": store.counts.as_dict(),
                "rejected": len(store.report.rejected),
                "reloads": holder.reloads,
                "lastReloadError": holder.last_error,
                "watching": holder.watching,
                "pid": os.getpid(),  # which worker answered (each loads its own snapshot)
                "responseCache": answers.stats(),
            }
        )

    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint),
        Route("/graphql", graphql, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        WebSocketRoute("/graphql", graphql),
        *asset_routes(),
        *extra_routes(lambda request: pinned(request.scope), lambda: holder.failure),  # "/"
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        tasks = [asyncio.create_task(_load_then_watch(holder, settings, stop))]
        shown = "localhost" if settings.host in ("0.0.0.0", "::") else settings.host
        log.info(
            "playground: http://%s:%s/graphql (GraphQL over HTTP and WebSocket at the same URL);"
            " explorer: http://%s:%s/; health: /healthz, /readyz; loading %s",
            shown,
            settings.port,
            shown,
            settings.port,
            settings.snapshot or settings.corpus,
        )
        try:
            yield
        finally:
            stop.set()
            holder.close()  # an ingest under way stops (and shuts its process pool down)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            process_stopped()

    middleware = [
        Middleware(MetricsMiddleware, routes=routes),  # outermost: times every request
        Middleware(PinSnapshot, holder=holder),  # one snapshot per request
        # Never gzip what is compressed already: the .zip export (application/zip) among others.
        Middleware(
            GZipMiddleware,
            minimum_size=1024,
            exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, "application/zip"),
        ),
    ]
    if settings.cors_origins:
        middleware.insert(
            2,
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["content-type", "accept", "authorization", "if-none-match"],
                expose_headers=["etag"],
                max_age=600,
            ),
        )
    middleware.append(Middleware(ETagMiddleware))
    middleware.append(
        Middleware(
            ResponseCache,
            answers=answers,
            max_body_bytes=settings.max_body_bytes,
        )
    )
    app = Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={HTTPException: _http_error, Exception: _server_error},  # type: ignore[dict-item]
    )
    app.state.holder = holder
    app.state.settings = settings
    return app


def extra_routes(
    get_store: Callable[[Request], GraphStore | None], failure: Callable[[], str | None]
) -> list[BaseRoute]:
    """Routes of the features built on the API: graph export and the explorer page (at /)."""
    return [*export_routes(get_store, failure), *explorer_routes()]


async def _load_then_watch(holder: StoreHolder, settings: Settings, stop: asyncio.Event) -> None:
    await holder.start()  # a failure leaves it failed; a watched corpus may still be mended
    if settings.watch and settings.snapshot is None:
        await holder.watch(stop)


async def _http_error(request: Request, exc: HTTPException) -> Response:
    return JSONResponse(
        {"error": exc.detail, "status": exc.status_code},
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"error": "internal server error", "status": 500}, status_code=500)


def create_app_from_env() -> Starlette:
    """App factory for ``uvicorn --factory`` (each worker reads ``GRAPHSVC_*``)."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    return create_app(settings)


def configure_logging(level: str) -> None:
    """One line per event on stderr for graphsvc's own loggers (uvicorn keeps its own)."""
    logger = logging.getLogger("graphsvc")
    logger.setLevel(level.upper())
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
