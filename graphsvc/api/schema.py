"""The Strawberry schema: the Query root, the limits, error masking."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import anyio.to_thread
import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.base import get_object_definition
from strawberry.types.graphql import OperationType

from graphsvc.api.analytics import AnalyticsQuery
from graphsvc.api.context import is_public
from graphsvc.api.execution import FastExecutor
from graphsvc.api.export_field import ExportQuery
from graphsvc.api.limits import Limits, limit_extensions
from graphsvc.api.query import Query
from graphsvc.api.subscription import Subscription, WebSocketSubscriptionsOnly
from graphsvc.api.types import Article, Provider, Topic
from graphsvc.settings import Settings

#: Root query types, merged into one ``Query``; a feature adds its own class here.
QUERY_TYPES: tuple[type, ...] = (Query, AnalyticsQuery, ExportQuery)

log = logging.getLogger("graphsvc.api")
FAST_PATH = "GRAPHSVC_FAST_PATH"
SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"


class GraphsvcSchema(strawberry.Schema):
    """Runs every query in a worker thread, and logs a trace for unexpected errors only
    (client errors are one line at INFO).

    Every resolver is synchronous, so an operation runs whole in ``execute_sync``. Running it
    in a worker thread (``execute``, which the HTTP view and WebSocket queries await) keeps
    the event loop free while a costly query runs: other clients, ``/healthz`` and
    subscriptions are answered meanwhile, the threads taking turns on the GIL. Subscriptions
    stay on the loop (``subscribe``).
    """

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        run = functools.partial(
            self.execute_sync,
            query,
            variable_values=variable_values,
            context_value=context_value,
            root_value=root_value,
            operation_name=operation_name,
            allowed_operation_types=allowed_operation_types,
            operation_extensions=operation_extensions,
        )
        return await anyio.to_thread.run_sync(run)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        unexpected = [e for e in errors if not is_public(e)]
        for error in errors:
            if is_public(error):
                log.info("client error: %s", error.message)
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema(limits: Limits | None = None, fast: bool | None = None) -> strawberry.Schema:
    """The schema with every limit; unexpected errors reach clients as a generic message.

    ``fast`` executes with the fast path (``graphsvc.api.execution``); False gives
    Strawberry's standard executor, the same answers (the differential test and the
    benchmarks compare the two). None: the ``GRAPHSVC_FAST_PATH`` setting (default true).
    """
    if fast is None:  # this setting alone: another variable's bad value is not this call's error
        fast = Settings.from_env({FAST_PATH: os.environ.get(FAST_PATH, "")}).fast_path
    return GraphsvcSchema(
        query=strawberry.type(
            merge_types("Query", QUERY_TYPES),
            description=get_object_definition(Query, strict=True).description,
        ),
        subscription=Subscription,
        types=[Article, Provider, Topic],
        extensions=[
            WebSocketSubscriptionsOnly,
            *limit_extensions(limits or Limits()),
            lambda: MaskErrors(should_mask_error=lambda e: not is_public(e)),
        ],
        execution_context_class=FastExecutor if fast else None,
    )


def schema_sdl(schema: strawberry.Schema | None = None) -> str:
    """The SDL of the served schema, as committed in schema/schema.graphql."""
    return (schema or build_schema()).as_str() + "\n"
