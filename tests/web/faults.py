"""For the fault tests: `graphsvc serve` as a real process in a session of its own (so that
every process it starts can be found, and stopped), polled until a condition holds."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.support import SEEDS, stop_session
from tests.web.server import Server, announced_port


@contextmanager
def serve(*args: str, env: dict[str, str] | None = None) -> Iterator[Server]:
    """`python -m graphsvc serve ARGS --port 0` in a new session, once it announces the port it
    bound (the graph may still be loading); its whole session is stopped at the end."""
    log = Path(tempfile.mkstemp(prefix="graphsvc-faults-", suffix=".log")[1])
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "graphsvc", "serve", *args, "--port", "0"],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
    try:
        port = announced_port(proc, log, 120)
        yield Server(url=f"http://127.0.0.1:{port}", process=proc, log=log)
    finally:
        if proc.poll() is None:
            stop_session(proc)
        with contextlib.suppress(ProcessLookupError):  # what a failed test left of the session
            os.killpg(proc.pid, signal.SIGKILL)
        log.unlink(missing_ok=True)


def session(sid: int) -> list[str]:
    """The live processes of session ``sid`` (pid and command line), zombies left out."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append(f"{entry} (ppid {fields[1]}): {command.decode(errors='replace')[:120]}")
    return found


def until(
    what: str, check: Callable[[], Any], server: Server | None = None, timeout: float = 90
) -> Any:
    """Poll ``check`` until it returns something truthy (that is returned); a hang guard fails
    the test after ``timeout`` seconds, with the server's output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = check()
        except httpx.TransportError:
            found = None
        if found:
            return found
        time.sleep(0.1)
    output = server.output()[-4000:] if server else ""
    raise AssertionError(f"gave up waiting for {what} after {timeout:.0f}s\n{output}")


def readyz(server: Server) -> httpx.Response:
    return httpx.get(f"{server.url}/readyz", timeout=5)


def settled(server: Server) -> Callable[[], httpx.Response | None]:
    """A check: /readyz once it no longer says "loading"."""

    def check() -> httpx.Response | None:
        response = readyz(server)
        return None if response.json().get("status") == "loading" else response

    return check


def post(server: Server, query: str) -> httpx.Response:
    return httpx.post(server.graphql, json={"query": query}, timeout=30)


def copy_seeds(folder: Path) -> Path:
    """A private copy of seeds/ (the tests change it)."""
    shutil.copytree(SEEDS, folder)
    return folder
