"""Optional OpenTelemetry tracing of GraphQL operations, off by default (``GRAPHSVC_TRACING``).

One span per operation (``graphql.operation``) with its phases as children (``graphql.parse``,
``graphql.validate``, ``graphql.execute``), and no span per resolver: a page of 100 articles
would otherwise make thousands. Only the OpenTelemetry API is used (``pip install
'graphsvc[tracing]'``); the spans go wherever the process's OpenTelemetry SDK sends them, for
example when the service runs under ``opentelemetry-instrument`` with the usual ``OTEL_*``
variables. Without an SDK they cost next to nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graphsvc.errors import ConfigError

try:
    from opentelemetry import trace
except ImportError:  # pragma: no cover - depends on the environment
    trace = None  # type: ignore[assignment]

INSTALL_HINT = "pip install 'graphsvc[tracing]' (the opentelemetry-api package)"


class TraceOperation(SchemaExtension):
    """Spans for the operation and its parse, validate and execute phases."""

    def on_operation(self) -> Iterator[None]:
        with _tracer().start_as_current_span("graphql.operation") as span:
            try:
                yield
            except GraphQLError as error:  # a limit refused it before it parsed
                span.set_status(trace.StatusCode.ERROR, error.message[:200])
                raise
            context = self.execution_context
            with contextlib.suppress(RuntimeError):  # no document, or no such operation
                span.set_attribute("graphql.operation.type", context.operation_type.value)
            if context.operation_name:
                span.set_attribute("graphql.operation.name", context.operation_name[:200])
            errors = context.result.errors if context.result else None
            if errors:
                span.set_attribute("graphql.errors", len(errors))
                span.set_status(trace.StatusCode.ERROR, errors[0].message[:200])

    def on_parse(self) -> Iterator[None]:
        with _tracer().start_as_current_span("graphql.parse"):
            yield

    def on_validate(self) -> Iterator[None]:
        with _tracer().start_as_current_span("graphql.validate"):
            yield

    def on_execute(self) -> Iterator[None]:
        with _tracer().start_as_current_span("graphql.execute"):
            yield


def _tracer() -> trace.Tracer:
    return trace.get_tracer("graphsvc")


def tracing_extension() -> type[SchemaExtension]:
    """The extension, or a ConfigError saying what to install."""
    if trace is None:
        raise ConfigError(f"GRAPHSVC_TRACING needs OpenTelemetry: {INSTALL_HINT}")
    return TraceOperation
