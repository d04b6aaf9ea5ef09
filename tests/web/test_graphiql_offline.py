"""GraphiQL must work with no internet: a real uvicorn server, a real Chromium.

The browser is only allowed to talk to 127.0.0.1/localhost; every other request
is aborted and recorded, and the test fails if there was any.  Skipped when
Chromium, Playwright or the npm assets (``npm ci --prefix web``) are missing,
except under ``CI=true`` where those are mandatory and the test fails instead.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import strawberry
from starlette.applications import Starlette
from starlette.routing import Route, WebSocketRoute

from graphsvc.web.graphiql import (
    ASSETS,
    ASSETS_ENV_VAR,
    CACHE_CONTROL,
    INSTALL_HINT,
    OfflineGraphQL,
    asset_routes,
    graphiql_html,
    missing_assets,
)
from tests.web.browser import LOCAL_HOSTS
from tests.web.server import uvicorn_thread

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "artifacts" / "playground.png"
IN_CI = os.environ.get("CI") == "true"

DEFAULT_QUERY = "# graphsvc offline GraphiQL test\nquery Hello {\n  hello\n}\n"
# The second example is hostile on purpose: it must survive embedding in <script>.
EXAMPLES = [
    ("Greet someone", 'query Greet {\n  hello(name: "Ada")\n}\n'),
    ("Escaping", 'query Escaping {\n  hello(name: "</script><!-- & \\u2028")\n}\n'),
]


def require(condition: bool, reason: str) -> None:
    """Skip when an optional tool is missing; under CI=true it is mandatory: fail."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (mandatory because CI=true)")
    pytest.skip(reason)


def require_assets() -> None:
    missing = missing_assets()
    require(
        not missing, f"GraphiQL npm assets missing ({', '.join(missing)}); run `{INSTALL_HINT}`"
    )


# --------------------------------------------------------------------------- app


@strawberry.type
class Query:
    @strawberry.field
    def hello(self, name: str = "graphsvc") -> str:
        return f"Hello, {name}!"


def make_app() -> Starlette:
    schema = strawberry.Schema(query=Query)
    graphql_app = OfflineGraphQL(
        schema,
        graphiql_default_query=DEFAULT_QUERY,
        graphiql_example_queries=EXAMPLES,
    )
    return Starlette(
        routes=[
            *asset_routes(),
            Route("/graphql", graphql_app),
            WebSocketRoute("/graphql", graphql_app),
        ]
    )


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A real uvicorn server on a free loopback port, in a background thread."""
    with uvicorn_thread(make_app(), timeout=15) as url:
        yield url


def http_get(url: str, accept: str = "*/*") -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:  # loopback only
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


# ------------------------------------------------------------------ HTTP checks


def test_html_has_no_external_urls_and_escapes_queries() -> None:
    require_assets()
    page = graphiql_html(default_query=DEFAULT_QUERY, example_queries=EXAMPLES)
    assert "http://" not in page and "https://" not in page
    assert re.search(r"(?i)(?:src|href)=[\"']?//", page) is None, (
        "protocol-relative URL in the page"
    )
    script = page.rsplit("<script>", 1)[1].split("</script>", 1)[0]
    assert "</" not in script and "<!--" not in script
    assert "\\u003c/script\\u003e\\u003c!--" in script
    for asset in ASSETS:
        assert f"/_assets/{asset.path}?v=" in page


def test_assets_are_allow_listed_typed_and_cached(server: str) -> None:
    require_assets()
    for asset in ASSETS:
        status, headers, body = http_get(f"{server}/_assets/{asset.path}")
        assert status == 200, asset.path
        assert headers["content-type"] == asset.media_type
        assert headers["cache-control"] == CACHE_CONTROL
        assert len(body) > 1000
    for path in (
        "graphiql/package.json",
        "react/index.js",
        "graphiql/graphiql.min.js.map",
        "graphiql/../graphql/package.json",
        "%2e%2e/package.json",
    ):
        status, _, _ = http_get(f"{server}/_assets/{path}")
        assert status == 404, path


def test_missing_assets_page_explains_the_fix(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ASSETS_ENV_VAR, str(tmp_path))
    status, headers, body = http_get(f"{server}/graphql", accept="text/html")
    assert status == 503
    assert headers["content-type"].startswith("text/html")
    text = body.decode()
    assert INSTALL_HINT in text and "graphiql/graphiql.min.js" in text
    assert "<script" not in text
    status, _, body = http_get(f"{server}/_assets/{ASSETS[0].path}")
    assert status == 404 and INSTALL_HINT in body.decode()


# --------------------------------------------------------------- browser check


@pytest.mark.browser
def test_graphiql_runs_offline_in_chromium(server: str, chromium_browser) -> None:
    require_assets()
    from playwright.sync_api import expect

    blocked: list[str] = []
    failed: list[str] = []
    console_errors: list[str] = []
    requested: list[str] = []

    context = chromium_browser.new_context(
        viewport={"width": 1440, "height": 860}, service_workers="block"
    )

    def guard(route) -> None:
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
        # A browser navigation sends "Accept: text/html,...", which is what makes
        # Strawberry call render_graphql_ide instead of executing a query.
        response = page.goto(f"{server}/graphql", wait_until="load")
        assert response is not None and response.status == 200
        assert "text/html" in response.request.headers["accept"]
        assert response.headers["content-type"].startswith("text/html")

        query_editor = page.locator(".graphiql-query-editor .CodeMirror")
        expect(query_editor).to_be_visible(timeout=20_000)
        expect(query_editor).to_contain_text("query Hello")

        # Example queries: one tab each after the default tab, plus the picker.
        tabs = page.locator(".graphiql-tab")
        expect(tabs).to_have_count(1 + len(EXAMPLES))
        expect(tabs.nth(0)).to_have_class(re.compile(r"graphiql-tab-active"))
        expect(tabs.nth(1)).to_contain_text("Greet")
        picker = page.locator("select.graphsvc-examples")
        expect(picker.locator("option")).to_have_text(
            ["Examples\u2026", *[name for name, _ in EXAMPLES]]
        )

        # Docs pane is available and shows the introspected schema.
        page.get_by_role("button", name="Show Documentation Explorer").click()
        expect(page.locator(".graphiql-doc-explorer")).to_contain_text("Query", timeout=10_000)
        page.get_by_role("button", name="Hide Documentation Explorer").click()

        # Run the default query.
        page.locator(".graphiql-execute-button").click()
        result = page.locator(".graphiql-response .CodeMirror")
        expect(result).to_contain_text('"hello": "Hello, graphsvc!"', timeout=15_000)

        # The explorer plugin is there and renders the schema.
        page.get_by_role("button", name="Show GraphiQL Explorer").click()
        explorer = page.locator(".graphiql-explorer-root")
        expect(explorer).to_be_visible(timeout=10_000)
        expect(explorer).to_contain_text("hello")

        # The hostile example tab survived the <script> embedding unchanged.
        tabs.nth(2).locator(".graphiql-tab-button").click()
        expect(query_editor).to_contain_text('hello(name: "</script><!-- & \\u2028")')

        tabs.nth(0).locator(".graphiql-tab-button").click()
        expect(query_editor).to_contain_text("query Hello")
        expect(result).to_contain_text('"hello": "Hello, graphsvc!"')

        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))

        # The picker switches to an example's tab when it is open (no duplicate), and opens
        # it in a new tab when it is not (works even when the default tabs were closed or
        # replaced by tabs restored from an earlier visit). Only contents are checked:
        # GraphiQL 4.1.2 briefly shows the new tab's title on the previously active tab
        # after any "add tab" (upstream quirk).
        picker.select_option(label=EXAMPLES[0][0])
        expect(tabs.nth(1)).to_have_class(re.compile(r"graphiql-tab-active"))
        expect(tabs).to_have_count(1 + len(EXAMPLES))
        expect(query_editor).to_contain_text('hello(name: "Ada")')
        tabs.nth(1).locator(".graphiql-tab-close").click()
        expect(tabs).to_have_count(len(EXAMPLES))
        picker.select_option(label=EXAMPLES[0][0])
        expect(tabs).to_have_count(1 + len(EXAMPLES))
        expect(tabs.last).to_have_class(re.compile(r"graphiql-tab-active"))
        expect(query_editor).to_contain_text('hello(name: "Ada")')
        tabs.last.locator(".graphiql-tab-close").click()
        expect(tabs).to_have_count(len(EXAMPLES))  # closing it activates the previous tab
        expect(query_editor).to_contain_text("query Escaping")
    finally:
        context.close()

    assert not blocked, f"requests left localhost: {blocked}"
    assert not failed, f"requests failed: {failed}"
    assert not console_errors, f"console errors: {json.dumps(console_errors, indent=1)}"
    assert any("/graphql" in url for url in requested)
    assert {urlsplit(u).path.removeprefix("/_assets/") for u in requested if "/_assets/" in u} == {
        a.path for a in ASSETS
    }


@pytest.mark.browser
def test_page_explains_instead_of_hanging_when_scripts_fail(server: str, chromium_browser) -> None:
    """Assets deleted or unreachable after the page was rendered: a clear notice, no hang."""
    require_assets()
    from playwright.sync_api import expect

    context = chromium_browser.new_context()

    def guard(route) -> None:
        parts = urlsplit(route.request.url)
        if parts.hostname in LOCAL_HOSTS and not parts.path.endswith(".js"):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    page = context.new_page()
    try:
        page.goto(f"{server}/graphql", wait_until="load")
        notice = page.get_by_role("alert")
        expect(notice).to_contain_text("could not start", timeout=10_000)
        expect(notice).to_contain_text(INSTALL_HINT)
    finally:
        context.close()
