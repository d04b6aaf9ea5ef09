"""A server under test (graphsvc, or the floor) in its own process group, logging to a file."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from lib.processes import comm, free_port, process_tree, stop_group, tree_rss, vm_rss

if TYPE_CHECKING:
    from mix import Case


class ServerError(RuntimeError):
    """The server exited, or was not ready in time (its log says why)."""


@dataclass
class Server:
    """``command --port PORT`` as a process group; ready once ``/readyz`` answers 200."""

    name: str
    command: list[str]
    workers: int
    log: Path
    env: dict[str, str] = field(default_factory=dict)  # on top of os.environ
    endpoint_path: str = "/graphql"
    cwd: Path | None = None  # the process's working folder (None: this one's)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        return self.url + self.endpoint_path

    def start(self, timeout: float = 1800) -> float:
        """Launch; seconds until /readyz first answers 200."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [*self.command, "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, **self.env},
                cwd=self.cwd,
            )
        deadline = started + timeout
        with httpx.Client(timeout=60) as client:
            while True:
                self._alive(deadline)
                try:
                    if client.get(f"{self.url}/readyz").status_code == 200:
                        return time.monotonic() - started
                except httpx.TransportError:
                    pass
                time.sleep(0.05)

    def wait_workers(self, timeout: float = 600) -> None:
        """Wait until every worker (each its own pid in /readyz) answers 200: a loading
        worker answers 503. Asks on fresh connections, which land on any worker."""
        deadline = time.monotonic() + timeout
        ready: set[int] = set()
        while len(ready) < max(1, self.workers):
            self._alive(deadline)
            try:
                response = httpx.get(f"{self.url}/readyz", timeout=30)
                if response.status_code == 200:
                    ready.add(response.json()["pid"])
            except httpx.TransportError:
                pass
            time.sleep(0.05)

    def wait_answers(self, mix: Sequence[Case], timeout: float = 1800) -> None:
        """Wait until the whole mix answers 200 several times in a row on fresh connections
        (for servers whose /readyz names no worker, such as the floor)."""
        deadline = time.monotonic() + timeout
        streak = 0
        while streak < 5 * max(1, self.workers):
            self._alive(deadline)
            try:
                ok = all(
                    httpx.post(self.endpoint, json=c.body(), timeout=120).status_code == 200
                    for c in mix
                )
            except httpx.TransportError:
                ok = False
            streak = streak + 1 if ok else 0
            if not ok:
                time.sleep(0.25)

    def _alive(self, deadline: float) -> None:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise ServerError(f"{self.name} exited {self.proc.returncode}; see {self.log}")
        if time.monotonic() > deadline:
            raise ServerError(f"{self.name} was not ready in time; see {self.log}")

    def stop(self) -> None:
        stop_group(self.proc, 60)

    def rss(self) -> int:
        """VmRSS summed over the server's process tree (uvicorn, workers, ingest pools)."""
        assert self.proc is not None
        return tree_rss(self.proc.pid)

    def rss_tree(self) -> list[tuple[int, str, int]]:
        """(pid, command name, VmRSS) of every process of the server's tree."""
        assert self.proc is not None
        return [(pid, comm(pid), vm_rss(pid)) for pid in process_tree(self.proc.pid)]


@contextmanager
def serving(server: Server) -> Iterator[Server]:
    """``server``, stopped at the end (started or not)."""
    try:
        yield server
    finally:
        server.stop()


def graphsvc_command(*args: str) -> list[str]:
    """``python -m graphsvc serve ARGS`` at warning level (without --port: Server adds it)."""
    return [sys.executable, "-m", "graphsvc", "serve", *args, "--log-level", "warning"]
