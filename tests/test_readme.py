"""The README's example queries run: each validates against the schema and answers without
error on the demo seeds or on the shared corpus."""

from __future__ import annotations

import re

import pytest
import strawberry
from support import REPO

from graphsvc.api.context import Context
from graphsvc.api.schema import build_schema
from graphsvc.graph.store import GraphStore


def readme_operations() -> list[str]:
    text = (REPO / "README.md").read_text()
    ops: list[str] = []
    for block in re.findall(r"```graphql\n(.*?)```", text, re.S):
        body = "\n".join(line for line in block.splitlines() if not line.startswith("#"))
        ops += [op.strip() for op in re.split(r"\n(?=query |subscription )", body) if op.strip()]
    return ops


def test_the_readme_has_examples() -> None:
    assert len(readme_operations()) >= 10


@pytest.mark.parametrize("operation", readme_operations())
def test_readme_example_runs(
    operation: str, seeds_store: GraphStore, news_store: GraphStore
) -> None:
    schema: strawberry.Schema = build_schema()
    if operation.startswith("subscription"):
        from graphql import parse, validate

        assert validate(schema._schema, parse(operation)) == []
        return
    results = [
        schema.execute_sync(operation, context_value=Context(s)) for s in (seeds_store, news_store)
    ]
    assert any(not r.errors and r.data for r in results), [r.errors for r in results]
