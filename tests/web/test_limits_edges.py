"""Edges of the HTTP surface against a real server: export dates at the ends of the datetime
range (a 400 naming the parameter, and ``exportUrl`` never hands out such a URL), the
playground page's header-level security policy, and the .zip export sent as it is.

Before: both export dates below raised OverflowError (a 500) and ``exportUrl`` returned the
URL; the playground's policy was a ``<meta>`` tag only (no ``frame-ancestors``, so any site
could frame it; no ``nosniff``; ``connect-src ws: wss:`` admitted any host)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from graphsvc.web.graphiql import missing_assets
from tests.support import require
from tests.web.server import Server

EDGE_DATES = {
    "after": "0001-01-01T00:00:00+01:00",  # in year 0 in UTC
    "before": "9999-12-31T23:59:59-01:00",  # in year 10000 in UTC
}


@pytest.mark.parametrize(("parameter", "value"), EDGE_DATES.items())
def test_export_dates_at_the_datetime_edges_are_a_400(
    seeds_server: Server, parameter: str, value: str
) -> None:
    response = httpx.get(
        f"{seeds_server.url}/export/graph.json", params={parameter: value}, timeout=30
    )
    assert response.status_code == 400, response.text[:300]
    body = response.json()
    assert body["parameter"] == parameter
    assert "out of range" in body["error"]


def test_export_dates_just_inside_the_edges_are_served(seeds_server: Server) -> None:
    params = {"after": "0001-01-01T01:00:00+01:00", "before": "9999-12-31T22:59:59-01:00"}
    response = httpx.get(f"{seeds_server.url}/export/graph.json", params=params, timeout=30)
    assert response.status_code == 200, response.text[:300]
    assert response.json()["nodes"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("publishedAfter", EDGE_DATES["after"]), ("publishedBefore", EDGE_DATES["before"])],
)
def test_export_url_refuses_dates_outside_the_utc_range(
    seeds_server: Server, field: str, value: str
) -> None:
    query = "query ($f: ArticleFilter) { exportUrl(format: JSON, filter: $f) }"
    response = httpx.post(
        seeds_server.graphql, json={"query": query, "variables": {"f": {field: value}}}, timeout=30
    )
    body = response.json()
    assert body["data"] is None
    assert field in body["errors"][0]["message"], body


def test_export_url_hands_out_urls_the_route_serves(seeds_server: Server) -> None:
    query = "query ($f: ArticleFilter) { exportUrl(format: JSON, filter: $f) }"
    flt = {"publishedAfter": "2001-01-01T00:30:00+01:00", "publishedBefore": "9999-12-31T23:00:00Z"}
    body = httpx.post(
        seeds_server.graphql, json={"query": query, "variables": {"f": flt}}, timeout=30
    ).json()
    url = body["data"]["exportUrl"]
    assert "after=2000-12-31T23%3A30%3A00%2B00%3A00" in url  # in UTC
    assert httpx.get(seeds_server.url + url, timeout=30).status_code == 200


def test_the_playground_page_sends_its_policy_as_headers(seeds_server: Server) -> None:
    page = httpx.get(seeds_server.graphql, headers={"accept": "text/html"}, timeout=30)
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    policy = page.headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
    assert directives["frame-ancestors"] == ["'none'"]
    host = seeds_server.url.removeprefix("http://")
    assert directives["connect-src"] == ["'self'", f"ws://{host}"]
    assert any(s.startswith("'sha256-") for s in directives["script-src"])
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"


def test_the_playground_policy_names_no_other_websocket_host(seeds_server: Server) -> None:
    """A Host header that is not a plain host and port cannot widen the page's policy."""
    page = httpx.get(
        seeds_server.graphql,
        headers={"accept": "text/html", "host": "x connect-src *"},
        timeout=30,
    )
    policy = page.headers["content-security-policy"]
    assert "connect-src 'self';" in policy
    assert "*" not in policy


def test_the_zip_export_is_not_gzipped_again(seeds_server: Server) -> None:
    response = httpx.get(
        f"{seeds_server.url}/export/graph.zip", headers={"accept-encoding": "gzip"}, timeout=30
    )
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert response.content[:2] == b"PK"
    # Other exports still are: the JSON one is text.
    json_export = httpx.get(
        f"{seeds_server.url}/export/graph.json", headers={"accept-encoding": "gzip"}, timeout=30
    )
    assert json_export.headers["content-encoding"] == "gzip"


def _playground_ready(seeds_server: Server) -> None:
    missing = missing_assets()
    require(not missing, f"GraphiQL npm assets missing ({', '.join(missing)})")


@pytest.mark.browser
def test_the_playground_cannot_be_framed(seeds_server: Server, chromium_browser: Any) -> None:
    """In a real browser: a page that frames the playground gets an empty frame (before, the
    playground loaded inside it: a ``<meta>`` policy cannot forbid framing)."""
    _playground_ready(seeds_server)
    context = chromium_browser.new_context()
    try:
        page = context.new_page()
        page.set_content(f'<iframe id="f" src="{seeds_server.graphql}"></iframe>')
        page.wait_for_timeout(500)  # not an assertion: lets a frame that would load, load
        for _ in range(50):
            frames = [f for f in page.frames if f != page.main_frame]
            if frames and frames[0].url not in ("", "about:blank"):
                break
            page.wait_for_timeout(100)
        frame = frames[0]
        text = (
            frame.evaluate("document.documentElement.outerHTML")
            if frame.url.startswith("http")
            else ""
        )
        assert "graphiql" not in text.lower(), f"the playground loaded in a frame ({frame.url})"
    finally:
        context.close()


@pytest.mark.browser
def test_the_playground_reaches_its_own_websocket_and_no_other(
    seeds_server: Server, chromium_browser: Any
) -> None:
    _playground_ready(seeds_server)
    context = chromium_browser.new_context()
    try:
        page = context.new_page()
        page.goto(seeds_server.graphql, wait_until="load")
        own = page.evaluate(_OPEN_WEBSOCKET, seeds_server.graphql.replace("http://", "ws://"))
        assert own == "open"
        other = page.evaluate(_OPEN_WEBSOCKET, "ws://localhost:9/graphql")
        assert other == "blocked: connect-src", other
    finally:
        context.close()


_OPEN_WEBSOCKET = """url => new Promise(resolve => {
  document.addEventListener("securitypolicyviolation",
    e => resolve("blocked: " + e.effectiveDirective), {once: true});
  try {
    const ws = new WebSocket(url, "graphql-transport-ws");
    ws.onopen = () => { ws.close(); resolve("open"); };
    ws.onerror = () => setTimeout(() => resolve("error"), 500);
  } catch (e) { resolve("threw: " + e.name); }
})"""
