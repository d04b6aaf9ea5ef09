"""Paths and helpers shared by the tests."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
NEWS = SHARED / "corpus" / "news"
SEEDS = REPO / "seeds"
DATA = Path(__file__).resolve().parent / "data"
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    """Skip when something optional is missing; under CI=true it is mandatory, so fail."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (mandatory when CI=true)")
    pytest.skip(reason)


@cache
def pyyaml_frontmatter(corpus: Path) -> dict[str, Any]:
    """Each document's frontmatter parsed by PyYAML's C loader (the reference parser), by path."""
    import yaml

    out: dict[str, Any] = {}
    for path in sorted(p for p in corpus.rglob("*") if p.suffix in {".md", ".txt", ".markdown"}):
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
        fm = text.split("\n---", 1)[0].removeprefix("---\n")
        out[path.relative_to(corpus).as_posix()] = yaml.load(fm, Loader=yaml.CSafeLoader)
    return out


def stop(proc: subprocess.Popen[Any], timeout: float = 20) -> None:
    """Stop a child process: SIGTERM, then SIGKILL if it has not exited within ``timeout``."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def stop_session(proc: subprocess.Popen[Any], grace: float = 60) -> tuple[Any, Any]:
    """SIGTERM to the session ``proc`` leads, SIGKILL ``grace`` seconds later; its remaining
    output (stdout, stderr)."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        return proc.communicate(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        return proc.communicate()


def run_harness(
    args: list[str], timeout: float, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` (a bench harness) in a session of its own, output captured. Past
    ``timeout`` its session gets SIGTERM, which the harnesses unwind through their finally
    blocks, stopping the servers they started in sessions of their own (a plain timeout
    killed the harness alone and left those running); SIGKILL a minute later. Then it fails."""
    proc = subprocess.Popen(
        [sys.executable, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        cwd=cwd,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        out, err = stop_session(proc)
        raise AssertionError(
            f"{Path(args[0]).name} ran past {timeout:.0f}s and was stopped"
            f" (exit {proc.returncode}):\n{out[-3000:]}\n{err[-3000:]}"
        ) from None
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def wait_ready(
    url: str,
    timeout: float = 120,
    proc: subprocess.Popen[Any] | None = None,
    log: Path | None = None,
    *,
    watching: bool = False,
    workers: int = 1,
) -> None:
    """Wait until /readyz answers 200 (the graph is loaded) from ``workers`` worker processes
    (each loads its own), and with ``watching`` until it says the corpus is watched (a change
    written before that is missed); with ``proc``, fail at once (with its ``log``) if the
    server process exits first."""
    deadline = time.monotonic() + timeout
    ready: set[int] = set()
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            output = log.read_text() if log else ""
            raise AssertionError(f"the server exited {proc.returncode}:\n{output}")
        try:
            response = httpx.get(f"{url}/readyz", timeout=2)  # a new connection each time
            if response.status_code == 200 and (not watching or response.json()["watching"]):
                ready.add(response.json()["pid"])
                if len(ready) >= workers:
                    return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} not ready after {timeout}s")


def flip_section_byte(path: Path, where: float = 0.5) -> None:
    """Flip one byte of a snapshot inside its sections: the byte at ``where`` (0 to 1) of all
    their bytes in file order, so that only a checksum tells. A byte picked by its place in
    the file may be padding between two sections, which no checksum covers (at one length of
    a corpus's path, half-way through a kept store was)."""
    data = bytearray(path.read_bytes())
    length = int.from_bytes(data[-8:], "little")
    sections = sorted(json.loads(data[-8 - length : -8])["sections"], key=lambda s: s["offset"])
    left = int(sum(s["length"] for s in sections) * where)
    for section in sections:
        if left < section["length"]:
            data[section["offset"] + left] ^= 0xFF
            path.write_bytes(bytes(data))
            return
        left -= section["length"]
    raise ValueError(f"{path} has no section byte at {where}")


def rewrite_section(path: Path, name: str, payload: bytes) -> None:
    """Replace one section and fix its checksum: a file that is well-formed but wrong."""
    data = path.read_bytes()
    length = int.from_bytes(data[-8:], "little")
    body, trailer = data[: -8 - length], json.loads(data[-8 - length : -8])
    entry = next(s for s in trailer["sections"] if s["name"] == name)
    entry.update(
        offset=len(body),
        length=len(payload),
        raw_length=len(payload),
        zlib=False,
        sha256=hashlib.sha256(payload).hexdigest(),
    )
    raw = orjson.dumps(trailer)
    path.write_bytes(body + payload + raw + len(raw).to_bytes(8, "little"))
