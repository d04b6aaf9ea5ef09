"""The explorer page at "/": a real server on a corpus, Debian's Chromium, no internet.

The corpus is a copy of seeds/ plus one hostile document whose title is an HTML payload. The
browser may only talk to 127.0.0.1/localhost: every other request is aborted and recorded, and
the test fails if there was any, or any console error, or any dialog. Screenshots of the main
states go to artifacts/explorer-*.png (regenerate with `python -m pytest tests/web/test_explorer.py`).
Skipped when Chromium, Playwright or the npm assets are missing, except under CI=true.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest

from graphsvc.api.context import encode_id
from graphsvc.web import graphiql
from graphsvc.web.explorer import EXPLORER_FILES, LIBRARY_URL, missing_files
from graphsvc.web.graphiql import ASSETS_ENV_VAR, INSTALL_HINT
from tests.support import REPO, SEEDS, require
from tests.web.browser import Watch, click_node
from tests.web.server import Server, corpus_settings, running_server

ARTIFACTS = REPO / "artifacts"

XSS_TITLE = "<img src=x onerror=alert(1)>"
XSS_DOC = """---
category: news
title: "<img src=x onerror=alert(1)>"
excerpt: "<script>alert(2)</script> Fish &amp; chips, <b>bold</b> claims about a hostile title."
publishedDateTime: 2021-07-01T09:00:00Z
originalUrl: "https://hostile.example/2021/07/img-title"
webUrl: "https://hostile.example/2021/07/img-title"
type: article
quality: 40
heat: 1
published: true

provider:
  name: "Hostile <b>Example</b>"
  domain: hostile.example

topics:
  - Security

images:
  - url: "javascript:alert(3)"

related:
  - title: "Misconfigured Kubernetes dashboards keep leaking cloud credentials"
    webUrl: "https://www.secopsreview.net/2020/06/exposed-kubernetes-dashboards-cloud-credentials/"
    provider:
      name: SecOps Review
      domain: secopsreview.net
---
"""

AZURE_ARC = "Azure Arc brings Kubernetes clusters under one control plane"
HOSTILE_URL = "https://hostile.example/2021/07/img-title"
RANSOMWARE_URL = "https://www.secopsreview.net/2020/08/ransomware-crews-unpatched-vpn-appliances/"

# The API's view of things, to check the canvas against.
NEIGHBORHOOD_IDS = "query($id: ID!, $limit: Int!) { neighborhood(id: $id, depth: 1, limit: $limit) { truncated nodes { id } edges { kind source target } } }"
SEARCH_IDS = "query($q: String!) { search(query: $q, first: 10) { node { id __typename ... on Article { title } ... on Provider { name } ... on Topic { name } } } }"
FILTERED_IDS = "query($t: [String!]) { articles(filter: {topics: $t}, first: 100) { totalCount edges { node { id provider { id } topics { id } } } } }"
MONTH_IDS = "query($p: [String!], $after: DateTime, $before: DateTime) { articles(filter: {providers: $p, publishedAfter: $after, publishedBefore: $before}, first: 100) { totalCount edges { node { id } } } }"
PROVIDER_TREND = "query($domain: String!) { providerTrend(domain: $domain, bucket: MONTH) { points { start end count } } }"
STORY_IDS = "query($id: ID!) { node(id: $id) { ... on Article { story { size articles(first: 100) { edges { node { id } } } } } } }"
ENDS = "query($a: String!, $b: String!) { a: article(url: $a) { id } b: article(url: $b) { id } }"
PATH_IDS = "query($from: ID!, $to: ID!, $max: Int!) { shortestPath(from: $from, to: $to, maxLength: $max) { length nodes { id } edges { kind source target } } }"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """seeds/ plus one document whose title is an HTML payload."""
    root = tmp_path_factory.mktemp("explorer") / "corpus"
    shutil.copytree(SEEDS, root)
    (root / "900_hostile-title.md").write_text(XSS_DOC, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def server(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    settings = corpus_settings(corpus, tmp_path_factory.mktemp("cache"), watch=False)
    with running_server(settings) as srv:
        yield srv


def require_files() -> None:
    missing = missing_files()
    require(not missing, f"explorer files missing ({', '.join(missing)}); run `{INSTALL_HINT}`")


def query_fields(server: Server) -> set[str]:
    """Fields of Query: features other parts of graphsvc add are checked only where present."""
    answer = data(server, '{ __type(name: "Query") { fields { name } } }')
    return {f["name"] for f in answer["__type"]["fields"]}


def data(server: Server, query: str, **variables: Any) -> dict[str, Any]:
    body = server.query(query, **variables)
    assert not body.get("errors"), body["errors"]
    return dict(body["data"])


# ------------------------------------------------------------------------- HTTP checks


def test_page_and_files_are_allow_listed(server: Server) -> None:
    require_files()
    page = httpx.get(f"{server.url}/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp and "unsafe-eval" not in csp
    assert "http://" not in page.text and "https://" not in page.text
    assert re.search(r"(?i)(?:src|href)=[\"']?//", page.text) is None
    for name, media_type in EXPLORER_FILES.items():
        response = httpx.get(f"{server.url}/explorer/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"] == media_type
        assert response.headers["x-content-type-options"] == "nosniff"
    library = httpx.get(f"{server.url}{LIBRARY_URL}")
    assert library.status_code == 200 and library.headers["content-type"].startswith(
        "text/javascript"
    )
    assert len(library.content) > 100_000
    for path in (
        "/explorer/index.html",
        "/explorer/vendor/cytoscape.min.js",
        "/explorer/vendor/../package.json",
        "/explorer/%2e%2e/graphsvc/web/app.py",
        "/explorer/../pyproject.toml",
        "/explorer/",
    ):
        assert httpx.get(f"{server.url}{path}").status_code == 404, path
    assert httpx.head(f"{server.url}/").status_code == 200


def test_missing_library_page_says_what_to_run(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ASSETS_ENV_VAR, str(tmp_path))
    page = httpx.get(f"{server.url}/")
    assert page.status_code == 503 and INSTALL_HINT in page.text and "<script" not in page.text
    assert httpx.get(f"{server.url}{LIBRARY_URL}").status_code == 404


def test_scripts_never_write_html() -> None:
    """Text goes in as textContent; no HTML sinks, no eval, no outside URL fetched."""
    root = REPO / "web" / "explorer"
    for name in EXPLORER_FILES:
        if not name.endswith(".js"):
            continue
        source = (root / name).read_text(encoding="utf-8")
        for sink in (
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
        ):
            assert sink not in source, f"{name} uses {sink}"
        for namespace in ("http://graphml.graphdrawing.org/xmlns", "http://www.w3.org/2000/svg"):
            source = source.replace(namespace, "")  # names, never fetched
        assert "http://" not in source


def export_route_mounted(server: Server) -> bool:
    url = data(server, '{ exportUrl(format: GRAPHML, filter: {topics: ["Security"]}) }')
    return httpx.get(f"{server.url}{url['exportUrl']}").status_code != 404


def test_server_export_route_is_mounted_where_advertised(server: Server) -> None:
    """The explorer offers the server's formats when the schema has `exportUrl`."""
    if "exportUrl" not in query_fields(server):
        pytest.skip("this schema has no exportUrl: the explorer offers GraphML and PNG only")
    assert export_route_mounted(server), (
        "exportUrl is in the schema but its route is not mounted (export_routes from"
        " graphsvc.web.export in app.extra_routes): the explorer's 'More formats' 404s"
    )


# ------------------------------------------------------------------------ the journey


def canvas_ids(page: Any, selector: str = "node") -> set[str]:
    return set(page.evaluate("(s) => window.explorer.cy.elements(s).map((e) => e.id())", selector))


def edge_keys(page: Any, selector: str = "edge") -> set[tuple[str, str, str]]:
    rows = page.evaluate(
        "(s) => window.explorer.cy.elements(s).map((e) => [e.data('kind'), e.source().id(), e.target().id()])",
        selector,
    )
    return {(kind.upper(), source, target) for kind, source, target in rows}


def api_edges(edges: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(e["kind"], e["source"], e["target"]) for e in edges}


def settle(page: Any) -> None:
    """Wait until no request of the page is pending."""
    page.wait_for_function("() => document.body.dataset.busy === '0'")


def wait_node_count(page: Any, count: int) -> None:
    page.wait_for_function("(n) => window.explorer.cy.nodes().length === n", arg=count)
    settle(page)


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"explorer-{name}.png"))


@pytest.mark.browser
def test_explorer_journey(server: Server, chromium_browser: Any, tmp_path: Path) -> None:
    require_files()
    import networkx as nx
    from playwright.sync_api import expect

    watch = Watch()
    context = chromium_browser.new_context(
        viewport={"width": 1440, "height": 900}, service_workers="block", accept_downloads=True
    )
    context.route("**/*", watch.guard)
    context.on("page", watch.attach)
    page = context.new_page()
    page.on(
        "request",
        lambda r: watch.explorer_requests.append((r.method, r.url, r.resource_type)),
    )
    config: dict[str, int] = {}
    try:
        response = page.goto(f"{server.url}/", wait_until="load")
        assert response is not None and response.status == 200
        expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=20_000)
        config = page.evaluate("() => ({...window.explorer.config})")

        # 1. Type a query: results as you type, each with title, provider, date and topics.
        page.locator("#search").press_sequentially("kubernetes", delay=40)
        # A pause while typing shows a shorter word's results first; wait for the whole word's.
        expect(page.locator("#results")).to_have_attribute("data-query", "kubernetes")
        results = page.locator("#results li[data-id]")
        expected_hits = data(server, SEARCH_IDS, q="kubernetes")["search"]
        expect(results).to_have_count(len(expected_hits), timeout=10_000)
        assert [results.nth(i).get_attribute("data-id") for i in range(len(expected_hits))] == [
            h["node"]["id"] for h in expected_hits
        ]
        arc = results.filter(has_text=AZURE_ARC)
        expect(arc.locator(".result-meta")).to_have_text("Cloud Dispatch · 2020-02-11")
        expect(arc.locator(".result-topics span")).to_have_text(["Azure", "Kubernetes"])
        shot(page, "search")

        # 2. Open one: its neighbourhood is drawn, node for node as the API has it.
        arc_id = arc.get_attribute("data-id")
        assert arc_id
        arc.click()
        expect(page.locator("body")).to_have_attribute("data-view", "neighbourhood")
        expect(page.locator("#panel h2")).to_have_text(AZURE_ARC)
        settle(page)
        hood = data(server, NEIGHBORHOOD_IDS, id=arc_id, limit=config["openLimit"])["neighborhood"]
        assert not hood["truncated"]
        assert page.evaluate("() => window.explorer.cy.nodes().length") == len(hood["nodes"])
        expect(page.locator("#cy")).to_have_attribute("data-node-count", str(len(hood["nodes"])))
        assert canvas_ids(page) == {n["id"] for n in hood["nodes"]}
        assert edge_keys(page) == api_edges(hood["edges"])
        kinds = page.evaluate(
            "() => window.explorer.cy.nodes().map((n) => [n.data('kind'), n.style('shape')])"
        )
        assert {tuple(k) for k in kinds} >= {
            ("article", "ellipse"),
            ("provider", "round-rectangle"),
            ("topic", "hexagon"),
        }
        arc_url = data(
            server, "query($id: ID!) { node(id: $id) { ... on Article { url } } }", id=arc_id
        )
        expect(page.locator("#panel a", has_text="Open the original")).to_have_attribute(
            "href", arc_url["node"]["url"]
        )
        shot(page, "neighbourhood")

        # 3. Expand a node: a click on the provider adds its neighbours.
        provider_id = page.evaluate(
            "() => window.explorer.cy.nodes(\"[kind = 'provider']\").first().id()"
        )
        before = canvas_ids(page)
        grown = data(server, NEIGHBORHOOD_IDS, id=provider_id, limit=config["expandLimit"])[
            "neighborhood"
        ]
        expected = before | {n["id"] for n in grown["nodes"]}
        assert len(expected) > len(before)
        click_node(page, provider_id)
        wait_node_count(page, len(expected))
        assert canvas_ids(page) == expected
        assert canvas_ids(page, ".expanded") == {arc_id, provider_id}
        expect(page.locator("#panel .kind")).to_have_text("Provider")
        expect(page.locator("#panel dl.counts")).to_contain_text("Articles")
        shot(page, "expanded")

        # A double-click focuses (fades the rest) and does not expand.
        click_node(page, arc_id, double=True)
        page.wait_for_function("() => window.explorer.cy.$('.faded').length > 0")
        page.wait_for_timeout(config["doubleTapMs"] + 300)
        settle(page)
        assert canvas_ids(page) == expected
        assert canvas_ids(page, ".expanded") == {arc_id, provider_id}

        # Where the schema has trends, the provider panel charts its articles per month, and a
        # bar filters the canvas to that provider and month.
        if "providerTrend" in query_fields(server):
            click_node(page, provider_id, double=True)
            expect(page.locator("#panel .kind")).to_have_text("Provider")
            domain = page.evaluate(
                "(id) => window.explorer.cy.getElementById(id).data('domain')", provider_id
            )
            trend = data(server, PROVIDER_TREND, domain=domain)["providerTrend"]
            bars = page.locator("#panel svg.trend rect")
            expect(bars).to_have_count(len(trend["points"]))
            busiest = max(trend["points"], key=lambda p: p["count"])
            page.locator(f'#panel svg.trend rect[data-start="{busiest["start"]}"]').click()
            expect(page.locator("body")).to_have_attribute("data-view", "filter")
            settle(page)
            month = data(
                server,
                MONTH_IDS,
                p=[domain],
                after=busiest["start"],
                before=busiest["end"],
            )["articles"]
            assert month["totalCount"] == busiest["count"]
            assert canvas_ids(page, "node[kind = 'article']") == {
                e["node"]["id"] for e in month["edges"]
            }
            expect(page.locator("#filter-provider")).to_have_value(domain)
            expect(page.locator("#filter-from")).to_have_value(busiest["start"][:10])
            shot(page, "trend")
            page.locator("#filter-clear").click()
            expect(page.locator("body")).to_have_attribute("data-view", "empty")
            settle(page)

        # 4. Filter by topic: the canvas holds exactly the matching articles.
        page.locator("#filter-topic").select_option("Security")
        expect(page.locator("body")).to_have_attribute("data-view", "filter")
        settle(page)
        security = data(server, FILTERED_IDS, t=["Security"])["articles"]
        articles = {e["node"]["id"] for e in security["edges"]}
        assert security["totalCount"] == len(articles) > 3
        assert canvas_ids(page, "node[kind = 'article']") == articles
        expected_all = articles.union(
            *(
                {e["node"]["provider"]["id"]} | {t["id"] for t in e["node"]["topics"]}
                for e in security["edges"]
            )
        )
        assert canvas_ids(page) == expected_all
        expect(page.locator("#status")).to_contain_text(
            f"{len(articles)} of {security['totalCount']} matching"
        )
        shot(page, "filter")
        # The playground link's query carries the filter as a default and, sent as is, lists the
        # same articles.
        last = page.evaluate("() => window.explorer.state.lastQuery")
        assert last["operationName"] == "FilteredArticles"
        assert '$filter: ArticleFilter! = {topics: ["Security"]}' in last["playground"]
        rerun = httpx.post(server.graphql, json={"query": last["playground"]}).json()
        assert {e["node"]["id"] for e in rerun["data"]["articles"]["edges"]} == articles

        # Where the schema has `exportUrl`, the same selection downloads whole from the server.
        if "exportUrl" in query_fields(server):
            server_export = page.locator("#export-server")
            expect(server_export).to_be_enabled()
            if export_route_mounted(server):
                with page.expect_download() as info:
                    server_export.select_option("GRAPHML")
                assert info.value.failure() is None, info.value.failure()
                whole = tmp_path / "server.graphml"
                info.value.save_as(whole)
                assert {encode_id(key) for key in nx.read_graphml(whole)} == canvas_ids(page)
        else:
            expect(page.locator("#export-server")).to_be_hidden()

        # 5. Find a path between two articles of the filtered view.
        ends = data(server, ENDS, a=HOSTILE_URL, b=RANSOMWARE_URL)
        start, end = ends["a"]["id"], ends["b"]["id"]
        assert {start, end} <= articles
        path = data(server, PATH_IDS, **{"from": start, "to": end, "max": config["maxPathLength"]})[
            "shortestPath"
        ]
        assert path and path["length"] >= 2
        page.locator("#path-mode").click()
        expect(page.locator("#path-mode")).to_have_attribute("aria-pressed", "true")
        click_node(page, start)
        expect(page.locator("#status")).to_contain_text("now click the end node")
        click_node(page, end)
        expect(page.locator("body")).to_have_attribute("data-view", "path")
        settle(page)
        assert canvas_ids(page, "node.on-path") == {n["id"] for n in path["nodes"]}
        assert edge_keys(page, "edge.on-path") == api_edges(path["edges"])
        expect(page.locator("body")).to_have_attribute("data-path-length", str(path["length"]))
        expect(page.locator("#panel .path-list > li")).to_have_count(len(path["nodes"]))
        expect(page.locator("#panel .path-list > li").first).to_contain_text(XSS_TITLE)
        shot(page, "path")

        # 6. Export the view as GraphML and read it back; and as PNG.
        with page.expect_download() as info:
            page.locator("#export-graphml").click()
        download = info.value
        assert download.suggested_filename.endswith(".graphml")
        graphml = tmp_path / "view.graphml"
        download.save_as(graphml)
        graph = nx.read_graphml(graphml)
        assert graph.is_directed()
        assert set(graph.nodes) == canvas_ids(page)
        assert graph.number_of_edges() == page.evaluate("() => window.explorer.cy.edges().length")
        assert {(d["kind"].upper(), s, t) for s, t, d in graph.edges(data=True)} == edge_keys(page)
        assert graph.nodes[start]["label"] == XSS_TITLE and graph.nodes[start]["kind"] == "article"
        assert graph.nodes[start]["url"].startswith(HOSTILE_URL)
        with page.expect_download() as info:
            page.locator("#export-png").click()
        png = tmp_path / "view.png"
        info.value.save_as(png)
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

        # 7. "Open in playground": GraphiQL in a new tab with the query that drew the view.
        last = page.evaluate("() => window.explorer.state.lastQuery")
        assert last["operationName"] == "ShortestPath"
        with context.expect_page() as popup:
            page.locator("#playground").click()
        playground = popup.value
        playground.wait_for_load_state("load")
        target = urlsplit(playground.url)
        assert target.path == "/graphql" and not target.query
        fragment = parse_qs(target.fragment)
        assert fragment == {"query": [last["playground"]]}
        # The query carries its variables as defaults, so it runs as is...
        for name, value in last["variables"].items():
            assert f"${name}: " in last["playground"] and json.dumps(value) in last["playground"]
        expect(playground.locator(".graphiql-query-editor .CodeMirror")).to_be_visible(
            timeout=20_000
        )
        if "location.hash" in graphiql._BOOTSTRAP:  # the playground opens the linked query
            expect(playground.locator(".graphiql-query-editor .CodeMirror")).to_contain_text(
                "query ShortestPath", timeout=10_000
            )
        # ... and, sent without variables, gives the path on the canvas.
        rerun = httpx.post(server.graphql, json={"query": last["playground"]}).json()
        assert {n["id"] for n in rerun["data"]["shortestPath"]["nodes"]} == canvas_ids(
            page, "node.on-path"
        )
        playground.screenshot(path=str(ARTIFACTS / "explorer-playground.png"))
        playground.close()

        # 8. The hostile title is text everywhere, and no dialog opened.
        page.locator("#search").fill("")
        page.locator("#search").press_sequentially("onerror", delay=40)
        expect(page.locator("#results")).to_have_attribute("data-query", "onerror")
        hostile = page.locator(
            "#results li[data-id]", has=page.locator(".result-title", has_text=XSS_TITLE)
        )
        expect(hostile).to_have_count(1, timeout=10_000)
        expect(hostile.locator(".result-title")).to_have_text(XSS_TITLE)
        expect(hostile.locator(".result-meta")).to_have_text("Hostile <b>Example</b> · 2021-07-01")
        hostile.click()
        expect(page.locator("#panel h2")).to_have_text(XSS_TITLE)
        settle(page)
        excerpt = data(
            server, "query($id: ID!) { node(id: $id) { ... on Article { excerpt } } }", id=start
        )
        expect(page.locator("#panel .excerpt")).to_have_text(excerpt["node"]["excerpt"])
        # Its only image has a javascript: URL: no button to load it.
        expect(page.locator("#panel button", has_text="Show image")).to_have_count(0)
        expect(page.locator("img")).to_have_count(0)
        expect(page.locator("#panel script, #panel b")).to_have_count(0)
        label = page.evaluate("(id) => window.explorer.cy.getElementById(id).data('label')", start)
        assert label == XSS_TITLE
        shot(page, "hostile-title")

        # 9. Where the schema has stories, the article's story draws as a whole.
        story = data(server, STORY_IDS, id=start)["node"].get("story")
        if story is not None:
            page.locator("#panel button", has_text="Draw the story").click()
            expect(page.locator("body")).to_have_attribute("data-view", "story")
            settle(page)
            assert canvas_ids(page, "node[kind = 'article']") == {
                e["node"]["id"] for e in story["articles"]["edges"]
            }
            shot(page, "story")
        page.wait_for_timeout(300)
        settle(page)
    finally:
        context.close()

    assert not watch.blocked, f"requests left localhost: {watch.blocked}"
    assert not watch.console_errors, f"console errors: {json.dumps(watch.console_errors, indent=1)}"
    assert not watch.dialogs, f"dialogs opened: {watch.dialogs}"
    # Every piece of data came from GraphQL POSTs; GETs only fetched the page and its files,
    # the corpus's name (/readyz, for file names) and the server's export (fetched, to name it).
    http = [
        (m, urlsplit(u), kind) for m, u, kind in watch.explorer_requests if u.startswith("http")
    ]
    fetches = {(m, u.path) for m, u, kind in http if kind in {"fetch", "xhr"}}
    assert ("POST", "/graphql") in fetches
    others = {f for f in fetches if f != ("POST", "/graphql")}
    assert {f for f in others if not f[1].startswith("/export/graph.")} <= {("GET", "/readyz")}
    assert {m for m, _ in others} <= {"GET"}
    gets = {u.path for m, u, kind in http if kind not in {"fetch", "xhr"}}
    allowed = {"/", LIBRARY_URL} | {f"/explorer/{name}" for name in EXPLORER_FILES}
    assert {p for p in gets if not p.startswith("/export/graph.")} <= allowed, gets - allowed
    assert unquote(LIBRARY_URL) in gets
