"""The GraphQL side: exportUrl builds the route's URL, and a filtered export holds exactly what
``articles(filter:)`` returns through the API."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from graphsvc.api.context import Context, encode_id
from graphsvc.api.export_field import EXTENSIONS, MAX_EXPORT_DEPTH
from graphsvc.api.schema import build_schema
from graphsvc.export import BY_EXTENSION
from graphsvc.export.select import MAX_DEPTH
from graphsvc.graph.store import GraphStore
from graphsvc.web.export import export_routes
from tests.export.export_expect import read_node_link

ARTICLES = """
query($filter: ArticleFilter, $after: String) {
  articles(filter: $filter, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { url provider { domain } topics { name } } }
  }
}"""
EXPORT_URL = """
query($filter: ArticleFilter, $format: ExportFormat!, $seed: ID, $depth: Int) {
  exportUrl(filter: $filter, format: $format, seed: $seed, depth: $depth)
}"""


def run(store: GraphStore, query: str, **variables: Any) -> Any:
    result = build_schema().execute_sync(
        query, variable_values=variables, context_value=Context(store)
    )
    assert not result.errors, result.errors
    return result.data


def api_articles(store: GraphStore, flt: dict[str, Any]) -> list[dict[str, Any]]:
    """Every article the API lists for a filter, page by page."""
    out: list[dict[str, Any]] = []
    after = None
    while True:
        page = run(store, ARTICLES, filter=flt, after=after)["articles"]
        out += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return out
        after = page["pageInfo"]["endCursor"]


def test_the_api_and_the_export_agree_on_formats() -> None:
    assert set(EXTENSIONS.values()) == set(BY_EXTENSION)
    assert MAX_EXPORT_DEPTH == MAX_DEPTH


def test_export_url_carries_the_filter(seeds_store: GraphStore) -> None:
    url = run(
        seeds_store,
        EXPORT_URL,
        format="GEXF",
        filter={
            "topics": ["Kubernetes", "AI"],
            "publishedAfter": "2021-01-01T00:00:00+00:00",
            "minQuality": 5,
        },
    )["exportUrl"]
    assert url == (
        "/export/graph.gexf?topic=Kubernetes&topic=AI&after=2021-01-01T00%3A00%3A00%2B00%3A00"
        "&minQuality=5&includeStubs=false"
    )
    assert run(seeds_store, EXPORT_URL, format="NEO4J_CSV")["exportUrl"] == "/export/graph.zip"
    key = seeds_store.full_by_date[0]
    seeded = run(seeds_store, EXPORT_URL, format="JSON", seed=encode_id(key), depth=2)["exportUrl"]
    assert seeded == f"/export/graph.json?seed={encode_id(key)}&depth=2"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"filter": {"topics": ["no such topic"]}}, "no topic named"),
        ({"filter": {"providers": ["nowhere.example"]}}, "no provider"),
        ({"seed": "dDpub3N1Y2g"}, "no node"),
        ({"depth": 2}, "needs a `seed`"),
    ],
)
def test_export_url_refuses_what_the_route_would(
    seeds_store: GraphStore, variables: dict[str, Any], message: str
) -> None:
    result = build_schema().execute_sync(
        EXPORT_URL,
        variable_values={"format": "GRAPHML", **variables},
        context_value=Context(seeds_store),
    )
    assert result.errors and message in result.errors[0].message


FILTERS = [
    {"topics": ["AI"]},
    {"topics": ["Security"], "publishedBefore": "2021-06-01T00:00:00Z"},
    {"providers": ["microsoft.com"], "publishedAfter": "2020-01-01T00:00:00Z"},
    {"minQuality": 60, "includeStubs": True},
    {"topics": ["Azure", "Databases"], "includeStubs": False},
    {},
]


@pytest.mark.corpus
@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: ",".join(f) or "empty")
def test_a_filtered_export_holds_what_the_api_lists(
    news_store: GraphStore, flt: dict[str, Any]
) -> None:
    listed = api_articles(news_store, flt)
    assert listed or flt.get("minQuality")
    url = run(news_store, EXPORT_URL, filter=flt, format="JSON")["exportUrl"]
    client = TestClient(Starlette(routes=export_routes(lambda request: news_store)))
    response = client.get(url)
    assert response.status_code == 200, response.text
    graph = read_node_link(response.content)
    exported = {data["url"] for key, data in graph.nodes(data=True) if key.startswith("a:")}
    assert exported == {a["url"] for a in listed}
    assert len(exported) == len(listed)
    providers = {data["domain"] for key, data in graph.nodes(data=True) if key.startswith("p:")}
    assert providers == {a["provider"]["domain"] for a in listed}
    topics = {data["name"] for key, data in graph.nodes(data=True) if key.startswith("t:")}
    assert topics == {t["name"] for a in listed for t in a["topics"]}
    document = response.json()  # an edge goes out only when both of its ends do
    ids = {node["id"] for node in document["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in document["edges"])
