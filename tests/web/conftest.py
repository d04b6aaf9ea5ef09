"""Shared by the web tests: a real server on seeds/, and headless Debian chromium driven by
Playwright for the browser tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import SEEDS, require
from tests.web.browser import CHROMIUM_ARGS
from tests.web.server import Server, corpus_settings, running_server


@pytest.fixture(scope="module")
def seeds_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real uvicorn server on seeds/ (no watching), one per test module."""
    settings = corpus_settings(SEEDS, tmp_path_factory.mktemp("cache"), watch=False)
    with running_server(settings) as server:
        yield server


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Any]:
    """Debian's chromium (``executable_path``), headless; skipped locally, failed in CI, when
    chromium or the playwright package is missing."""
    executable = shutil.which("chromium")
    require(
        executable is not None, "Debian's chromium is not installed (apt-get install -y chromium)"
    )
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:  # pragma: no cover - depends on the environment
        require(False, "the playwright Python package is not installed (pip install playwright)")
        raise
    # Each expectation follows a request and a layout, on two busy cores: 15 s, not the default 5.
    expect.set_options(timeout=15_000)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
