"""Fixtures of the analytics tests: the served schema."""

from __future__ import annotations

import pytest
import strawberry

from graphsvc.api.schema import build_schema


@pytest.fixture(scope="session")
def analytics_schema() -> strawberry.Schema:
    return build_schema()
