"""Every contract Query root field over HTTP, against a real uvicorn server on seeds/.

Each operation is POSTed with httpx; its answer must equal what schema.execute_sync gives on
the very store the server serves (same ``data``, no ``errors``), and at least one value of each
field is checked against the independent PyYAML reading of the corpus (tests/api/api_reference.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import strawberry
from graphql import build_schema as build_sdl

from graphsvc.api.context import Context
from graphsvc.api.schema import build_schema
from tests.api import api_reference
from tests.support import SEEDS, SHARED
from tests.web.server import Server

ARTICLE_FIELDS = """id url title excerpt publishedAt type quality heat published isStub
  provider { id name domain articleCount } topics { id name articleCount }
  images { url width height }"""


@dataclass
class Served:
    """The server, a client on it, the schema run in-process on the store it serves."""

    server: Server
    client: httpx.Client
    schema: strawberry.Schema

    def both(self, query: str, **variables: Any) -> Any:
        """POST the operation; assert HTTP and in-process answers agree; return its data."""
        response = self.client.post(
            self.server.graphql, json={"query": query, "variables": variables}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        store = self.server.app.state.holder.store
        local = self.schema.execute_sync(
            query, variable_values=variables, context_value=Context(store)
        )
        assert local.errors is None, local.errors
        assert body["data"] == local.data
        return body["data"]


@pytest.fixture(scope="module")
def served(seeds_server: Server) -> Iterator[Served]:
    with httpx.Client(timeout=30) as client:
        yield Served(seeds_server, client, build_schema())


@pytest.fixture(scope="module")
def want() -> Any:
    return api_reference.values(SEEDS)


@pytest.fixture(scope="module")
def ids(served: Served) -> dict[tuple[str, str], str]:
    """Every node's ID, by reference identity, read over HTTP."""
    data = served.both(
        """{ articles(filter: {includeStubs: true}, first: 100) { edges { node { id url } } }
             topics(first: 100) { edges { node { id name } } }
             providers(first: 100) { edges { node { id domain } } } }"""
    )
    out = {("article", e["node"]["url"]): e["node"]["id"] for e in data["articles"]["edges"]}
    out |= {
        ("topic", e["node"]["name"].casefold()): e["node"]["id"] for e in data["topics"]["edges"]
    }
    out |= {("provider", e["node"]["domain"]): e["node"]["id"] for e in data["providers"]["edges"]}
    return out


def test_stats(served: Served, want: Any) -> None:
    stats = served.both("{ stats { articles stubs providers topics edges } }")["stats"]
    stubs = sum(a["isStub"] for a in want.articles.values())
    assert stats == {
        "articles": len(want.articles) - stubs,
        "stubs": stubs,
        "providers": len(want.providers),
        "topics": len(want.topic_names),
        "edges": len(want.edges),
    }


def test_articles(served: Served, want: Any) -> None:
    data = served.both(
        f"""query($f: ArticleFilter) {{ articles(filter: $f, first: 100) {{ totalCount
          pageInfo {{ hasNextPage }} edges {{ node {{ {ARTICLE_FIELDS} }} }} }} }}""",
        f={"includeStubs": True},
    )["articles"]
    assert data["totalCount"] == len(want.articles) and not data["pageInfo"]["hasNextPage"]
    got = [e["node"] for e in data["edges"]]
    assert [a["url"] for a in got] == want.article_order(set(want.articles), "PUBLISHED_AT_DESC")
    for article in got:
        assert api_reference.answered_article(article) == api_reference.expected_article(
            want, article["url"]
        )


def test_article(served: Served, want: Any) -> None:
    stub = sorted(u for u, a in want.articles.items() if a["isStub"])[0]
    messy = stub.replace("https://", "HTTPS://", 1) + "?utm_source=x#top"
    data = served.both(f"query($u: String!) {{ article(url: $u) {{ {ARTICLE_FIELDS} }} }}", u=messy)
    article = data["article"]
    assert article["url"] == stub and article["isStub"] is True and article["topics"] == []
    assert api_reference.answered_article(article) == api_reference.expected_article(want, stub)


def test_node(served: Served, want: Any, ids: dict[tuple[str, str], str]) -> None:
    for node, node_id in sorted(ids.items()):
        data = served.both(
            """query($id: ID!) { node(id: $id) { __typename id ... on Article { url }
                 ... on Topic { name } ... on Provider { domain name } } }""",
            id=node_id,
        )["node"]
        assert data["id"] == node_id
        kind, key = node
        if kind == "article":
            assert data == {"__typename": "Article", "id": node_id, "url": key}
        elif kind == "topic":
            assert data == {"__typename": "Topic", "id": node_id, "name": want.topic_names[key]}
        else:
            name = want.provider_names[key]
            assert data == {"__typename": "Provider", "id": node_id, "domain": key, "name": name}


def test_topic(served: Served, want: Any) -> None:
    key = max(want.ref.topic_urls, key=lambda k: (len(want.ref.topic_urls[k]), k))
    data = served.both(
        """query($n: String!) { topic(name: $n) { name articleCount
             articles(first: 100, orderBy: PUBLISHED_AT_ASC) { totalCount edges { node { url } } } } }""",
        n=f"  {key.upper()} ",
    )["topic"]
    urls = want.ref.topic_urls[key]
    assert data["name"] == want.topic_names[key]
    assert data["articleCount"] == data["articles"]["totalCount"] == len(urls)
    assert [e["node"]["url"] for e in data["articles"]["edges"]] == want.article_order(
        urls, "PUBLISHED_AT_ASC"
    )


def test_topics(served: Served, want: Any) -> None:
    data = served.both(
        """query($first: Int) { topics(first: $first) { totalCount
             edges { node { name articleCount } } } }""",
        first=100,
    )["topics"]
    assert data["totalCount"] == len(want.topic_names)
    got = [(e["node"]["name"], e["node"]["articleCount"]) for e in data["edges"]]
    assert sorted(got) == sorted(
        (name, len(want.ref.topic_urls[k])) for k, name in want.topic_names.items()
    )
    assert [c for _, c in got] == sorted((c for _, c in got), reverse=True)


def test_provider(served: Served, want: Any) -> None:
    domain = max(want.ref.provider_urls, key=lambda d: (len(want.ref.provider_urls[d]), d))
    data = served.both(
        """query($d: String!) { provider(domain: $d) { name domain articleCount
             articles(first: 100, orderBy: QUALITY_DESC) { totalCount edges { node { url } } } } }""",
        d="WWW." + domain.upper(),
    )["provider"]
    urls = want.ref.provider_urls[domain]
    assert (data["name"], data["domain"]) == (want.provider_names[domain], domain)
    assert data["articleCount"] == data["articles"]["totalCount"] == len(urls)
    assert [e["node"]["url"] for e in data["articles"]["edges"]] == want.article_order(
        urls, "QUALITY_DESC"
    )


def test_providers(served: Served, want: Any) -> None:
    data = served.both(
        """query($first: Int) { providers(first: $first) { totalCount
             edges { node { name domain articleCount } } } }""",
        first=100,
    )["providers"]
    assert data["totalCount"] == len(want.providers)
    got = {
        e["node"]["domain"]: (e["node"]["name"], e["node"]["articleCount"]) for e in data["edges"]
    }
    assert got == {
        d: (want.provider_names[d], len(want.ref.provider_urls.get(d, ()))) for d in want.providers
    }


def test_search(served: Served, want: Any, ids: dict[tuple[str, str], str]) -> None:
    hits = served.both(
        """query($q: String!) { search(query: $q, first: 20) { score
             node { __typename id ... on Article { url title excerpt } ... on Topic { name } } } }""",
        q="Kubernetes",
    )["search"]
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)
    word = re.compile(r"\bkubernetes\b", re.IGNORECASE)
    expected = {
        ids[("article", u)]
        for u, a in want.articles.items()
        if word.search(a["title"]) or word.search(a["excerpt"] or "")
    }
    expected |= {ids[("topic", k)] for k, name in want.topic_names.items() if word.search(name)}
    assert sorted(h["node"]["id"] for h in hits) == sorted(expected)


def test_neighborhood(served: Served, want: Any, ids: dict[tuple[str, str], str]) -> None:
    node_of = {i: n for n, i in ids.items()}
    key = min(want.topic_names)
    centre = ("topic", key)
    data = served.both(
        """query($id: ID!, $kinds: [EdgeKind!]) { neighborhood(id: $id, depth: 1,
             edgeKinds: $kinds, limit: 100) { truncated nodes { id } edges { kind source target } } }""",
        id=ids[centre],
        kinds=["TAGGED"],
    )["neighborhood"]
    assert data["truncated"] is False and data["nodes"][0]["id"] == ids[centre]
    assert {node_of[n["id"]] for n in data["nodes"]} == {centre} | {
        ("article", u) for u in want.ref.topic_urls[key]
    }
    edges = {(e["kind"], node_of[e["source"]], node_of[e["target"]]) for e in data["edges"]}
    assert edges == {("TAGGED", ("article", u), centre) for u in want.ref.topic_urls[key]}


def test_shortest_path(served: Served, want: Any, ids: dict[tuple[str, str], str]) -> None:
    node_of = {i: n for n, i in ids.items()}
    domain = max(want.ref.provider_urls, key=lambda d: (len(want.ref.provider_urls[d]), d))
    a, b = sorted(want.ref.provider_urls[domain])[:2]
    data = served.both(
        """query($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b, edgeKinds: [PUBLISHED_BY]) {
             length nodes { id } edges { kind source target } } }""",
        a=ids[("article", a)],
        b=ids[("article", b)],
    )["shortestPath"]
    provider = ("provider", domain)
    assert data["length"] == 2
    assert [node_of[n["id"]] for n in data["nodes"]] == [("article", a), provider, ("article", b)]
    assert [(e["kind"], node_of[e["source"]], node_of[e["target"]]) for e in data["edges"]] == [
        ("PUBLISHED_BY", ("article", a), provider),
        ("PUBLISHED_BY", ("article", b), provider),
    ]


def test_shortest_paths(served: Served, want: Any, ids: dict[tuple[str, str], str]) -> None:
    """Not in the contract, but a served root field: the paths' hops are reference edges."""
    node_of = {i: n for n, i in ids.items()}
    a, b = ("topic", min(want.topic_names)), ("topic", max(want.topic_names))
    paths = served.both(
        """query($a: ID!, $b: ID!) { shortestPaths(from: $a, to: $b, k: 3) {
             length nodes { id } edges { kind source target } } }""",
        a=ids[a],
        b=ids[b],
    )["shortestPaths"]
    assert paths and [p["length"] for p in paths] == sorted(p["length"] for p in paths)
    for path in paths:
        hops = [node_of[n["id"]] for n in path["nodes"]]
        assert hops[0] == a and hops[-1] == b and len(hops) == path["length"] + 1
        for e in path["edges"]:
            assert (e["kind"], node_of[e["source"]], node_of[e["target"]]) in want.edges


def test_every_contract_root_field_has_its_test() -> None:
    """Each Query field of the contract has a test_<field> above (shortestPath: test_shortest_path)."""
    contract = build_sdl((SHARED / "api" / "contract.graphql").read_text())
    assert contract.query_type is not None
    tests = {name for name in globals() if name.startswith("test_")}
    snake = {
        f: "test_" + re.sub(r"(?<!^)([A-Z])", r"_\1", f).lower() for f in contract.query_type.fields
    }
    assert {f: t for f, t in snake.items() if t not in tests} == {}
