"""Hand-built stores for analytics tests: frontmatter dicts in, a GraphStore out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry

from graphsvc.api.context import Context
from graphsvc.graph.build import build_store
from graphsvc.graph.store import GraphStore
from graphsvc.identity import article_key
from graphsvc.ingest.documents import build_record, compact
from graphsvc.model import IngestReport


def url(name: str) -> str:
    """The canonical URL of a test article."""
    return f"https://{name}.example.com/a"


def key(name: str) -> str:
    """The node key of a test article."""
    return article_key(url(name))


def doc(
    name: str,
    *,
    when: str | None = "2021-03-01T12:00:00Z",
    provider: str = "p.example.org",
    topics: Sequence[str] = (),
    related: Sequence[str | tuple[str, str]] = (),
    type: str | None = "article",
) -> dict[str, Any]:
    """A document's frontmatter. A related entry is an article name, or (name, provider)
    for a stub with that provider."""
    items = []
    for entry in related:
        other, domain = (entry, "stub.example.org") if isinstance(entry, str) else entry
        items.append(
            {"title": f"Item {other}", "webUrl": url(other), "provider": {"domain": domain}}
        )
    data: dict[str, Any] = {
        "title": f"Article {name}",
        "webUrl": url(name),
        "provider": {"name": provider.upper(), "domain": provider},
        "topics": list(topics),
        "related": items,
    }
    if when is not None:
        data["publishedDateTime"] = when
    if type is not None:
        data["type"] = type
    return data


def make_store(docs: Sequence[dict[str, Any]]) -> GraphStore:
    """A store of these documents, taken in the given order."""
    strings: dict[str, str] = {}
    records = [
        (f"{i:03d}.md", compact(build_record(f"{i:03d}.md", d), strings))
        for i, d in enumerate(docs)
    ]
    return build_store(records, IngestReport(), version="test")


def run(schema: strawberry.Schema, store: GraphStore, query: str, **variables: Any) -> Any:
    """Execute a query in-process; fail on errors."""
    result = schema.execute_sync(query, variable_values=variables, context_value=Context(store))
    assert not result.errors, result.errors
    return result.data


def run_error(schema: strawberry.Schema, store: GraphStore, query: str, **variables: Any) -> str:
    """Execute a query that must fail; its first error message."""
    result = schema.execute_sync(query, variable_values=variables, context_value=Context(store))
    assert result.errors, f"expected an error from {query!r}"
    return result.errors[0].message
