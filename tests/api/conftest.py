"""Run GraphQL operations in-process against a store, as the HTTP layer would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import strawberry

from graphsvc.api.context import Context
from graphsvc.api.schema import build_schema
from graphsvc.graph.store import GraphStore

Run = Callable[..., Any]


@pytest.fixture(scope="session")
def schema() -> strawberry.Schema:
    return build_schema()


def make_runner(schema: strawberry.Schema, store: GraphStore) -> Run:
    def run(query: str, expect_errors: bool = False, **variables: Any) -> Any:
        result = schema.execute_sync(query, variable_values=variables, context_value=Context(store))
        if expect_errors:
            assert result.errors, f"expected an error from {query!r}"
            return result
        assert not result.errors, result.errors
        return result.data

    return run


@pytest.fixture(scope="session")
def news(schema: strawberry.Schema, news_store: GraphStore) -> Run:
    return make_runner(schema, news_store)


@pytest.fixture(scope="session")
def seeds(schema: strawberry.Schema, seeds_store: GraphStore) -> Run:
    return make_runner(schema, seeds_store)
