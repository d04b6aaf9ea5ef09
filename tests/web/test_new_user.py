"""The README tried as a new user would: its first command, then the URL it logs, in a browser.

The README's first command is ``scripts/install.sh && .venv/bin/graphsvc serve``. The install
half is what CI has already run (it made this checkout's ``.venv``), so the test runs the serve
half exactly as written: from the repository root, no corpus argument, in an environment with
nothing of the test runner's but ``PATH`` (a fresh ``HOME``, and only ``GRAPHSVC_PORT``, a free
port, and ``GRAPHSVC_CACHE_DIR``, a temporary folder, set). It reads the playground URL from the
log line the server prints, opens it in headless Chromium (every request that leaves localhost
blocked), runs the README's first example query in GraphiQL, checks the result pane shows the
same answer as a plain POST, saves a screenshot in artifacts/, and stops the server with Ctrl-C.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from graphsvc.web.graphiql import INSTALL_HINT, missing_assets
from tests.support import REPO, require
from tests.web.browser import LOCAL_HOSTS
from tests.web.server import free_port

README = REPO / "README.md"
ARTIFACTS = REPO / "artifacts"
SCREENSHOT = ARTIFACTS / "new-user-readme-example.png"
#: What graphsvc.web.app's lifespan logs (``playground: http://HOST:PORT/graphql (...``).
PLAYGROUND_LINE = re.compile(r"playground: (http://\S+/graphql) \(")
LOADED_LINE = "graph loaded: "
START_TIMEOUT = 120.0


def first_command() -> str:
    """The first line of the README's first ```bash block."""
    block = re.search(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert block, "README.md has no ```bash block"
    return block.group(1).splitlines()[0].strip()


def first_example_query() -> str:
    """The query of the first example under the README's "### Examples" (a curl POST)."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n### Examples\n", 1)
    assert len(section) == 2, 'README.md has no "### Examples" section'
    body = re.search(r"-d '(\{.*?\})'", section[1], re.S)
    assert body, "the first example is not a curl POST with -d '{...}'"
    query = json.loads(body.group(1))["query"]
    assert isinstance(query, str) and query.strip()
    return query


def serve_part() -> list[str]:
    """The README's first command is the install script, then serve with no corpus."""
    command = first_command()
    install, _, serve = command.partition("&&")
    assert shlex.split(install) == ["scripts/install.sh"], command
    argv = shlex.split(serve)
    assert argv == [".venv/bin/graphsvc", "serve"], command
    return argv


def test_readme_first_command_is_install_then_serve() -> None:
    serve_part()
    assert (REPO / "scripts/install.sh").is_file() and os.access(
        REPO / "scripts/install.sh", os.X_OK
    )
    # The README promises the URL it logs; the test checks the log says that (port aside).
    assert "`http://127.0.0.1:8000/graphql`" in README.read_text(encoding="utf-8")


@dataclass
class Started:
    process: subprocess.Popen[bytes]
    log: Path
    port: int

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, pattern: re.Pattern[str] | str, what: str) -> re.Match[str] | None:
        """Wait until the log shows ``pattern`` (a regex match, or a plain string)."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            out = self.output()
            if isinstance(pattern, str):
                if pattern in out:
                    return None
            elif found := pattern.search(out):
                return found
            assert self.process.poll() is None, f"serve exited before {what}:\n{out}"
            time.sleep(0.05)
        raise AssertionError(f"no {what} after {START_TIMEOUT:.0f} s:\n{self.output()}")


@pytest.fixture
def readme_server(tmp_path: Path) -> Iterator[Started]:
    argv = serve_part()
    executable = REPO / argv[0]
    require(executable.is_file(), f"{executable} is missing: run scripts/install.sh first")
    home = tmp_path / "home"
    home.mkdir()
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(home),
        "GRAPHSVC_PORT": str(port),
        "GRAPHSVC_CACHE_DIR": str(tmp_path / "cache"),
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(executable), *argv[1:]], cwd=REPO, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    started = Started(process=process, log=log, port=port)
    try:
        yield started
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


@pytest.mark.browser
def test_new_user_runs_the_readme_example_in_the_playground(
    readme_server: Started, chromium_browser: Any
) -> None:
    missing = missing_assets()
    require(
        not missing, f"GraphiQL npm assets missing ({', '.join(missing)}); run `{INSTALL_HINT}`"
    )
    from playwright.sync_api import expect

    found = readme_server.wait_for(PLAYGROUND_LINE, "playground URL in the log")
    assert found is not None
    url = found.group(1)
    assert url == f"http://127.0.0.1:{readme_server.port}/graphql", url
    # The log also says when the graph is loaded (seeds/ takes well under a second; a person
    # takes longer to open the URL). Opening the page before that is test_service_gates's.
    readme_server.wait_for(LOADED_LINE, "'graph loaded' line in the log")
    assert "loading " + str(REPO / "seeds") in readme_server.output()

    query = first_example_query()
    expected = httpx.post(url, json={"query": query}, timeout=30).json()
    assert "errors" not in expected and expected["data"], expected

    blocked: list[str] = []
    console_errors: list[str] = []
    context = chromium_browser.new_context(
        viewport={"width": 1440, "height": 900}, service_workers="block"
    )

    def guard(route: Any) -> None:
        parts = urlsplit(route.request.url)
        if parts.scheme in {"data", "blob", "about"} or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    page = context.new_page()
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: console_errors.append(f"pageerror: {exc}"))
    try:
        response = page.goto(url, wait_until="load")
        assert response is not None and response.status == 200
        editor = page.locator(".graphiql-query-editor .CodeMirror")
        expect(editor).to_be_visible(timeout=20_000)
        expect(editor).to_contain_text("query Overview")  # the first tab, as a user finds it

        # Paste the README's example over the first tab's query, and run it.
        editor.click()
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(query)
        expect(editor).not_to_contain_text("Overview")
        first_tab = page.locator(".graphiql-tab").nth(0)
        expect(first_tab).not_to_contain_text("Overview")  # GraphiQL has read the new query
        page.locator(".graphiql-execute-button").click()

        result = page.locator(".graphiql-response .CodeMirror")
        articles = expected["data"]["stats"]["articles"]
        expect(result).to_contain_text(f'"articles": {articles}', timeout=15_000)
        shown = json.loads(
            page.evaluate(
                "document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()"
            )
        )
        assert shown == expected, shown  # data and extensions, exactly as over plain HTTP
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))
    finally:
        context.close()

    assert not blocked, f"requests left localhost: {blocked}"
    assert not console_errors, f"console errors: {json.dumps(console_errors, indent=1)}"
    assert SCREENSHOT.stat().st_size > 10_000

    # Ctrl-C stops it, cleanly.
    readme_server.process.send_signal(signal.SIGINT)
    try:
        code = readme_server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"serve ignored Ctrl-C for 30 s:\n{readme_server.output()}")
    out = readme_server.output()
    assert code == 0, f"serve exited {code} on Ctrl-C:\n{out}"
    assert "Traceback" not in out and "Finished server process" in out, out
