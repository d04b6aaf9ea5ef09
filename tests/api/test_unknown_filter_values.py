"""A filter naming a topic or provider the graph does not hold is an error naming that value,
as ``topic(name:)`` and ``provider(domain:)`` are, never an empty answer that looks like "no
articles". Known values, in any spelling the lookups accept, still answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from graphsvc.graph.store import GraphStore

Run = Callable[..., Any]  # the runner fixtures of tests/api/conftest.py

FIELDS = {
    "articles": "query($f: ArticleFilter) { articles(filter: $f) { totalCount } }",
    "facets": "query($f: ArticleFilter) { facets(filter: $f) { totalCount } }",
    "stories": "query($f: ArticleFilter) { stories(filter: $f) { totalCount } }",
    "exportUrl": "query($f: ArticleFilter) { exportUrl(format: GRAPHML, filter: $f) }",
}


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize(
    ("flt", "named"),
    [
        ({"topics": ["Nope"]}, "no topic named 'Nope'"),
        ({"topics": ["AI", "Nope"]}, "no topic named 'Nope'"),
        ({"providers": ["nowhere.example"]}, "no provider with domain 'nowhere.example'"),
        (
            {"topics": ["AI"], "providers": ["kerneltimes.io", "nowhere.example"]},
            "'nowhere.example'",
        ),
    ],
)
def test_an_unknown_value_is_an_error_naming_it(
    seeds: Run, field: str, flt: dict[str, list[str]], named: str
) -> None:
    result = seeds(FIELDS[field], expect_errors=True, f=flt)
    assert result.data is None
    assert [named in e.message for e in result.errors] == [True], result.errors


@pytest.mark.parametrize("field", FIELDS)
def test_known_values_in_any_spelling_answer(
    seeds: Run, seeds_store: GraphStore, field: str
) -> None:
    topic = max(seeds_store.topics.values(), key=lambda t: t.article_count)
    provider = max(seeds_store.providers.values(), key=lambda p: p.article_count)
    flt = {"topics": [f" {topic.name.upper()} "], "providers": [f"WWW.{provider.domain}"]}
    data = seeds(FIELDS[field], f=flt)
    assert data[field] is not None
