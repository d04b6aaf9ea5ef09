"""Start a real graphsvc server for tests: uvicorn in a thread, or `graphsvc serve` as a process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from support import stop, wait_ready

from graphsvc.settings import Settings
from graphsvc.web.app import create_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
def uvicorn_thread(app: Any, port: int, timeout: float = 60) -> Iterator[str]:
    """uvicorn serving ``app`` on 127.0.0.1:port in a background thread, once it listens (the
    graph may still be loading); its URL. Stopped at the end."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
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
    port = free_port()
    settings = Settings.from_env(**{"port": port, **overrides}) if settings is None else settings
    app = create_app(settings)
    with uvicorn_thread(app, settings.port) as url:
        wait_ready(url, watching=settings.watch and settings.snapshot is None)
        yield Server(url=url, app=app)


@contextmanager
def serve_process(
    *args: str, env: dict[str, str] | None = None, timeout: float = 180
) -> Iterator[Server]:
    """`python -m graphsvc serve ARGS --port P` as a child process; stopped at the end."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="graphsvc-serve-", suffix=".log")[1])
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "graphsvc", "serve", *args, "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )
    url = f"http://127.0.0.1:{port}"
    server = Server(url=url, process=proc, log=log)
    try:
        try:
            wait_ready(url, timeout)
        except TimeoutError:
            proc.kill()
            raise AssertionError(f"server did not start:\n{server.output()}") from None
        yield server
    finally:
        stop(proc)


def corpus_settings(corpus: Path, cache_dir: Path, **overrides: Any) -> Settings:
    """Settings for a test server on a corpus, a private cache and a free port."""
    return Settings.from_env(corpus=corpus, cache_dir=cache_dir, port=free_port(), **overrides)
