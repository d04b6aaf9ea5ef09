"""The playground of the real app, offline: GraphiQL at /graphql on seeds/, in headless Chromium.

Every request that leaves 127.0.0.1/localhost is aborted and recorded; the test fails if there
was any, or any console error. It runs the default query and an example from the picker, and
saves screenshots to artifacts/. Picking an example that is open switches to its tab (no
duplicate); the welcome comment fits the editor at 1440 and 1024 px; a query linked from the
explorer ("Open in playground", ``/graphql#query=...``) opens in its own tab, never over the
Overview tab. On a second corpus (game news) the examples name its own topics and URLs and
run. Skipped when Chromium, Playwright or the npm assets (`npm ci --prefix web`) are missing,
except under CI=true where it fails instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from graphsvc.graph.store import GraphStore
from graphsvc.web.examples import DEFAULT_QUERY, SEARCH_NAME, examples_for
from graphsvc.web.graphiql import ASSETS, INSTALL_HINT, missing_assets
from tests.game_corpus import write_game_corpus
from tests.support import REPO, require
from tests.web.browser import LOCAL_HOSTS
from tests.web.server import Server, corpus_settings, running_server

ARTIFACTS = REPO / "artifacts"
SCREENSHOT_DEFAULT = ARTIFACTS / "playground-real.png"
SCREENSHOT_EXAMPLE = ARTIFACTS / "playground-example.png"
SEARCH_EXAMPLE = SEARCH_NAME


def require_assets() -> None:
    missing = missing_assets()
    require(
        not missing, f"GraphiQL npm assets missing ({', '.join(missing)}); run `{INSTALL_HINT}`"
    )


def comment_overflow(page: Any) -> list[str]:
    """The welcome comment's lines that reach past the query editor's visible width (or under
    its floating toolbar)."""
    return list(
        page.evaluate(
            """() => {
      const editor = document.querySelector(".graphiql-query-editor .CodeMirror-scroll");
      const toolbar = document.querySelector(".graphiql-query-editor .graphiql-toolbar");
      // The run and prettify buttons float over the editor's right side and hide what is under.
      const right = Math.min(
        editor.getBoundingClientRect().right,
        toolbar ? toolbar.getBoundingClientRect().left : Infinity,
      );
      return [...document.querySelectorAll(".graphiql-query-editor .CodeMirror-line > span")]
        .filter((span) => span.textContent.startsWith("#"))
        .filter((span) => span.getBoundingClientRect().right > right + 0.5)
        .map((span) => span.textContent);
    }"""
        )
    )


@pytest.mark.browser
def test_playground_runs_queries_offline(
    seeds_server: Server, seeds_store: GraphStore, chromium_browser: Any
) -> None:
    require_assets()
    from playwright.sync_api import expect

    examples = examples_for(seeds_store)  # the served corpus: the page's examples
    search_index = [name for name, _ in examples].index(SEARCH_EXAMPLE)
    search_query = dict(examples)[SEARCH_EXAMPLE]
    [search_word] = re.findall(r'search\(query: ("[^"]+")', search_query)

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
        expect(tabs).to_have_count(1 + len(examples))
        expect(tabs.nth(0)).to_have_class(re.compile(r"graphiql-tab-active"))

        # The welcome comment fits the editor (it was cut off at the editor's width).
        page.wait_for_timeout(300)
        assert comment_overflow(page) == []
        page.set_viewport_size({"width": 1024, "height": 800})
        page.wait_for_timeout(500)
        assert comment_overflow(page) == []
        page.set_viewport_size({"width": 1440, "height": 900})

        # The explorer plugin renders the real schema.
        page.get_by_role("button", name="Show GraphiQL Explorer").click()
        explorer = page.locator(".graphiql-explorer-root")
        expect(explorer).to_be_visible(timeout=10_000)
        page.wait_for_timeout(300)
        assert comment_overflow(page) == []  # beside the explorer panel too
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

        # Pick the search example: its tab is open already, so the picker switches to it.
        picker = page.locator("select.graphsvc-examples")
        expect(picker.locator("option")).to_have_text(
            ["Examples\u2026", *[name for name, _ in examples]]
        )
        search_tab = tabs.nth(1 + search_index)
        picker.select_option(label=SEARCH_EXAMPLE)
        expect(search_tab).to_have_class(re.compile(r"graphiql-tab-active"))
        expect(tabs).to_have_count(1 + len(examples))  # no duplicate
        expect(query_editor).to_contain_text(f"search(query: {search_word}")
        picker.select_option(label=SEARCH_EXAMPLE)  # again: still no duplicate
        page.wait_for_timeout(300)
        expect(tabs).to_have_count(1 + len(examples))
        # Closed, it opens again, in a new tab at the end.
        search_tab.locator(".graphiql-tab-close").click()
        expect(tabs).to_have_count(len(examples))
        picker.select_option(label=SEARCH_EXAMPLE)
        expect(tabs).to_have_count(1 + len(examples))
        expect(tabs.last).to_have_class(re.compile(r"graphiql-tab-active"))
        expect(query_editor).to_contain_text(f"search(query: {search_word}")
        # GraphiQL takes the operation name from the editor after a short debounce; the
        # tab's title shows it: run only then (as a person would, a moment later).
        expect(tabs.last).to_contain_text("Search")
        page.locator(".graphiql-execute-button").click()
        expect(result).to_contain_text('"search": [', timeout=15_000)
        expect(result).to_contain_text('"score": ')
        word = json.loads(search_word)
        expect(result).to_contain_text(re.compile(rf"<mark>{re.escape(word)}</mark>", re.I))
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


def test_default_query_is_the_overview(seeds_store: GraphStore) -> None:
    """The first tab's query is what the browser test expects to find and run."""
    assert "query Overview" in DEFAULT_QUERY and "stats" in DEFAULT_QUERY
    assert SEARCH_EXAMPLE in dict(examples_for(seeds_store))


def _page(browser: Any, width: int = 1440) -> tuple[Any, Any, list[str]]:
    """A fresh context (no saved tabs) and page, with requests off localhost aborted and
    console errors collected."""
    context = browser.new_context(viewport={"width": width, "height": 900}, service_workers="block")
    errors: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about"} or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            errors.append(f"blocked: {url}")
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    page = context.new_page()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    return context, page, errors


@pytest.mark.browser
def test_open_in_playground_keeps_the_overview_tab(
    seeds_server: Server, seeds_store: GraphStore, chromium_browser: Any
) -> None:
    """The explorer's link, /graphql#query=..., opens its query in a tab of its own; the
    Overview tab keeps its query; a reload (the same link) opens no duplicate."""
    require_assets()
    from playwright.sync_api import expect

    examples = examples_for(seeds_store)
    linked = "query ExplorerView {\n  stats { articles topics }\n}\n"
    context, page, errors = _page(chromium_browser)
    try:
        page.goto(f"{seeds_server.graphql}#query={quote(linked)}", wait_until="load")
        query_editor = page.locator(".graphiql-query-editor .CodeMirror")
        expect(query_editor).to_contain_text("query ExplorerView", timeout=20_000)
        tabs = page.locator(".graphiql-tab")
        expect(tabs).to_have_count(2 + len(examples))
        expect(tabs.last).to_have_class(re.compile(r"graphiql-tab-active"))
        tabs.nth(0).locator(".graphiql-tab-button").click()
        expect(query_editor).to_contain_text("query Overview")
        expect(query_editor).not_to_contain_text("ExplorerView")
        # GraphiQL saves its tabs (in localStorage) after a debounce: reload once they are.
        page.wait_for_function(
            "() => (localStorage.getItem('graphiql:tabState') || '').includes('ExplorerView')"
        )
        page.reload(wait_until="load")
        expect(query_editor).to_contain_text("query ExplorerView", timeout=20_000)
        expect(tabs).to_have_count(2 + len(examples))
        page.locator(".graphiql-execute-button").click()
        result = page.locator(".graphiql-response .CodeMirror")
        expect(result).to_contain_text(f'"articles": {len(seeds_store.full_by_date)}')
    finally:
        context.close()
    assert not errors, errors


@pytest.fixture(scope="module")
def game_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("game")
    corpus = write_game_corpus(root / "corpus")
    with running_server(corpus_settings(corpus, root / "cache", watch=False)) as server:
        yield server


@pytest.mark.browser
def test_examples_come_from_the_served_corpus(game_server: Server, chromium_browser: Any) -> None:
    """On another corpus the picker's examples name its topics and URLs, and they run."""
    require_assets()
    from playwright.sync_api import expect

    newest = game_server.query("{ articles(first: 1) { edges { node { title url } } } }")["data"][
        "articles"
    ]["edges"][0]["node"]
    context, page, errors = _page(chromium_browser, width=1024)
    try:
        page.goto(game_server.graphql, wait_until="load")
        query_editor = page.locator(".graphiql-query-editor .CodeMirror")
        expect(query_editor).to_contain_text("query Overview", timeout=20_000)
        picker = page.locator("select.graphsvc-examples")
        expect(picker.locator("option", has_text="(Diablo 4)").first).to_be_attached()
        picker.select_option(label="Look up an article by URL")
        expect(query_editor).to_contain_text(newest["url"])
        page.wait_for_timeout(600)  # the operation name follows the editor after a debounce
        page.locator(".graphiql-execute-button").click()
        result = page.locator(".graphiql-response .CodeMirror")
        expect(result).to_contain_text(json.dumps(newest["title"]), timeout=15_000)
        assert '"errors"' not in result.inner_text()
    finally:
        context.close()
    assert not errors, errors


@pytest.mark.browser
def test_an_empty_graph_offers_examples_that_need_no_value(
    tmp_path: Path, chromium_browser: Any
) -> None:
    """No document: the picker offers only examples that need no ID, URL or name, and they
    run without errors."""
    require_assets()
    from playwright.sync_api import expect

    (tmp_path / "corpus").mkdir()
    settings = corpus_settings(tmp_path / "corpus", tmp_path / "cache", watch=False)
    with running_server(settings) as server:
        context, page, errors = _page(chromium_browser)
        try:
            page.goto(server.graphql, wait_until="load")
            query_editor = page.locator(".graphiql-query-editor .CodeMirror")
            expect(query_editor).to_contain_text("query Overview", timeout=20_000)
            picker = page.locator("select.graphsvc-examples")
            names = [name for name, _ in examples_for(None)]
            expect(picker.locator("option")).to_have_text(["Examples\u2026", *names])
            for name, query in examples_for(None):
                assert '"' not in query.replace('"""', ""), (name, query)  # no value to fill
            picker.select_option(label=names[0])
            expect(query_editor).to_contain_text("query Lists")
            page.wait_for_timeout(600)  # the operation name follows the editor after a debounce
            page.locator(".graphiql-execute-button").click()
            result = page.locator(".graphiql-response .CodeMirror")
            expect(result).to_contain_text('"totalCount": 0', timeout=15_000)
            assert '"errors"' not in result.inner_text()
        finally:
            context.close()
    assert not errors, errors
