"""GET /export/graph.<ext> through Starlette's TestClient, on a tiny app of the test's own."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from graphsvc.export import FORMATS
from graphsvc.graph.store import GraphStore
from graphsvc.web.export import export_routes
from tests.export.export_expect import (
    read_any,
    read_gexf,
    read_graphml,
    read_node_link,
    store_truth,
)


def client_for(store: GraphStore) -> TestClient:
    return TestClient(Starlette(routes=export_routes(lambda request: store)))


@pytest.fixture(scope="module")
def seeds(seeds_store: GraphStore) -> TestClient:
    return client_for(seeds_store)


@pytest.mark.parametrize("fmt", FORMATS.values(), ids=list(FORMATS))
def test_each_format_downloads_whole(seeds: TestClient, seeds_store: GraphStore, fmt) -> None:  # type: ignore[no-untyped-def]
    response = seeds.get(f"/export/graph.{fmt.extension}")
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == fmt.media_type
    assert (
        response.headers["content-disposition"] == f'attachment; filename="graph.{fmt.extension}"'
    )
    nodes, edges = read_any(fmt.name, response.content)
    want_nodes, want_edges = store_truth(seeds_store)
    assert set(nodes) == set(want_nodes)
    assert set(edges) == set(want_edges)


def test_content_types(seeds: TestClient) -> None:
    types = {
        ext: seeds.get(f"/export/graph.{ext}").headers["content-type"]
        for ext in ("graphml", "gexf", "json", "cyjs", "jsonld", "zip")
    }
    assert types == {
        "graphml": "application/graphml+xml",
        "gexf": "application/gexf+xml",
        "json": "application/json",
        "cyjs": "application/json",
        "jsonld": "application/ld+json",
        "zip": "application/zip",
    }


def test_filters_as_query_parameters(seeds: TestClient, seeds_store: GraphStore) -> None:
    response = seeds.get(
        "/export/graph.json",
        params=[("topic", "kubernetes"), ("after", "2020"), ("minQuality", "10")],
    )
    assert response.status_code == 200
    graph = read_node_link(response.content)
    articles = {k for k in graph if k.startswith("a:")}
    assert articles and all(
        "t:kubernetes" in seeds_store.articles[k].topics
        and seeds_store.articles[k].quality is not None
        and seeds_store.articles[k].quality >= 10
        for k in articles
    )


def test_seed_and_depth(seeds: TestClient, seeds_store: GraphStore) -> None:
    seed = seeds_store.full_by_date[0]
    response = seeds.get(
        "/export/graph.graphml", params={"seed": seeds_store.articles[seed].url, "depth": "0"}
    )
    assert response.status_code == 200
    article = seeds_store.articles[seed]
    assert set(read_graphml(response.content)) == {seed, article.provider, *article.topics}


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/export/graph.xml", "format"),
        ("/export/graph.gexf?after=yesterday", "after"),
        ("/export/graph.gexf?before=2021-13-01", "before"),
        ("/export/graph.gexf?topic=no-such-topic", "topic"),
        ("/export/graph.gexf?topic=AI&topic=nope", "topic"),
        ("/export/graph.json?provider=nowhere.example", "provider"),
        ("/export/graph.json?seed=https://nowhere.example/x", "seed"),
        ("/export/graph.json?depth=2", "depth"),
        ("/export/graph.json?seed=t:kubernetes&depth=99", "depth"),
        ("/export/graph.json?minQuality=high", "minQuality"),
        ("/export/graph.json?includeStubs=perhaps", "includeStubs"),
        ("/export/graph.json?topics=AI", "topics"),
        ("/export/graph.json?after=2020&after=2021", "after"),
    ],
)
def test_bad_requests_name_the_parameter(seeds: TestClient, url: str, parameter: str) -> None:
    response = seeds.get(url)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["parameter"] == parameter
    assert isinstance(body["error"], str) and body["error"]


@pytest.mark.parametrize("ext", ["graphml", "gexf", "json", "cyjs", "jsonld", "zip"])
def test_an_empty_selection_is_a_valid_empty_file(seeds: TestClient, ext: str) -> None:
    response = seeds.get(f"/export/graph.{ext}", params={"after": "2100-01-01"})
    assert response.status_code == 200
    content = response.content
    if ext == "graphml":
        assert read_graphml(content).number_of_nodes() == 0
    elif ext == "gexf":
        assert read_gexf(content).number_of_nodes() == 0
    elif ext == "json":
        graph = read_node_link(content)
        assert graph.number_of_nodes() == 0 and graph.number_of_edges() == 0
    elif ext == "cyjs":
        assert json.loads(content)["elements"] == {"nodes": [], "edges": []}
    elif ext == "jsonld":
        assert json.loads(content) == {"@context": "https://schema.org", "@graph": []}
    else:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            assert archive.testzip() is None
            for name in archive.namelist():
                if name.endswith(".csv"):
                    assert archive.read(name).decode().count("\n") == 1  # the header only


@pytest.mark.corpus
def test_the_body_is_streamed_in_chunks(news_store: GraphStore) -> None:
    with client_for(news_store).stream("GET", "/export/graph.graphml") as response:
        assert response.status_code == 200
        sizes = [len(chunk) for chunk in response.iter_raw()]
    assert len(sizes) > 50  # many ~64 KiB pieces, never one whole document
    assert max(sizes) < 1 << 20
    assert sum(sizes) > 10_000_000
