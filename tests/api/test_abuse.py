"""Abusive queries are refused with GraphQL errors that name the limit, quickly, and the service
keeps answering afterwards. Odd but harmless input (regex syntax, NUL characters) is plain data.

Each refusal is timed as a hang guard (a generous bound, not a benchmark). Expected costs are
worked out by hand from the cost rule in graphsvc/api/limits.py's docstring: a field costs 1 plus
its children's cost, times the page size it asks for; `edges`/`node` lists count once.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
import strawberry

from graphsvc.api.context import Context
from graphsvc.graph.store import GraphStore

HANG_GUARD_SECONDS = 5.0
# Articles in each store: seeds_expected.json and docs/data-model.md#a-worked-example.
ARTICLES = {"seeds": 21, "news": 1368}


class Api:
    """One store behind the schema, with timing and the after-abuse health check."""

    def __init__(self, schema: strawberry.Schema, store: GraphStore, articles: int) -> None:
        self.schema, self.store, self.articles = schema, store, articles

    def execute(self, query: str, **variables: Any) -> tuple[Any, float]:
        started = time.perf_counter()
        result = self.schema.execute_sync(
            query, variable_values=variables, context_value=Context(self.store)
        )
        return result, time.perf_counter() - started

    def ok(self, query: str, **variables: Any) -> Any:
        result, elapsed = self.execute(query, **variables)
        assert not result.errors, result.errors
        assert elapsed < HANG_GUARD_SECONDS
        return result.data

    def refuse(self, query: str, *fragments: str, **variables: Any) -> str:
        """Run an abusive query: an error naming ``fragments`` (case-insensitive), in time."""
        result, elapsed = self.execute(query, **variables)
        assert elapsed < HANG_GUARD_SECONDS, f"took {elapsed:.1f}s"
        assert result.errors, f"not refused: {query[:200]!r}"
        message = " | ".join(e.message for e in result.errors)
        assert "unexpected error" not in message.lower(), message  # an internal error, masked
        for fragment in fragments:
            assert fragment.lower() in message.lower(), (fragment, message)
        self.still_alive()
        return message

    def still_alive(self) -> None:
        assert self.ok("{ stats { articles } }") == {"stats": {"articles": self.articles}}


@pytest.fixture(scope="module", params=sorted(ARTICLES))
def api(request: pytest.FixtureRequest, schema: strawberry.Schema) -> Api:
    store = request.getfixturevalue(f"{request.param}_store")
    return Api(schema, store, ARTICLES[request.param])


def azure_id(api: Api) -> str:
    return str(api.ok('{ topic(name: "Azure") { id } }')["topic"]["id"])


# Shape limits ------------------------------------------------------------------------------
def test_thirty_levels_deep(api: Api) -> None:
    inner = "url"
    for _ in range(29):
        inner = f"related(first: 1) {{ edges {{ node {{ {inner} }} }} }}"
    query = f"{{ articles(first: 1) {{ edges {{ node {{ {inner} }} }} }} }}"
    assert query.count("{") >= 30 * 3
    api.refuse(query, "depth", "12")


def test_five_thousand_aliases(api: Api) -> None:
    query = "{ " + " ".join(f"a{i}: stats {{ articles }}" for i in range(5000)) + " }"
    # 5,000 aliases are 30,000 tokens: the token limit (4,000) refuses it before parsing ends.
    message = api.refuse(query, "token")
    assert "4000" in message or "4,000" in message


def test_aliases_over_the_alias_limit(api: Api) -> None:
    query = "{ " + " ".join(f"a{i}: stats {{ articles }}" for i in range(40)) + " }"
    api.refuse(query, "alias", "40", "30")  # found 40, 30 allowed


def test_circular_fragments(api: Api) -> None:
    query = """
      query { articles(first: 1) { edges { node { ...A } } } }
      fragment A on Article { related { edges { node { ...B } } } }
      fragment B on Article { related { edges { node { ...A } } } }
    """
    api.refuse(query, "fragment", "A")


def test_self_spreading_fragment(api: Api) -> None:
    query = """
      query { articles(first: 1) { edges { node { ...A } } } }
      fragment A on Article { url ...A }
    """
    api.refuse(query, "fragment", "A")


# Page sizes --------------------------------------------------------------------------------
def test_a_billion_items(api: Api) -> None:
    # Cost: articles = 1 + 1,000,000,000 x (edges 1 + node (1 + url 1)) = 3,000,000,001.
    api.refuse(
        "{ articles(first: 1000000000) { edges { node { url } } } }",
        "cost",
        "3,000,000,001",
        "50,000",
    )
    api.refuse(
        "query($n: Int) { articles(first: $n) { edges { node { url } } } }",
        "cost",
        "3,000,000,001",
        n=1_000_000_000,
    )


def test_one_over_the_page_cap_is_an_error_not_a_truncation(api: Api) -> None:
    for query in (
        "{ articles(first: 101) { edges { node { url } } } }",
        "{ topics(first: 101) { edges { node { name } } } }",
        "{ providers(first: 101) { edges { node { domain } } } }",
        '{ topic(name: "Azure") { articles(first: 101) { edges { node { url } } } } }',
        "{ articles(first: 1) { edges { node { related(first: 101) { totalCount } } } } }",
    ):
        api.refuse(query, "first", "101", "100")
    # 100 itself is allowed.
    data = api.ok("{ articles(first: 100, filter: {includeStubs: true}) { edges { cursor } } }")
    assert len(data["articles"]["edges"]) == min(
        100, api.store.counts.articles + api.store.counts.stubs
    )


def test_negative_first(api: Api) -> None:
    api.refuse("{ articles(first: -1) { edges { node { url } } } }", "first", "-1")
    api.refuse("{ topics(first: -3) { totalCount } }", "first", "-3")
    api.refuse('{ search(query: "azure", first: -1) { score } }', "first", "-1")
    api.refuse(
        "{ articles(first: 1) { edges { node { related(first: -2) { totalCount } } } } }",
        "first",
        "-2",
    )


# Traversal bounds --------------------------------------------------------------------------
def test_neighborhood_depth_100(api: Api) -> None:
    api.refuse(
        "query($id: ID!) { neighborhood(id: $id, depth: 100) { truncated nodes { id } } }",
        "depth",
        "100",
        "3",
        id=azure_id(api),
    )
    api.refuse(
        "query($id: ID!) { neighborhood(id: $id, depth: -1) { truncated } }",
        "depth",
        "-1",
        id=azure_id(api),
    )


def test_neighborhood_limit_100000(api: Api) -> None:
    # Cost: neighborhood = 1 + 100,000 x (truncated 1) = 100,001, over the budget of 50,000.
    message = api.refuse(
        "query($id: ID!) { neighborhood(id: $id, limit: 100000) { truncated } }",
        "limit",
        id=azure_id(api),
    )
    assert "100,001" in message or "100000" in message or "100,000" in message
    api.refuse(
        "query($id: ID!) { neighborhood(id: $id, limit: 501) { truncated } }",
        "limit",
        "501",
        "500",
        id=azure_id(api),
    )


def test_shortest_path_max_length_1000(api: Api) -> None:
    ident = azure_id(api)
    api.refuse(
        "query($a: ID!) { shortestPath(from: $a, to: $a, maxLength: 1000) { length } }",
        "maxLength",
        "1000",
        "10",
        a=ident,
    )
    api.refuse(
        "query($a: ID!) { shortestPaths(from: $a, to: $a, maxLength: 1000, k: 3) { length } }",
        "maxLength",
        "1000",
        a=ident,
    )
    api.refuse(
        "query($a: ID!) { shortestPaths(from: $a, to: $a, k: 1000) { length } }",
        "k",
        "1000",
        a=ident,
    )


def test_nested_pages_over_the_cost_budget(api: Api) -> None:
    # Each page is within the cap, but 100 x 100 x 100 articles are far over the budget:
    # related = 1 + 100 x (edges 1 + node (1 + url 1)) = 301;
    # articles = 1 + 100 x (edges 1 + node (1 + related 301)) = 30,301;
    # topics = 1 + 100 x (edges 1 + node (1 + articles 30,301)) = 3,030,301.
    api.refuse(
        "{ topics(first: 100) { edges { node { articles(first: 100) { edges { node {"
        " related(first: 100) { edges { node { url } } } } } } } } } }",
        "cost",
        "3,030,301",
        "50,000",
    )


def test_variable_defaults_count_in_the_cost(api: Api) -> None:
    # The same 3,030,301 when every page size is a variable whose default, written in the
    # query, is 100 (and none is passed): a default must not slip under the budget.
    api.refuse(
        "query($n: Int = 100) { topics(first: $n) { edges { node { articles(first: $n) {"
        " edges { node { related(first: $n) { edges { node { url } } } } } } } } } }",
        "cost",
        "3,030,301",
    )


def test_the_largest_allowed_traversals_finish(api: Api) -> None:
    """At the bounds (depth 3, limit 500, k 5, maxLength 10), between hubs: answered in time."""
    ids = api.ok(
        "{ providers(first: 1) { edges { node { id } } } topics(first: 100) { edges { node { id } } } }"
    )
    hub = ids["providers"]["edges"][0]["node"]["id"]
    smallest_topic = ids["topics"]["edges"][-1]["node"]["id"]
    sub = api.ok(
        "query($id: ID!) { neighborhood(id: $id, depth: 3, limit: 500) { truncated nodes { id } } }",
        id=azure_id(api),
    )["neighborhood"]
    assert 1 <= len(sub["nodes"]) <= 500
    paths = api.ok(
        "query($a: ID!, $b: ID!) { shortestPaths(from: $a, to: $b, maxLength: 10, k: 5) { length } }",
        a=hub,
        b=smallest_topic,
    )["shortestPaths"]
    lengths = [p["length"] for p in paths]
    assert 1 <= len(lengths) <= 5 and lengths == sorted(lengths) and lengths[-1] <= 10


# Search input ------------------------------------------------------------------------------
def test_a_100_kb_search_string(api: Api) -> None:
    api.refuse(
        "query($q: String!) { search(query: $q) { score } }",
        "query",
        "102,400",
        "1,000",
        q=("azure " * 20_000)[:102_400],
    )


@pytest.mark.parametrize(
    "text",
    [".*", "^$|\\", "[", "(?:", "a{1000000}", "\x00", "\x00\x00\x00", "*?+", "\\d+$"],
)
def test_regex_and_nul_are_plain_text(api: Api, text: str) -> None:
    hits = api.ok("query($q: String!) { search(query: $q) { score node { id } } }", q=text)
    assert isinstance(hits["search"], list)
    assert all(isinstance(h["score"], float) and h["node"]["id"] for h in hits["search"])


@pytest.mark.parametrize(
    "text", ["kubernetes.*[", "(kubernetes)+", "kubernetes\x00", "\x00kubernetes", "^kubernetes$"]
)
def test_regex_and_nul_around_a_word_find_the_word(api: Api, text: str) -> None:
    hits = api.ok(
        "query($q: String!) { search(query: $q, first: 5) { node { __typename"
        " ... on Article { title excerpt } ... on Topic { name } ... on Provider { name } } } }",
        q=text,
    )["search"]
    assert hits, f"no hits for {text!r}"
    for hit in hits:
        words = " ".join(str(v) for v in hit["node"].values() if v).lower()
        assert "kubernetes" in words, (text, hit)
    api.still_alive()


# Cursors -----------------------------------------------------------------------------------
def _forge(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def test_malformed_cursors(api: Api) -> None:
    query = "query($c: String) { articles(first: 2, after: $c) { edges { node { url } } } }"
    for bad in ("garbage", "!!!!", "☃", "YQ", "=", _forge({"a": 1}), _forge(["articles"])):
        api.refuse(query, "cursor", c=bad)
    api.refuse(query, "cursor", "garbage", c="garbage")


def test_a_cursor_from_another_list(api: Api) -> None:
    topics = api.ok("{ topics(first: 1) { pageInfo { endCursor } } }")
    topic_cursor = topics["topics"]["pageInfo"]["endCursor"]
    articles = api.ok(
        "{ articles(first: 1) { pageInfo { endCursor } edges { node {"
        " related(direction: BOTH, first: 1) { pageInfo { endCursor } } } } } }"
    )
    article_cursor = articles["articles"]["pageInfo"]["endCursor"]
    related_cursor = articles["articles"]["edges"][0]["node"]["related"]["pageInfo"]["endCursor"]
    assert topic_cursor and article_cursor and related_cursor
    api.refuse("query($c: String) { articles(after: $c) { totalCount } }", "cursor", c=topic_cursor)
    api.refuse(
        "query($c: String) { articles(after: $c, orderBy: QUALITY_DESC) { totalCount } }",
        "cursor",
        c=article_cursor,
    )
    api.refuse("query($c: String) { topics(after: $c) { totalCount } }", "cursor", c=article_cursor)
    api.refuse(
        "query($c: String) { providers(after: $c) { totalCount } }", "cursor", c=topic_cursor
    )
    api.refuse(
        "query($c: String) { articles(after: $c) { totalCount } }", "cursor", c=related_cursor
    )


def test_forged_cursor_of_the_right_kind(api: Api) -> None:
    query = "query($c: String) { articles(first: 2, after: $c) { edges { node { url } } } }"
    for key in (["x"], [0, "x", 1], [None, None, None], [{"a": 1}]):
        api.refuse(query, "cursor", c=_forge(["articles:PUBLISHED_AT_DESC", key]))
    api.refuse(
        "query($c: String) { topics(after: $c) { totalCount } }",
        "cursor",
        c=_forge(["topics", [{"a": 1}]]),
    )


# Filter input ------------------------------------------------------------------------------
def test_a_naive_datetime_in_a_filter(api: Api) -> None:
    query = "query($f: ArticleFilter) { articles(filter: $f) { totalCount } }"
    aware = api.ok(query, f={"publishedAfter": "2021-01-01T00:00:00+00:00"})
    naive = api.ok(query, f={"publishedAfter": "2021-01-01T00:00:00"})
    assert naive == aware
    aware = api.ok(query, f={"publishedBefore": "2021-01-01T00:00:00Z"})
    naive = api.ok(query, f={"publishedBefore": "2021-01-01T00:00:00"})
    assert naive == aware


# The cost report ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "variables", "cost"),
    [
        # stats = 1 + (articles 1) = 2
        ("{ stats { articles } }", {}, 2),
        # articles = 1 + 3 x (totalCount 1 + edges (1 + node (1 + url 1 + title 1))) = 16
        ("{ articles(first: 3) { totalCount edges { node { url title } } } }", {}, 16),
        # the same with first = 5 from a variable: 1 + 5 x 5 = 26
        (
            "query($n: Int) { articles(first: $n) { totalCount edges { node { url title } } } }",
            {"n": 5},
            26,
        ),
        # inner articles = 1 + 4 x 3 = 13; topic node = 1 + 1 + 13 = 15; edges = 16;
        # topics = 1 + 2 x 16 = 33
        (
            "{ topics(first: 2) { edges { node { name articles(first: 4)"
            " { edges { node { url } } } } } } }",
            {},
            33,
        ),
        # the variable's own default (6) when none is passed: 1 + 6 x 5 = 31
        (
            "query($n: Int = 6) { articles(first: $n) { totalCount edges { node { url title } } } }",
            {},
            31,
        ),
        # no `first`: the default page (20): 1 + 20 x (pageInfo (1 + hasNextPage 1)) = 41
        ("{ providers { pageInfo { hasNextPage } } }", {}, 41),
    ],
)
def test_cost_is_reported(api: Api, query: str, variables: dict[str, Any], cost: int) -> None:
    result, _ = api.execute(query, **variables)
    assert not result.errors, result.errors
    assert result.extensions == {"cost": {"estimated": cost, "budget": 50_000}}
