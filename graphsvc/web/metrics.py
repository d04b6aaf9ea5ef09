"""Prometheus metrics, served at ``/metrics`` in the text format (prometheus-client).

Every metric is named ``graphsvc_*`` and labelled only with values the service chooses (route
templates, GraphQL operation types, status and error codes), never with what a client sends,
so the number of series stays bounded. With several workers (``graphsvc serve --workers N``)
each process writes its values to files in ``PROMETHEUS_MULTIPROC_DIR`` (``graphsvc serve``
makes a temporary one and removes it on exit) and whichever worker answers a scrape reports
the sum over all of them (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from graphsvc.api.context import is_public
from graphsvc.graph.store import GraphStore
from graphsvc.web.holder import StoreHolder
from graphsvc.web.response_cache import KeptAnswers
from graphsvc.web.workers import MULTIPROC_ENV

_SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_LOAD_SECONDS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)

REQUEST_SECONDS = Histogram(
    "graphsvc_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by route template and GraphQL"
    " operation type (query, mutation, subscription; cached: answered by the response cache;"
    " none: no GraphQL operation ran)",
    ["route", "operation"],
    buckets=_SECONDS,
)
HTTP_ERRORS = Counter(
    "graphsvc_http_errors_total",
    "HTTP answers with a status of 400 or more, by route template and status code",
    ["route", "code"],
)
GRAPHQL_ERRORS = Counter(
    "graphsvc_graphql_errors_total",
    "GraphQL errors, by code: the error's own extensions.code (COST_LIMIT, GRAPH_LOADING,"
    " ...), else GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED (no path: validation, variables,"
    " limits), BAD_USER_INPUT (a resolver's error for the client) or INTERNAL_SERVER_ERROR",
    ["code"],
)
CACHE_REQUESTS = Counter(
    "graphsvc_response_cache_requests_total",
    "Requests the response cache looked up, by result (hit, miss)",
    ["result"],
)
RELOADS = Counter("graphsvc_reloads_total", "Snapshots swapped in after the first one")
RELOAD_FAILURES = Counter(
    "graphsvc_reload_failures_total",
    "Loads that failed, the first one included (a reload's failure keeps the old snapshot)",
)
LOAD_SECONDS = Histogram(
    "graphsvc_load_duration_seconds",
    "Time to build a snapshot and swap it in (the first load and each reload)",
    buckets=_LOAD_SECONDS,
)
_LOADED_AT_NAME = "graphsvc_snapshot_loaded_timestamp_seconds"
LOADED_AT = Gauge(
    _LOADED_AT_NAME,
    "When each worker's current snapshot was built (Unix time)",
    multiprocess_mode="liveall",
)
REJECTED = Gauge(
    "graphsvc_ingest_rejected_files",
    "Files the current snapshot's ingest rejected",
    multiprocess_mode="livemax",
)
WARNINGS = Gauge(
    "graphsvc_ingest_warnings",
    "Warnings of the current snapshot's ingest, by kind",
    ["kind"],
    multiprocess_mode="livemax",
)
WEBSOCKETS = Gauge(
    "graphsvc_websocket_connections",
    "Open WebSocket connections",
    multiprocess_mode="livesum",
)
WEBSOCKET_OPERATIONS = Gauge(
    "graphsvc_websocket_subscriptions",
    "GraphQL operations in flight over WebSocket: the open subscriptions (and queries while"
    " they run)",
    multiprocess_mode="livesum",
)

#: The GraphQL operation type of the request in progress ("none" until GraphQL runs), in a
#: cell of the request's own: GraphQL runs in a worker thread, on a copy of the context, and
#: writes into the same cell.
_OPERATION: ContextVar[list[str]] = ContextVar("graphsvc_operation")


def _note_operation(kind: str) -> None:
    cell = _OPERATION.get(None)
    if cell is not None:
        cell[0] = kind


# Requests ----------------------------------------------------------------------------
class MetricsMiddleware:
    """The outermost middleware: times each HTTP request and counts its errors. The route is
    the template the router matched; a request answered before routing (by the response
    cache) is matched against ``routes`` here."""

    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute] = ()) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        operation = ["none"]
        token = _OPERATION.set(operation)
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = self._route(scope)
            REQUEST_SECONDS.labels(route, operation[0]).observe(time.perf_counter() - started)
            if status >= 400:
                HTTP_ERRORS.labels(route, str(status)).inc()
            _OPERATION.reset(token)

    def _route(self, scope: Scope) -> str:
        route = scope.get("route")
        if route is None:
            route = next((r for r in self.routes if r.matches(scope)[0] != Match.NONE), None)
        return getattr(route, "path", None) or "unmatched"


class RecordOperation(SchemaExtension):
    """The outermost extension: notes the operation's type for the request's duration, and
    counts an error a limit raised before the inner extensions ran (a limit that parses the
    document itself raises its syntax error, for one)."""

    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except GraphQLError as error:
            GRAPHQL_ERRORS.labels(error_code(error)).inc()
            raise
        finally:
            with contextlib.suppress(RuntimeError):  # no document, or no such operation
                _note_operation(self.execution_context.operation_type.value)


class CountErrors(SchemaExtension):
    """The innermost extension: counts the operation's errors before they are masked."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        for error in (context.result.errors if context.result else None) or ():
            GRAPHQL_ERRORS.labels(error_code(error)).inc()


def instrument(extensions: Iterable[Any]) -> tuple[Any, ...]:
    """A schema's extensions with the two above, outermost and innermost."""
    return (RecordOperation, *extensions, CountErrors)


def error_code(error: GraphQLError) -> str:
    """The label of a GraphQL error (see ``GRAPHQL_ERRORS``)."""
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    if not error.path:
        return "GRAPHQL_VALIDATION_FAILED"
    return "BAD_USER_INPUT" if is_public(error) else "INTERNAL_SERVER_ERROR"


class CountedAnswers(KeptAnswers):
    """The response cache, counting its hits and misses."""

    def get(self, store: GraphStore, key: bytes) -> Any:
        entry = super().get(store, key)
        CACHE_REQUESTS.labels("miss" if entry is None else "hit").inc()
        if entry is not None:
            _note_operation("cached")
        return entry


# Snapshots ---------------------------------------------------------------------------
class MeteredHolder(StoreHolder):
    """The snapshot holder, timing each load and counting reloads and failures."""

    async def load(self) -> GraphStore:
        first = not self.ready
        started = time.perf_counter()
        try:
            store = await super().load()
        except Exception:
            RELOAD_FAILURES.inc()
            raise
        LOAD_SECONDS.observe(time.perf_counter() - started)
        if not first:
            RELOADS.inc()
        record_snapshot(store)
        return store


def record_snapshot(store: GraphStore) -> None:
    """Set the gauges that describe the current snapshot."""
    LOADED_AT.set(store.loaded_at.timestamp())
    REJECTED.set(len(store.report.rejected))
    kinds: dict[str, int] = {}
    for warning in store.report.warnings:
        kinds[warning.kind] = kinds.get(warning.kind, 0) + 1
    for kind in {*kinds, *_seen_warning_kinds}:
        WARNINGS.labels(kind).set(kinds.get(kind, 0))
    _seen_warning_kinds.update(kinds)


_seen_warning_kinds: set[str] = set()


# WebSocket ---------------------------------------------------------------------------
def websocket_open() -> Any:
    """A context manager counting an open WebSocket connection."""
    return WEBSOCKETS.track_inprogress()


def websocket_operation() -> Any:
    """A context manager counting a GraphQL operation in flight over WebSocket."""
    return WEBSOCKET_OPERATIONS.track_inprogress()


# Scrapes -----------------------------------------------------------------------------
class SnapshotAge(Collector):
    """``graphsvc_snapshot_age_seconds``: how old the oldest worker's snapshot is, at scrape."""

    def __init__(self, loaded_at: Callable[[], Iterable[float]]) -> None:
        self.loaded_at = loaded_at

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "graphsvc_snapshot_age_seconds",
            "Seconds since the oldest snapshot a worker serves was built",
        )
        times = [t for t in self.loaded_at() if t > 0]
        if times:
            family.add_metric([], time.time() - min(times))
        yield family


def _loaded_at_samples(collector: Any) -> Callable[[], list[float]]:
    def samples() -> list[float]:
        return [
            sample.value
            for family in collector.collect()
            if family.name == _LOADED_AT_NAME
            for sample in family.samples
        ]

    return samples


def _registry() -> CollectorRegistry:
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        files = multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        registry.register(SnapshotAge(_loaded_at_samples(files)))
        return registry
    return REGISTRY


if not os.environ.get(MULTIPROC_ENV):
    REGISTRY.register(SnapshotAge(_loaded_at_samples(LOADED_AT)))


async def metrics_endpoint(request: Request) -> Response:
    """``/metrics``: every metric, summed over the workers."""
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)


def process_stopped() -> None:
    """A worker stops: its live gauges (open connections, snapshot state) leave the sums."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
