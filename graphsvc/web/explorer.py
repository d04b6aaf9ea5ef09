"""The explorer page at ``/``: a browser frontend that draws the news graph through ``/graphql``.

The page is plain ES modules and CSS from ``web/explorer`` (no build step) and Cytoscape.js,
pinned in ``web/package.json`` and served from ``web/node_modules`` (no CDN). Only allow-listed
files are reachable::

    /                                       web/explorer/index.html (with a CSP header)
    /explorer/<file>                        the files in EXPLORER_FILES
    /explorer/vendor/cytoscape.esm.min.mjs  node_modules/cytoscape/dist/cytoscape.esm.min.mjs

Every piece of data the page shows comes from GraphQL POSTs to ``/graphql``.
"""

from __future__ import annotations

import html
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from graphsvc.web.graphiql import INSTALL_HINT, Asset, resolve_asset_root

__all__ = [
    "EXPLORER_DIR_ENV_VAR",
    "EXPLORER_FILES",
    "LIBRARY",
    "LIBRARY_URL",
    "explorer_page",
    "explorer_routes",
    "missing_files",
    "resolve_explorer_dir",
]

#: Environment variable that overrides where the page's own files live.
EXPLORER_DIR_ENV_VAR = "GRAPHSVC_EXPLORER_DIR"

#: ``<repo>/web/explorer`` (this file is ``<repo>/graphsvc/web/explorer.py``).
DEFAULT_EXPLORER_DIR = Path(__file__).resolve().parents[2] / "web" / "explorer"

_JS = "text/javascript; charset=utf-8"
_CSS = "text/css; charset=utf-8"

#: The page's own files below ``web/explorer`` (besides index.html, served at ``/``).
EXPLORER_FILES: dict[str, str] = {
    "app.js": _JS,
    "api.js": _JS,
    "dom.js": _JS,
    "graph.js": _JS,
    "panel.js": _JS,
    "search.js": _JS,
    "export.js": _JS,
    "filters.js": _JS,
    "labels.js": _JS,
    "urlstate.js": _JS,
    "explorer.css": _CSS,
}

#: The graph library, relative to the npm asset root (``web/node_modules``).
LIBRARY = Asset("cytoscape/dist/cytoscape.esm.min.mjs", _JS)

#: Where the page imports the library from (``app.js`` imports ``./vendor/...``).
LIBRARY_URL = "/explorer/vendor/cytoscape.esm.min.mjs"

# The files change with the checkout: browsers revalidate them instead of caching blindly.
_CACHE = "no-cache"

# Same-origin only, except images: an article's image is loaded from its site, and only when
# the user asks for it (the page never fetches anything else from outside).
_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob: http: https:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

_HEADERS = {
    "Cache-Control": _CACHE,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def resolve_explorer_dir() -> Path:
    """The directory of the page's files, honouring ``$GRAPHSVC_EXPLORER_DIR`` (read per call)."""
    override = os.environ.get(EXPLORER_DIR_ENV_VAR)
    return Path(override).expanduser().resolve() if override else DEFAULT_EXPLORER_DIR


def _missing_page(missing: list[str]) -> str:
    items = "".join(f"<li><code>{html.escape(path)}</code></li>" for path in missing)
    return f"""<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>graphsvc explorer: files missing</title></head>
  <body style="font-family: system-ui, sans-serif; max-width: 46em; margin: 3em auto">
    <h1>The explorer's files are not installed</h1>
    <p>This server serves the explorer and its graph library from local files (no CDN).
    Run <code>{INSTALL_HINT}</code> in the repository root and reload.</p>
    <ul>{items}</ul>
    <p>The GraphQL API works regardless: <a href="/graphql">open the playground</a>.</p>
  </body>
</html>
"""


def missing_files() -> list[str]:
    """Paths of the page's files (and the library) that are not installed."""
    root = resolve_explorer_dir()
    missing = [
        str(root / name) for name in ("index.html", *EXPLORER_FILES) if not (root / name).is_file()
    ]
    library = resolve_asset_root() / LIBRARY.path
    if not library.is_file():
        missing.append(str(library))
    return missing


async def explorer_page(request: Request) -> Response:
    """``/``: the explorer page, or a notice saying what to install (503)."""
    missing = missing_files()
    if missing:
        return HTMLResponse(
            _missing_page(missing), status_code=503, headers={"Cache-Control": "no-store"}
        )
    page = (resolve_explorer_dir() / "index.html").read_text(encoding="utf-8")
    return HTMLResponse(page, headers={**_HEADERS, "Content-Security-Policy": _CSP})


def _file_endpoint(
    root: Callable[[], Path], relative: str, media_type: str
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        file = root() / relative
        if not file.is_file():
            return PlainTextResponse(
                f"explorer file {relative} is not installed; run `{INSTALL_HINT}`.",
                status_code=404,
                headers={"Cache-Control": "no-store"},
            )
        return FileResponse(file, media_type=media_type, headers=_HEADERS)

    endpoint.__name__ = f"explorer_file_{relative}"
    return endpoint


def explorer_routes() -> list[BaseRoute]:
    """``/``, one route per allow-listed file, and the library; nothing else is reachable."""
    routes: list[BaseRoute] = [Route("/", explorer_page, methods=["GET", "HEAD"])]
    routes += [
        Route(
            f"/explorer/{name}",
            _file_endpoint(resolve_explorer_dir, name, media_type),
            methods=["GET", "HEAD"],
        )
        for name, media_type in EXPLORER_FILES.items()
    ]
    routes.append(
        Route(
            LIBRARY_URL,
            _file_endpoint(resolve_asset_root, LIBRARY.path, LIBRARY.media_type),
            methods=["GET", "HEAD"],
        )
    )
    return routes
