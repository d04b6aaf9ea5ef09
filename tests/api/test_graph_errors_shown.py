"""A graph-layer error about an argument reaches the client as it is, with no resolver
re-raising it: ``QueryError`` is a ``GraphsvcError``, which ``is_public`` never masks. One
operation for each resolver that used to wrap the call in ``except QueryError``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from graphsvc.api.context import encode_id
from graphsvc.graph.store import GraphStore

Run = Callable[..., Any]  # the runner fixtures of tests/api/conftest.py

#: (operation, words of the graph layer's own message)
CASES = [
    ('{ search(query: "azure", first: 101) { score } }', "over the limit of 100"),
    ("query($id: ID!) { neighborhood(id: $id, depth: 4) { truncated } }", "`depth` must be 0..3"),
    (
        "query($id: ID!) { shortestPath(from: $id, to: $id, maxLength: 11) { length } }",
        "`maxLength` must be 1..10",
    ),
    (
        "query($id: ID!) { shortestPaths(from: $id, to: $id, k: 6) { length } }",
        "`k` must be 1..5",
    ),
    ("{ articles(first: 101) { totalCount } }", "over the limit of 100"),
    ('{ articles(filter: {topics: ["no such topic"]}) { totalCount } }', "no topic named"),
    (
        'query($t: String!) { topicTrend(topic: $t, from: "2022-01-01T00:00:00Z",'
        ' to: "2021-01-01T00:00:00Z") { total } }',
        "`from` must be before `to`",
    ),
    ("{ trendingTopics(window: 0) { windowStart } }", "`window` is 0 days"),
    ("{ facets(first: 101) { totalCount } }", "over the limit of 100"),
    ("{ exportUrl(format: JSON, depth: 2) }", "`depth` needs a `seed`"),
]


@pytest.mark.parametrize(("query", "words"), CASES, ids=[w for _, w in CASES])
def test_the_graph_layers_message_is_shown(
    seeds: Run, seeds_store: GraphStore, query: str, words: str
) -> None:
    topic = next(iter(seeds_store.topics.values()))
    variables = {"id": encode_id(topic.key), "t": topic.name}
    used = {k: v for k, v in variables.items() if f"${k}" in query}
    result = seeds(query, expect_errors=True, **used)
    assert [words in e.message for e in result.errors] == [True], result.errors
