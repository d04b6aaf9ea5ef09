"""`graphsvc serve --snapshot FILE --workers 2`, a real process: the workers are forked from
the process that read the snapshot, share its pages, are replaced when one dies and all stop
on SIGTERM (graphsvc/web/workers.py)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import REPO, SEEDS
from tests.web.server import Server, serve_process


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("workers")
    out = work / "seeds.snap"
    command = [sys.executable, "-m", "graphsvc", "build", str(SEEDS), "-o", str(out)]
    built = subprocess.run(
        [*command, "--cache-dir", str(work / "cache")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    return out


@pytest.fixture
def server(snapshot: Path, tmp_path: Path) -> Iterator[Server]:
    # TMPDIR: where `serve` makes the workers' metrics folder (left there when it is killed).
    with serve_process(
        "--snapshot", str(snapshot), "--workers", "2", env={"TMPDIR": str(tmp_path)}
    ) as running:
        yield running


def workers(server: Server, count: int = 2, without: int = 0, timeout: float = 120) -> list[int]:
    """The pids of ``count`` workers answering ``/readyz`` (new connections land on either),
    none of them ``without``."""
    found: set[int] = set()
    deadline = time.monotonic() + timeout
    while len(found) < count:
        assert time.monotonic() < deadline, f"only these workers answered: {found}"
        try:
            response = httpx.get(f"{server.url}/readyz", timeout=10)
        except httpx.TransportError:
            continue
        if response.status_code == 200 and response.json()["pid"] != without:
            found.add(response.json()["pid"])
    return sorted(found)


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie, exited but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def rollup(pid: int) -> dict[str, int]:
    """/proc/PID/smaps_rollup's kB figures."""
    out = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        out[name] = int(rest.split()[0])
    return out


def test_workers_are_forked_from_the_reader_and_share_its_pages(server: Server) -> None:
    assert server.process is not None
    pids = workers(server)
    for pid in pids:
        assert parent_of(pid) == server.process.pid
        memory = rollup(pid)
        # The interpreter, the app and the store came from the parent: those pages are shared
        # (a worker that imported and read on its own would share almost none of its heap).
        assert memory["Shared_Dirty"] > memory["Private_Dirty"], memory
    assert server.query("{ stats { articles } }")["data"]["stats"]["articles"] == 21
    assert server.output().count("graph loaded: 21 articles") == 2


def test_a_worker_that_dies_is_replaced(server: Server) -> None:
    assert server.process is not None
    victim, other = workers(server)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while True:  # both answering again: the other one and a new one
        now = set(workers(server, without=victim))
        if other in now and len(now) == 2:
            break
        assert time.monotonic() < deadline, now
    assert re.search(
        rf"worker \d \(pid {victim}\) exited by signal 9; starting another", server.output()
    )
    assert all(parent_of(pid) == server.process.pid for pid in now)
    assert server.query("{ stats { edges } }")["data"]["stats"]["edges"] == 122
    # The killed worker's live gauges left the sums with it (it had no shutdown to remove them).
    metrics = httpx.get(f"{server.url}/metrics", timeout=10).text
    loaded = re.findall(r'graphsvc_snapshot_loaded_timestamp_seconds\{pid="(\d+)"\}', metrics)
    assert {int(pid) for pid in loaded} == now, metrics


def test_sigterm_stops_every_worker(server: Server) -> None:
    assert server.process is not None
    pids = workers(server)
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=60) == 0
    for pid in pids:
        assert not alive(pid), f"worker {pid} outlived the server"
    assert server.output().count("Finished server process") == 2


def test_workers_stop_when_the_parent_is_killed(server: Server) -> None:
    """SIGKILL leaves the parent no chance to stop them: the kernel tells each worker."""
    assert server.process is not None
    pids = workers(server)
    server.process.kill()
    server.process.wait(timeout=30)
    deadline = time.monotonic() + 60
    while any(alive(pid) for pid in pids):
        assert time.monotonic() < deadline, f"workers {pids} outlived their parent"
        time.sleep(0.1)


CANNOT_START = """
import contextlib, sys
import uvicorn
from starlette.applications import Starlette
from graphsvc.cli.serve import STARTUP_FAILURE, serve_app
from graphsvc.web.workers import supervise
from tests.web.server import bound_socket

@contextlib.asynccontextmanager
async def broken(app):
    raise RuntimeError("this app cannot start")
    yield

config = uvicorn.Config(Starlette(lifespan=broken), lifespan="on", log_level="warning")
sock = bound_socket()
sys.exit(supervise(2, lambda: serve_app(config, sock), failed_start=STARTUP_FAILURE))
"""


def test_a_worker_that_cannot_start_stops_the_server() -> None:
    """Not forked again and again: the server stops, with the exit code for a failed start."""
    done = subprocess.run(
        [sys.executable, "-c", CANNOT_START],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
    assert "could not start: stopping the server" in done.stderr, done.stderr
    assert "starting another" not in done.stderr, done.stderr
