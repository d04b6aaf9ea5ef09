"""The playground of the real app, offline: GraphiQL at /graphql on seeds/, in headless Chromium.

Every request that leaves 127.0.0.1/localhost is aborted and recorded; the test fails if there
was any, or any console error. It runs the default query and an example from the picker, and
saves screenshots to artifacts/. Skipped when Chromium, Playwright or the npm assets
(`npm ci --prefix web`) are missing, except under CI=true where it fails instead.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser import LOCAL_HOSTS
from server import Server
from support import REPO, require

from graphsvc.web.examples import DEFAULT_QUERY, EXAMPLES
from graphsvc.web.graphiql import ASSETS, INSTALL_HINT, missing_assets

ARTIFACTS = REPO / "artifacts"
SCREENSHOT_DEFAULT = ARTIFACTS / "playground-real.png"
SCREENSHOT_EXAMPLE = ARTIFACTS / "playground-example.png"
SEARCH_EXAMPLE = "Search"


@pytest.mark.browser
def test_playground_runs_queries_offline(seeds_server: Server, chromium_browser: Any) -> None:
    missing = missing_assets()
    require(
        not missing, f"GraphiQL npm assets missing ({', '.join(missing)}); run `{INSTALL_HINT}`"
    )
    from playwright.sync_api import expect

    stats = seeds_server.query("{ stats { articles edges } }")["data"]["stats"]
    blocked: list[str] = []
    requested: list[str] = []
    failed: list[str] = []
    console_errors: list[str] = []

    context = chromium_browser.new_context(
        viewport={"width": 1440, "height": 900}, service_workers="block"
    )

    def guard(route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about"} or parts.hostname in LOCAL_HOSTS:
            requested.append(url)
            route.continue_()
        else:
            blocked.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    page = context.new_page()
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: console_errors.append(f"pageerror: {exc}"))
    page.on("requestfailed", lambda req: failed.append(f"{req.url} {req.failure}"))
    try:
        response = page.goto(seeds_server.graphql, wait_until="load")
        assert response is not None and response.status == 200
        assert response.headers["content-type"].startswith("text/html")

        # GraphiQL starts with the Overview query in the first tab, one tab per example after it.
        query_editor = page.locator(".graphiql-query-editor .CodeMirror")
        expect(query_editor).to_be_visible(timeout=20_000)
        expect(query_editor).to_contain_text("query Overview")
        tabs = page.locator(".graphiql-tab")
        expect(tabs).to_have_count(1 + len(EXAMPLES))
        expect(tabs.nth(0)).to_have_class(re.compile(r"graphiql-tab-active"))

        # The explorer plugin renders the real schema.
        page.get_by_role("button", name="Show GraphiQL Explorer").click()
        explorer = page.locator(".graphiql-explorer-root")
        expect(explorer).to_be_visible(timeout=10_000)
        for field in ("articles", "ingestProblems", "shortestPath"):
            expect(explorer).to_contain_text(field)

        # Run the default query: stats and topics with their article counts.
        page.locator(".graphiql-execute-button").click()
        result = page.locator(".graphiql-response .CodeMirror")
        expect(result).to_contain_text(f'"articles": {stats["articles"]}', timeout=15_000)
        expect(result).to_contain_text(f'"edges": {stats["edges"]}')
        expect(result).to_contain_text('"articleCount": ')
        assert "errors" not in result.inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DEFAULT))

        # Open the search example from the picker (a new tab) and run it.
        picker = page.locator("select.graphsvc-examples")
        expect(picker.locator("option")).to_have_text(
            ["Examples\u2026", *[name for name, _ in EXAMPLES]]
        )
        picker.select_option(label=SEARCH_EXAMPLE)
        expect(tabs).to_have_count(2 + len(EXAMPLES))
        expect(tabs.last).to_have_class(re.compile(r"graphiql-tab-active"))
        expect(query_editor).to_contain_text('search(query: "kubernetes"')
        # GraphiQL takes the operation name from the editor after a short debounce; the
        # tab's title shows it: run only then (as a person would, a moment later).
        expect(tabs.last).to_contain_text("Search")
        page.locator(".graphiql-execute-button").click()
        expect(result).to_contain_text('"search": [', timeout=15_000)
        expect(result).to_contain_text('"score": ')
        expect(result).to_contain_text(re.compile(r'"title": "[^"]*Kubernetes'))
        assert '"errors"' not in result.inner_text()
        page.screenshot(path=str(SCREENSHOT_EXAMPLE))

        # Back on the first tab, the Overview query still runs.
        tabs.nth(0).locator(".graphiql-tab-button").click()
        expect(query_editor).to_contain_text("query Overview")
        expect(tabs.nth(0)).to_have_class(re.compile(r"graphiql-tab-active"))
        # GraphiQL 4 updates the operation name a moment after a tab switch (a run at once
        # can still name the other tab's operation): run again, as a person would, if so.
        for _attempt in range(3):
            page.wait_for_timeout(500)
            page.locator(".graphiql-execute-button").click()
            page.wait_for_timeout(500)
            if "Unknown operation" not in result.inner_text():
                break
        expect(result).to_contain_text(f'"articles": {stats["articles"]}', timeout=15_000)
    finally:
        context.close()

    assert not blocked, f"requests left localhost: {blocked}"
    assert not failed, f"requests failed: {failed}"
    assert not console_errors, f"console errors: {json.dumps(console_errors, indent=1)}"
    graphql_posts = [url for url in requested if urlsplit(url).path == "/graphql"]
    assert len(graphql_posts) >= 4  # the page, introspection and two queries
    served = {urlsplit(u).path.removeprefix("/_assets/") for u in requested if "/_assets/" in u}
    assert served == {asset.path for asset in ASSETS}
    for shot in (SCREENSHOT_DEFAULT, SCREENSHOT_EXAMPLE):
        assert shot.stat().st_size > 10_000, shot


def test_default_query_is_the_overview() -> None:
    """The first tab's query is what the browser test expects to find and run."""
    assert "query Overview" in DEFAULT_QUERY and "stats" in DEFAULT_QUERY
    assert SEARCH_EXAMPLE in dict(EXAMPLES)
