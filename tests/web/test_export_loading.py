"""Before the first snapshot has loaded, the export route answers 503 with Retry-After, as
/graphql does, instead of failing inside the route (it answered 500); the playground page
opens. The app is graphsvc's own ``create_app``; without its lifespan running, the graph never
loads."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from graphsvc.settings import Settings
from graphsvc.web.app import create_app


def test_export_waits_for_the_graph_like_graphql(tmp_path: Path) -> None:
    app = create_app(Settings(cache_dir=tmp_path, watch=False))
    client = TestClient(app)  # not entered: the lifespan (which loads the graph) never runs
    assert client.get("/healthz").status_code == 200
    for path in (
        "/export/graph.json",
        "/export/graph.graphml?topic=ai",
        "/graphql?query={stats{articles}}",
    ):
        response = client.get(path, headers={"Accept": "application/json"})
        assert response.status_code == 503, (path, response.status_code, response.text[:300])
        assert response.headers["retry-after"] == "2"
        assert "loading" in response.text
    assert client.get("/export/graph.nope").status_code == 400  # a bad request stays a 400
    # A browser's GET with a query is a query, not the playground page: it waits too (it ran
    # without a graph and answered 200 "Unexpected error."), while the page itself opens.
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    answer = client.get("/graphql?query={stats{articles}}", headers=browser)
    assert answer.status_code == 503, answer.text[:300]
    assert answer.json()["errors"][0]["extensions"] == {"code": "GRAPH_LOADING"}
    page = client.get("/graphql", headers=browser)
    assert page.status_code == 200 and "<html" in page.text.lower()
