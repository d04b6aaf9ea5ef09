"""Browser-test constants and the page watcher (the chromium fixture is in conftest.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

#: Hosts a page may reach; the browser tests block and report every other request.
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class Watch:
    """What the pages did: requests kept or blocked, console errors, dialogs."""

    def __init__(self) -> None:
        self.blocked: list[str] = []
        self.console_errors: list[str] = []
        self.dialogs: list[str] = []
        self.explorer_requests: list[tuple[str, str, str]] = []  # method, URL, resource type

    def guard(self, route: Any) -> None:
        """A route handler: localhost (and data:, blob:, about:) goes on; the rest is blocked."""
        parts = urlsplit(route.request.url)
        if parts.scheme in {"data", "blob", "about"} or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def attach(self, page: Any) -> None:
        """Record the page's console errors, uncaught errors and dialogs (dismissed)."""
        page.on(
            "console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None
        )
        page.on("pageerror", lambda exc: self.console_errors.append(f"pageerror: {exc}"))

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)


def node_point(page: Any, node_id: str) -> tuple[float, float]:
    """Where the explorer drew a node, in page coordinates."""
    point = page.evaluate(
        """(id) => {
          const cy = window.explorer.cy;
          const p = cy.getElementById(id).renderedPosition();
          const box = cy.container().getBoundingClientRect();
          return [box.left + p.x, box.top + p.y];
        }""",
        node_id,
    )
    return float(point[0]), float(point[1])


def click_node(page: Any, node_id: str, *, double: bool = False) -> None:
    """A real mouse click (or double-click) at the node's drawn centre, as a reader does, once
    the view has stopped moving (opening a node animates the zoom)."""
    page.wait_for_function("() => !window.explorer.cy.animated()")
    x, y = node_point(page, node_id)
    if double:
        page.mouse.dblclick(x, y)
    else:
        page.mouse.click(x, y)
