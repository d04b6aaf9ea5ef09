"""The ASGI app factory: ``create_app(settings)`` builds the app from plain lists of routes and
middleware; the lifespan loads the graph in the background (``/healthz`` answers at once,
``/readyz`` and ``/graphql`` once it is loaded) and watches the corpus folder for changes.

The parts live in their own modules: service.py (the GraphQL endpoint), websocket.py (its
WebSocket protocols), etag.py, health.py, and holder.py (the snapshot and its reloads).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from graphsvc.api.limits import Limits
from graphsvc.graph.store import GraphStore
from graphsvc.settings import Settings
from graphsvc.web.etag import ETagMiddleware
from graphsvc.web.explorer import explorer_routes
from graphsvc.web.export import export_routes
from graphsvc.web.graphiql import asset_routes
from graphsvc.web.health import healthz, readyz
from graphsvc.web.holder import PinSnapshot, StoreHolder, pinned
from graphsvc.web.metrics import (
    CountedAnswers,
    MeteredHolder,
    MetricsMiddleware,
    metrics_endpoint,
    process_stopped,
)
from graphsvc.web.response_cache import ResponseCache
from graphsvc.web.service import ServiceGraphQL

log = logging.getLogger("graphsvc.web")


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
    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint),
        Route("/graphql", graphql, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        WebSocketRoute("/graphql", graphql),
        *asset_routes(),
        *extra_routes(lambda request: pinned(request.scope), lambda: holder.failure),  # "/"
    ]
    app = Starlette(
        routes=routes,
        middleware=_middleware(settings, holder, answers, routes),
        lifespan=_lifespan,
        exception_handlers={HTTPException: _http_error, Exception: _server_error},  # type: ignore[dict-item]
    )
    app.state.holder = holder
    app.state.settings = settings
    app.state.answers = answers
    return app


def _middleware(
    settings: Settings, holder: StoreHolder, answers: CountedAnswers, routes: list[BaseRoute]
) -> list[Middleware]:
    """The middleware stack, outermost first."""
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
        Middleware(ResponseCache, answers=answers, max_body_bytes=settings.max_body_bytes)
    )
    return middleware


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    """Load the graph (then watch the corpus) in the background while the app serves."""
    holder: StoreHolder = app.state.holder
    settings: Settings = app.state.settings
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
