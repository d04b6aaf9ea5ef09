"""Start a real graphsvc server for tests: uvicorn in a thread, or `graphsvc serve` as a process."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.support import stop, wait_ready


def free_port() -> int:
    """A port that was free a moment ago (racy: another process may take it before it is
    used). Only for tests that must name a port up front, such as `graphsvc serve --port`
    precedence tests; a server started here listens on a socket bound first (see below)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bound_socket(port: int = 0) -> socket.socket:
    """A socket bound to 127.0.0.1:port (0: any free port), for uvicorn to listen on: the port
    is held from here on, so no other process can take it in between."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


ANNOUNCED = re.compile(r"playground: http://[^\s/]+:(\d+)/graphql")


def announced_port(proc: subprocess.Popen[Any], log: Path, timeout: float) -> int:
    """The port a `graphsvc serve --port 0` process says it serves (its playground URL, logged
    once its socket is bound); fail with its output if it exits or stays silent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        output = log.read_text(errors="replace")
        if found := ANNOUNCED.search(output):
            return int(found[1])
        if proc.poll() is not None:
            raise AssertionError(f"the server exited {proc.returncode}:\n{output}")
        time.sleep(0.05)
    raise AssertionError(f"the server announced no port in {timeout:.0f} s:\n{output}")


@dataclass
class Server:
    """A running server: its base URL, and the app (in-thread servers only)."""

    url: str
    app: Any = None
    process: subprocess.Popen[str] | None = None
    log: Path | None = None  # the process's output (a file, so a chatty server never blocks)

    def output(self) -> str:
        """What the server process has printed so far."""
        return self.log.read_text(errors="replace") if self.log else ""

    @property
    def graphql(self) -> str:
        return f"{self.url}/graphql"

    def query(self, query: str, **variables: Any) -> dict[str, Any]:
        """POST a query; return the JSON body (asserting HTTP 200)."""
        response = httpx.post(
            self.graphql, json={"query": query, "variables": variables}, timeout=30
        )
        assert response.status_code == 200, response.text
        return dict(response.json())


@contextmanager
def uvicorn_thread(
    app: Any, port: int = 0, timeout: float = 60, *, sock: socket.socket | None = None
) -> Iterator[str]:
    """uvicorn serving ``app`` on ``sock``, or else on 127.0.0.1:port (0: any free port), in a
    background thread, once it listens (the graph may still be loading); its URL. Stopped at
    the end."""
    with sock or bound_socket(port) as sock:
        port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + timeout
            while not server.started:
                if time.monotonic() > deadline or not thread.is_alive():
                    raise TimeoutError(f"uvicorn did not start on port {port} in {timeout}s")
                time.sleep(0.02)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=15)


@contextmanager
def running_server(settings: Settings | None = None, **overrides: Any) -> Iterator[Server]:
    """uvicorn serving create_app(settings) in a background thread, on a free port, once the
    graph is loaded."""
    settings = Settings.from_env(**{"port": 0, **overrides}) if settings is None else settings
    with bound_socket(settings.port) as sock:
        settings = replace(settings, port=sock.getsockname()[1])  # what the app's log shows
        app = create_app(settings)
        with uvicorn_thread(app, sock=sock) as url:
            wait_ready(url, watching=settings.watch and settings.snapshot is None)
            yield Server(url=url, app=app)


@contextmanager
def serve_process(
    *args: str, env: dict[str, str] | None = None, timeout: float = 180
) -> Iterator[Server]:
    """`python -m graphsvc serve ARGS --port 0` as a child process (it binds a free port and
    announces it); stopped at the end."""
    log = Path(tempfile.mkstemp(prefix="graphsvc-serve-", suffix=".log")[1])
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "graphsvc", "serve", *args, "--port", "0"],
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )
    server = Server(url="", process=proc, log=log)
    try:
        try:
            server.url = f"http://127.0.0.1:{announced_port(proc, log, timeout)}"
            wait_ready(server.url, timeout)
        except (TimeoutError, AssertionError):
            proc.kill()
            raise AssertionError(f"server did not start:\n{server.output()}") from None
        yield server
    finally:
        stop(proc)


def corpus_settings(corpus: Path, cache_dir: Path, **overrides: Any) -> Settings:
    """Settings for a test server on a corpus and a private cache (port 0: the server binds a
    free one)."""
    return Settings.from_env(corpus=corpus, cache_dir=cache_dir, port=0, **overrides)
