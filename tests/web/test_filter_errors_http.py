"""Over HTTP, on a real server: a filter's unknown topic or provider is a GraphQL error naming
it (HTTP 200, `data: null`), never a 500 and never a silent `totalCount: 0`."""

from __future__ import annotations

import pytest

from tests.web.server import Server


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ('{ articles(filter: {topics: ["Nope"]}) { totalCount } }', "no topic named 'Nope'"),
        ('{ facets(filter: {topics: ["Nope"]}) { totalCount } }', "no topic named 'Nope'"),
        (
            '{ articles(filter: {providers: ["nowhere.example"]}) { totalCount } }',
            "no provider with domain 'nowhere.example'",
        ),
    ],
)
def test_unknown_filter_value_over_http(seeds_server: Server, query: str, named: str) -> None:
    body = seeds_server.query(query)
    assert body["data"] is None
    assert [named in e["message"] for e in body["errors"]] == [True], body
