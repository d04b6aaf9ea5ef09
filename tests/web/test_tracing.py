"""Optional OpenTelemetry tracing against a real in-thread server, collected by the SDK's
in-memory exporter: one span per operation with its parse, validate and execute phases, no span
per resolver; nothing at all with tracing off (the default)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import SEEDS
from tests.web.server import corpus_settings, running_server

sdk = pytest.importorskip("opentelemetry.sdk.trace")
from opentelemetry import trace  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (  # noqa: E402
    InMemorySpanExporter,
)

#: 5 articles with their provider and topics: dozens of resolvers.
QUERY = "query Page { articles(first: 5) { edges { node { title provider { name } topics { name } } } } }"


@pytest.fixture(scope="module")
def exporter() -> InMemorySpanExporter:
    memory = InMemorySpanExporter()
    provider = sdk.TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    trace.set_tracer_provider(provider)  # once per process: the SDK ignores a second one
    return memory


def _spans_of_one_query(exporter: InMemorySpanExporter, cache: Path, tracing: bool) -> list:
    settings = corpus_settings(SEEDS, cache, watch=False, tracing=tracing, response_cache_bytes=0)
    with running_server(settings) as server:
        exporter.clear()
        response = httpx.post(server.graphql, json={"query": QUERY}, timeout=30)
        assert response.status_code == 200
        assert len(response.json()["data"]["articles"]["edges"]) == 5
        return [s for s in exporter.get_finished_spans() if s.name.startswith("graphql.")]


def test_one_span_per_operation_and_phase(exporter: InMemorySpanExporter, tmp_path: Path) -> None:
    spans = _spans_of_one_query(exporter, tmp_path, tracing=True)
    by_name = {s.name: s for s in spans}
    assert sorted(by_name) == [
        "graphql.execute",
        "graphql.operation",
        "graphql.parse",
        "graphql.validate",
    ]
    assert len(spans) == 4  # no span per resolver
    operation = by_name["graphql.operation"]
    assert operation.attributes["graphql.operation.type"] == "query"
    assert operation.attributes["graphql.operation.name"] == "Page"
    for phase in ("graphql.parse", "graphql.validate", "graphql.execute"):
        assert by_name[phase].parent.span_id == operation.context.span_id


def test_no_spans_when_tracing_is_off(exporter: InMemorySpanExporter, tmp_path: Path) -> None:
    assert _spans_of_one_query(exporter, tmp_path, tracing=False) == []


@pytest.fixture(autouse=True)
def _no_leftover_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("GRAPHSVC_TRACING", raising=False)
    yield
