"""Offline GraphiQL for graphsvc.

Strawberry's built-in GraphiQL page pulls React, GraphiQL and the explorer
plugin from a public CDN, so it hangs on "Loading..." on a machine without
internet access.  This module renders an equivalent page whose every asset is
served by graphsvc itself from ``web/node_modules`` (installed from the pinned
``web/package-lock.json`` with ``npm ci --prefix web``).

Pinned browser stack (see ``web/package.json``): GraphiQL 4.1.2 and
@graphiql/plugin-explorer 4.0.6, which are the newest releases that still ship
UMD builds loadable from plain ``<script>`` tags, on React 18.3.1 (React 19 no
longer ships UMD builds).  GraphiQL's UMD bundle already contains graphql-js,
@graphiql/react, CodeMirror and graphql-ws, and exposes them as
``GraphiQL.GraphQL`` / ``GraphiQL.React``, which the explorer's UMD build uses.

Usage::

    from starlette.applications import Starlette
    from starlette.routing import Route, WebSocketRoute
    from graphsvc.web.graphiql import OfflineGraphQL, asset_routes

    graphql_app = OfflineGraphQL(
        schema,
        graphiql_default_query="{ hello }",
        graphiql_example_queries=[("Hello", "query Hello { hello }")],
    )
    app = Starlette(routes=[
        *asset_routes(),                       # /_assets/... (allow-listed files only)
        Route("/graphql", graphql_app),
        WebSocketRoute("/graphql", graphql_app),
    ])

Or mix :class:`OfflineGraphiQLMixin` into an existing ``strawberry.asgi.GraphQL``
subclass (it only overrides ``render_graphql_ide(self, request)``).

Under a ``Mount("/api", routes=[*asset_routes(), ...])`` the routes are
relative to the mount, but the page needs the public URL: set
``graphiql_asset_prefix="/api/_assets"`` on the GraphQL app.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import os
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from strawberry.asgi import GraphQL

__all__ = [
    "ASSETS",
    "ASSETS_ENV_VAR",
    "ASSET_ROOT",
    "CACHE_CONTROL",
    "DEFAULT_ASSET_ROOT",
    "INSTALL_HINT",
    "Asset",
    "OfflineGraphQL",
    "OfflineGraphiQLMixin",
    "asset_routes",
    "graphiql_html",
    "missing_assets",
    "resolve_asset_root",
]

log = logging.getLogger(__name__)

#: Environment variable that overrides where the npm assets live.  It must point
#: at a ``node_modules`` directory (the one containing ``graphiql/``, ``react/``...).
ASSETS_ENV_VAR = "GRAPHSVC_ASSETS_DIR"

#: ``<repo>/web/node_modules`` (this file is ``<repo>/graphsvc/web/graphiql.py``).
DEFAULT_ASSET_ROOT = Path(__file__).resolve().parents[2] / "web" / "node_modules"

INSTALL_HINT = "npm ci --prefix web"

#: Versions are pinned and URLs carry a content hash, so assets never change.
CACHE_CONTROL = "public, max-age=31536000, immutable"

_JS = "text/javascript; charset=utf-8"
_CSS = "text/css; charset=utf-8"


def resolve_asset_root() -> Path:
    """Return the asset directory, honouring ``$GRAPHSVC_ASSETS_DIR``.

    Evaluated on every call (not only at import) so that tests and operators can
    point a running process at another ``node_modules`` directory.
    """
    override = os.environ.get(ASSETS_ENV_VAR)
    if override:
        return Path(override).expanduser().resolve()
    return DEFAULT_ASSET_ROOT


#: The asset root as resolved at import time (use :func:`resolve_asset_root`
#: when the environment may change after import).
ASSET_ROOT = resolve_asset_root()


@dataclass(frozen=True)
class Asset:
    """One allow-listed file, relative to the asset root (``node_modules``)."""

    path: str
    media_type: str

    @property
    def kind(self) -> str:
        return "css" if self.media_type.startswith("text/css") else "js"


# The complete allow-list: only these files are ever served, in this (script
# execution) order.  Nothing else below node_modules is reachable over HTTP.
ASSETS: tuple[Asset, ...] = (
    Asset("graphiql/graphiql.min.css", _CSS),
    Asset("@graphiql/plugin-explorer/dist/style.css", _CSS),
    Asset("react/umd/react.production.min.js", _JS),
    Asset("react-dom/umd/react-dom.production.min.js", _JS),
    Asset("graphiql/graphiql.min.js", _JS),
    Asset("@graphiql/plugin-explorer/dist/index.umd.js", _JS),
)


def missing_assets(root: Path | None = None) -> list[str]:
    """Relative paths of allow-listed assets that are not installed."""
    root = resolve_asset_root() if root is None else root
    return [a.path for a in ASSETS if not (root / a.path).is_file()]


_hash_cache: dict[tuple[str, int, int], str] = {}


def _content_hash(file: Path) -> str:
    """Short sha256 of a file, cached by (path, mtime, size)."""
    st = file.stat()
    key = (str(file), st.st_mtime_ns, st.st_size)
    digest = _hash_cache.get(key)
    if digest is None:
        digest = hashlib.sha256(file.read_bytes()).hexdigest()[:16]
        _hash_cache[key] = digest
    return digest


def _normalize_prefix(asset_prefix: str) -> str:
    prefix = "/" + asset_prefix.strip("/")
    if prefix == "/":
        raise ValueError("asset_prefix must not be empty or '/'")
    return prefix


def _js_literal(value: Any) -> str:
    """JSON-encode ``value`` so it is safe inside an inline ``<script>``.

    ``json.dumps`` output is valid JavaScript; additionally every ``<``, ``>``
    and ``&`` is written as a ``\\uXXXX`` escape so that neither ``</script>``
    nor ``<!--`` can appear in the page (a superset of replacing ``"</"`` with
    ``"<\\/"``).  ``ensure_ascii`` also escapes U+2028/U+2029.
    """
    return (
        json.dumps(value, ensure_ascii=True)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


# An empty data: icon stops the browser from requesting /favicon.ico.
_FAVICON = "data:,"

_STYLE = """
      html, body { height: 100%; margin: 0; width: 100%; overflow: hidden; }
      #graphiql { height: 100vh; display: flex; }
      .graphsvc-logo { display: flex; align-items: center; gap: 8px; font-size: 14px; }
      .graphsvc-logo select { font: inherit; padding: 2px 4px; }
      .graphsvc-notice { font-family: system-ui, sans-serif; margin: 3em auto; max-width: 46em;
        padding: 1.5em 2em; border: 2px solid #c33; border-radius: 8px; line-height: 1.5; }
      .graphsvc-notice code { background: #eee; padding: 1px 4px; border-radius: 3px; }
"""

# The bootstrap script. The page's configuration (endpoints, default query, the examples filled
# from the graph served, ...) replaces __CONFIG__ as one JSON literal, so the inline script
# differs from page to page: its CSP hash is computed for each page rendered, below.
_BOOTSTRAP = r"""
(function () {
  "use strict";
  var CONFIG = __CONFIG__;
  var mount = document.getElementById("graphiql");

  function notice(message) {
    mount.innerHTML = "";
    var box = document.createElement("div");
    box.className = "graphsvc-notice";
    box.setAttribute("role", "alert");
    box.textContent = message;
    mount.appendChild(box);
  }

  var globals = ["React", "ReactDOM", "GraphiQL", "GraphiQLPluginExplorer"];
  var absent = globals.filter(function (name) { return typeof window[name] === "undefined"; });
  if (absent.length) {
    notice("GraphiQL could not start: its JavaScript assets (" + absent.join(", ") +
           ") failed to load from " + CONFIG.assetPrefix + "/. The server operator should run `" +
           CONFIG.installHint + "` in the repository and reload this page.");
    return;
  }

  var h = React.createElement;

  function toWebSocketUrl(url) {
    var parsed = new URL(url, window.location.href);
    parsed.protocol = parsed.protocol === "https:" ? "wss:" : "ws:";
    parsed.hash = "";
    return parsed.toString();
  }

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) {
        try { return decodeURIComponent(parts[i].slice(eq + 1)); } catch (e) { return null; }
      }
    }
    return null;
  }

  var headers = {};
  var csrfToken = readCookie("csrftoken");
  if (csrfToken) { headers["x-csrftoken"] = csrfToken; }

  var fetcherOptions = {
    url: new URL(CONFIG.endpoint, window.location.href).toString(),
    headers: headers
  };
  if (CONFIG.subscriptionEndpoint) {
    fetcherOptions.subscriptionUrl = toWebSocketUrl(CONFIG.subscriptionEndpoint);
  }
  var fetcher = GraphiQL.createFetcher(fetcherOptions);
  var explorer = GraphiQLPluginExplorer.explorerPlugin();

  // The query an "Open in playground" link passes in the fragment: /graphql#query=...
  function linkedQuery() {
    return new URLSearchParams(window.location.hash.slice(1)).get("query") || null;
  }

  // "Examples" picker shown in GraphiQL's logo slot. A query (an example picked, or one linked
  // from the explorer, once the editor exists and whenever the fragment changes) opens in the
  // open tab that holds the same text, if any (so picking twice, or reloading a link, opens no
  // duplicate), else in a new tab; the first tab (Overview) is never overwritten. Works even
  // when saved tabs from an earlier visit are restored.
  function ExamplePicker() {
    var editor = GraphiQL.React.useEditorContext({ nonNull: true });
    var linked = React.useRef(null);
    var pending = React.useRef(null); // {query, index}: a new tab waiting for its query

    function openQuery(query) {
      var wanted = query.trim();
      for (var i = 0; i < editor.tabs.length; i++) {
        if ((editor.tabs[i].query || "").trim() === wanted) {
          if (i !== editor.activeTabIndex) { editor.changeTab(i); }
          return;
        }
      }
      pending.current = { query: query, index: editor.tabs.length };
      editor.addTab();
    }

    React.useEffect(function () {
      // GraphiQL fills the editor from the active tab after a tab change: the new tab's query
      // goes in once the new tab is the active one (again, until the tab holds it).
      var wait = pending.current;
      if (wait && editor.queryEditor) {
        var tab = editor.tabs[editor.activeTabIndex];
        if (editor.activeTabIndex !== wait.index || !tab) {
          if (editor.tabs.length <= wait.index) { return; } // the new tab is not there yet
          pending.current = null; // the user went elsewhere
        } else if ((tab.query || "").trim() === wait.query.trim()) {
          pending.current = null;
        } else {
          // The tab is told too: the editor's change event alone can come before GraphiQL
          // listens to it, and the tab (saved for the next visit) would keep the default.
          if (editor.queryEditor.getValue() !== wait.query) {
            editor.queryEditor.setValue(wait.query);
          }
          editor.updateActiveTabValues({ query: wait.query, operationName: null });
        }
      }
      if (!editor.queryEditor || pending.current) { return undefined; }
      function openLinked() {
        var query = linkedQuery();
        if (query && query !== linked.current) {
          linked.current = query;
          openQuery(query);
        }
      }
      openLinked();
      window.addEventListener("hashchange", openLinked);
      return function () { window.removeEventListener("hashchange", openLinked); };
    });

    if (!CONFIG.examples.length) { return null; }
    function onChange(event) {
      var index = Number(event.target.value);
      event.target.value = "";
      if (!(index >= 0)) { return; }
      openQuery(CONFIG.examples[index].query);
    }
    var options = [h("option", { key: "placeholder", value: "" }, "Examples\u2026")];
    CONFIG.examples.forEach(function (example, index) {
      options.push(h("option", { key: index, value: String(index) }, example.name));
    });
    return h("select", {
      className: "graphsvc-examples",
      "aria-label": "Open an example query in its tab",
      defaultValue: "",
      onChange: onChange
    }, options);
  }

  var defaultTabs = [{ query: CONFIG.defaultQuery }].concat(
    CONFIG.examples.map(function (example) { return { query: example.query }; })
  );

  function App() {
    return h(GraphiQL, {
      fetcher: fetcher,
      plugins: [explorer],
      defaultQuery: CONFIG.defaultQuery,
      defaultTabs: defaultTabs,
      // No `query` prop: it would replace the first tab's query. A query linked in the
      // fragment (the explorer's "Open in playground") opens in its own tab (ExamplePicker).
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      inputValueDeprecation: true
    }, h(GraphiQL.Logo, null,
         h("span", { className: "graphsvc-logo" },
           h("span", null, CONFIG.title),
           h(ExamplePicker))));
  }

  ReactDOM.createRoot(mount).render(h(App));
})();
"""


def _csp(script_sha256: str | None, websocket_origin: str | None) -> str:
    # Same-origin only: even a compromised/updated asset cannot reach out to the
    # internet from this page.  The service's own WebSocket origin is listed because
    # 'self' does not match WebSocket schemes in every browser.
    scripts = "script-src 'self'" + (f" 'sha256-{script_sha256}'" if script_sha256 else "")
    return "; ".join(
        [
            "default-src 'self'",
            scripts,
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'" + (f" {websocket_origin}" if websocket_origin else ""),
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ]
    )


#: A Host header fit to name the page's own origin in its policy (a name or address, a port).
_HOST = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


def websocket_origin(request: Request) -> str | None:
    """The ``ws://`` or ``wss://`` origin of the service as the request reached it, or None
    when its Host header is not a plain host and port."""
    host = request.headers.get("host", "")
    if not _HOST.fullmatch(host):
        return None
    return f"{'wss' if request.url.scheme == 'https' else 'ws'}://{host}"


def page_headers(policy: str) -> dict[str, str]:
    """Headers of the playground page: the policy (with what only a header can carry: the
    page may not be framed), no MIME sniffing, no referrer, no caching."""
    return {
        "Content-Security-Policy": f"{policy}; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def _missing_page(missing: Sequence[str], root: Path) -> str:
    items = "".join(f"<li><code>{html.escape(p)}</code></li>" for p in missing)
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>GraphiQL assets not installed</title>
    <style>{_STYLE}</style>
  </head>
  <body>
    <div class="graphsvc-notice" role="alert">
      <h1>GraphiQL assets are not installed</h1>
      <p>This server serves GraphiQL from local files (no CDN), but they are missing from
      <code>{html.escape(str(root))}</code>.</p>
      <p>Run <code>{INSTALL_HINT}</code> in the repository root (or point
      <code>{ASSETS_ENV_VAR}</code> at an installed <code>node_modules</code> directory)
      and reload.</p>
      <p>Missing files:</p>
      <ul>{items}</ul>
      <p>The GraphQL endpoint itself works: POST queries to it as usual.</p>
    </div>
  </body>
</html>
"""


def graphiql_html(
    *,
    endpoint: str = "/graphql",
    subscription_endpoint: str | None = "/graphql",
    default_query: str,
    example_queries: list[tuple[str, str]],
    asset_prefix: str = "/_assets",
    title: str = "graphsvc GraphiQL",
    websocket_origin: str | None = None,
) -> str:
    """Render the offline GraphiQL page.

    ``endpoint`` and ``subscription_endpoint`` may be relative (resolved against
    the page URL in the browser); ``subscription_endpoint=None`` disables
    subscriptions.  ``example_queries`` are ``(name, query)`` pairs: on a first
    visit each becomes a tab after the ``default_query`` tab, and they can
    always be re-opened from the "Examples" picker at the top right.

    If the npm assets are not installed, a static page explaining how to
    install them is returned instead (use :func:`missing_assets` to detect this).
    ``websocket_origin`` (``ws://host:port``) is the one WebSocket origin the page's policy
    allows besides its own.
    """
    return _render(
        endpoint=endpoint,
        subscription_endpoint=subscription_endpoint,
        default_query=default_query,
        example_queries=example_queries,
        asset_prefix=asset_prefix,
        title=title,
        websocket_origin=websocket_origin,
    )[0]


def _render(
    *,
    endpoint: str,
    subscription_endpoint: str | None,
    default_query: str,
    example_queries: list[tuple[str, str]],
    asset_prefix: str,
    title: str,
    websocket_origin: str | None,
) -> tuple[str, str]:
    """The page and its content security policy (also in the page, as a ``<meta>`` tag)."""
    prefix = _normalize_prefix(asset_prefix)
    root = resolve_asset_root()
    missing = missing_assets(root)
    if missing:
        return _missing_page(missing, root), _csp(None, None)

    config = {
        "endpoint": endpoint,
        "subscriptionEndpoint": subscription_endpoint,
        "defaultQuery": default_query,
        "examples": [{"name": name, "query": query} for name, query in example_queries],
        "assetPrefix": prefix,
        "installHint": INSTALL_HINT,
        "title": title,
    }
    script = _BOOTSTRAP.replace("__CONFIG__", _js_literal(config))
    script_hash = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    policy = _csp(script_hash, websocket_origin)
    csp = html.escape(policy, quote=True)

    tags_css: list[str] = []
    tags_js: list[str] = []
    for asset in ASSETS:
        url = html.escape(f"{prefix}/{asset.path}?v={_content_hash(root / asset.path)}", quote=True)
        if asset.kind == "css":
            tags_css.append(f'    <link rel="stylesheet" href="{url}" />')
        else:
            tags_js.append(f'    <script src="{url}"></script>')

    return (
        f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta http-equiv="Content-Security-Policy" content="{csp}" />
    <meta name="referrer" content="no-referrer" />
    <title>{html.escape(title)}</title>
    <link rel="icon" href="{_FAVICON}" />
{chr(10).join(tags_css)}
    <style>{_STYLE}</style>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL\u2026</div>
{chr(10).join(tags_js)}
    <script>{script}</script>
  </body>
</html>
""",
        policy,
    )


def _asset_endpoint(asset: Asset) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        file = resolve_asset_root() / asset.path
        if not file.is_file():
            return PlainTextResponse(
                f"GraphiQL asset {asset.path} is not installed; run `{INSTALL_HINT}`.",
                status_code=404,
                headers={"Cache-Control": "no-store"},
            )
        return FileResponse(
            file,
            media_type=asset.media_type,
            headers={"Cache-Control": CACHE_CONTROL, "X-Content-Type-Options": "nosniff"},
        )

    endpoint.__name__ = f"graphiql_asset_{asset.path}"
    return endpoint


def asset_routes(asset_prefix: str = "/_assets") -> list[BaseRoute]:
    """One route per allow-listed file: ``{asset_prefix}/{relative path}``.

    Nothing else under ``node_modules`` is reachable; the file location is
    resolved per request (so ``$GRAPHSVC_ASSETS_DIR`` and a later
    ``npm ci`` are picked up without a restart).
    """
    prefix = _normalize_prefix(asset_prefix)
    return [
        Route(f"{prefix}/{asset.path}", _asset_endpoint(asset), methods=["GET", "HEAD"], name=None)
        for asset in ASSETS
    ]


class OfflineGraphiQLMixin:
    """Overrides Strawberry's ``render_graphql_ide`` with the offline page.

    Put it *before* ``strawberry.asgi.GraphQL`` in the bases.  Configure it with
    the class attributes below (or use :class:`OfflineGraphQL`, which also
    accepts them as keyword arguments).  ``graphiql_endpoint=None`` means "the
    path this request came in on", which is right unless a proxy rewrites paths.
    """

    graphiql_default_query: str = "{\n  __typename\n}\n"
    graphiql_example_queries: Sequence[tuple[str, str]] = ()
    graphiql_asset_prefix: str = "/_assets"
    graphiql_endpoint: str | None = None
    graphiql_subscriptions: bool = True
    graphiql_title: str = "graphsvc GraphiQL"

    def graphiql_examples(self, request: Request) -> list[tuple[str, str]]:
        """The examples of the page served for this request (override to vary them, e.g. with
        the data served): ``graphiql_example_queries`` by default."""
        return list(self.graphiql_example_queries)

    async def render_graphql_ide(self, request: Request) -> Response:  # strawberry 0.341 signature
        root = resolve_asset_root()
        missing = missing_assets(root)
        if missing:
            log.warning(
                "GraphiQL assets missing under %s (%s); run `%s`",
                root,
                ", ".join(missing),
                INSTALL_HINT,
            )
        endpoint = self.graphiql_endpoint or request.url.path
        page, policy = _render(
            endpoint=endpoint,
            subscription_endpoint=endpoint if self.graphiql_subscriptions else None,
            default_query=self.graphiql_default_query,
            example_queries=self.graphiql_examples(request),
            asset_prefix=self.graphiql_asset_prefix,
            title=self.graphiql_title,
            websocket_origin=websocket_origin(request) if self.graphiql_subscriptions else None,
        )
        return HTMLResponse(page, status_code=503 if missing else 200, headers=page_headers(policy))


class OfflineGraphQL(OfflineGraphiQLMixin, GraphQL):
    """``strawberry.asgi.GraphQL`` whose GraphiQL page works without internet."""

    def __init__(
        self,
        *args: Any,
        graphiql_default_query: str | None = None,
        graphiql_example_queries: Sequence[tuple[str, str]] | None = None,
        graphiql_asset_prefix: str | None = None,
        graphiql_endpoint: str | None = None,
        graphiql_subscriptions: bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if graphiql_default_query is not None:
            self.graphiql_default_query = graphiql_default_query
        if graphiql_example_queries is not None:
            self.graphiql_example_queries = tuple(graphiql_example_queries)
        if graphiql_asset_prefix is not None:
            self.graphiql_asset_prefix = graphiql_asset_prefix
        if graphiql_endpoint is not None:
            self.graphiql_endpoint = graphiql_endpoint
        if graphiql_subscriptions is not None:
            self.graphiql_subscriptions = graphiql_subscriptions
