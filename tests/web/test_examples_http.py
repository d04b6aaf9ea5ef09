"""Over real HTTP, on a real server on seeds/: every query the playground page offers (the first
tab and each example of the picker, read from the page served) answers without errors and with
data, and every /graphql answer says ``Vary: Accept`` (the same URL answers in three media types
depending on that header)."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from graphql import NonNullTypeNode, OperationDefinitionNode, parse

from tests.web.server import Server

#: Values for the examples' required variables, by variable name (none needs one today).
REQUIRED_VARIABLES: dict[str, Any] = {}

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"

#: Root fields whose empty answer is news too: seeds/ has no ingest problem.
MAY_BE_EMPTY = {"ingestProblems"}


def variables_of(query: str) -> tuple[list[str], list[str]]:
    """The (required, optional) variable names of a query's one operation."""
    [operation] = parse(query).definitions
    assert isinstance(operation, OperationDefinitionNode)
    required: list[str] = []
    optional: list[str] = []
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        needed = isinstance(definition.type, NonNullTypeNode) and not definition.default_value
        (required if needed else optional).append(name)
    return required, optional


def hollow(data: dict[str, Any]) -> list[str]:
    """Root fields that are null or empty, and empty lists right below them (edges, nodes)."""
    out = []
    for name, value in data.items():
        if value is None or value == [] or value == {}:
            out.append(name)
        elif isinstance(value, dict):
            out += [f"{name}.{key}" for key, item in value.items() if item == []]
    return out


def post(server: Server, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    answer = httpx.post(
        server.graphql,
        json={"query": query, "variables": variables},
        headers={"accept": GRAPHQL_RESPONSE_JSON},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert "errors" not in body, body["errors"]
    assert isinstance(body.get("data"), dict) and body["data"], body
    data: dict[str, Any] = body["data"]
    assert not set(hollow(data)) - MAY_BE_EMPTY, (hollow(data), data)
    return data


def page_titles(data: dict[str, Any]) -> list[str]:
    """The titles of the nodes of the root connections (``edges``) in an answer."""
    return [
        edge["node"]["title"]
        for value in data.values()
        if isinstance(value, dict)
        for edge in value.get("edges", ())
    ]


def find(value: Any, key: str) -> list[Any]:
    """Every value of ``key`` anywhere in a JSON value."""
    if isinstance(value, dict):
        return [v for k, v in value.items() if k == key] + [
            found for v in value.values() for found in find(v, key)
        ]
    if isinstance(value, list):
        return [found for item in value for found in find(item, key)]
    return []


def served_queries(server: Server) -> list[tuple[str, str]]:
    """The first tab's query and the examples of the playground page this server serves."""
    page = httpx.get(server.graphql, headers={"accept": "text/html"}, timeout=30).text
    found = re.search(r"var CONFIG = (\{.*?\});\n", page)
    assert found, page[:2000]
    config = json.loads(found.group(1))
    examples = [(e["name"], e["query"]) for e in config["examples"]]
    return [("Overview (first tab)", config["defaultQuery"]), *examples]


def test_playground_queries_answer_with_data(seeds_server: Server) -> None:
    queries = served_queries(seeds_server)
    assert len(queries) >= 8
    for name, query in queries:
        check_query(seeds_server, name, query)


def check_query(seeds_server: Server, name: str, query: str) -> None:
    required, optional = variables_of(query)
    unknown = [v for v in required if v not in REQUIRED_VARIABLES]
    assert not unknown, f"{name}: give the test a value for ${', $'.join(unknown)}"
    variables = {v: REQUIRED_VARIABLES[v] for v in required}
    data = post(seeds_server, query, variables)

    if "after" in optional:  # a paged example: its next page answers too, with other items
        [cursor] = find(data, "endCursor")
        [has_next] = find(data, "hasNextPage")
        assert has_next and cursor, f"{name}: seeds/ should give it a second page"
        second = post(seeds_server, query, {**variables, "after": cursor})
        first, following = page_titles(data), page_titles(second)
        assert following and not set(first) & set(following), (first, following)


def test_the_picker_has_the_examples(seeds_server: Server) -> None:
    names = [name for name, _ in served_queries(seeds_server)]
    assert len(names) >= 6 and len(set(names)) == len(names)


def vary(response: httpx.Response) -> set[str]:
    """The header names a response's ``Vary`` lists (all its Vary headers, lower-cased)."""
    return {
        part.strip().lower()
        for value in response.headers.get_list("vary")
        for part in value.split(",")
        if part.strip()
    }


def test_get_answers_vary_on_accept(seeds_server: Server) -> None:
    params = {"query": "{ stats { articles } }"}
    json_answer = httpx.get(
        seeds_server.graphql, params=params, headers={"accept": "application/json"}
    )
    spec_answer = httpx.get(
        seeds_server.graphql, params=params, headers={"accept": GRAPHQL_RESPONSE_JSON}
    )
    page = httpx.get(seeds_server.graphql, headers={"accept": "text/html"})
    assert json_answer.headers["content-type"].startswith("application/json")
    assert spec_answer.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)
    assert page.headers["content-type"].startswith("text/html")
    assert json_answer.json() == spec_answer.json()  # the same body, another media type
    assert json_answer.headers["etag"] != spec_answer.headers["etag"]
    for answer in (json_answer, spec_answer, page):
        assert answer.status_code == 200
        assert "accept" in vary(answer), (answer.request.headers["accept"], answer.headers)

    # A 304 names what it varies on too, and so does a gzipped answer (with Accept-Encoding).
    again = httpx.get(
        seeds_server.graphql,
        params=params,
        headers={"accept": "application/json", "if-none-match": json_answer.headers["etag"]},
    )
    assert again.status_code == 304 and "accept" in vary(again), again.headers
    big = httpx.get(
        seeds_server.graphql,
        params={"query": "{ articles(first: 50) { edges { node { title excerpt url } } } }"},
        headers={"accept": "application/json", "accept-encoding": "gzip"},
    )
    assert big.headers["content-encoding"] == "gzip"
    assert {"accept", "accept-encoding"} <= vary(big), big.headers
    # Request errors differ by media type as well (400 without data, or 200 with data: null).
    bad = httpx.get(seeds_server.graphql, params={"query": "{"}, headers={"accept": "*/*"})
    assert "accept" in vary(bad), bad.headers
