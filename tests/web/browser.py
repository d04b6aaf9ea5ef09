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
