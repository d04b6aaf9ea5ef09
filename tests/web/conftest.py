"""Shared by the browser tests: headless Debian chromium driven by Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from browser import CHROMIUM_ARGS
from support import require


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Any]:
    """Debian's chromium (``executable_path``), headless; skipped locally, failed in CI, when
    chromium or the playwright package is missing."""
    executable = shutil.which("chromium")
    require(
        executable is not None, "Debian's chromium is not installed (apt-get install -y chromium)"
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the environment
        require(False, "the playwright Python package is not installed (pip install playwright)")
        raise
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
