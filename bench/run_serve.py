"""Serving from a snapshot, this code against an earlier commit's (the previous store format):
start time, RSS and PSS of each worker, the first call of each analytics field, and a small
query while the heaviest allowed request runs.

The baseline is ``--baseline-ref`` checked out with ``git worktree add --detach`` into a
temporary folder (removed afterwards); its snapshot is built from the same corpus by its own
code (``python -m graphsvc build`` run in that folder with ``PYTHONPATH`` on it, in this
interpreter: the dependencies are the same), reusing the run's parse cache, which that code
empties first when its cache format differs, or taken from ``--baseline-snapshot``."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from lib.processes import cmdline, comm, process_tree, smaps_rollup, tree_rss, vm_rss
from lib.reports import say
from lib.servers import Server, graphsvc_command, serving
from run_calls import first_calls, small_under_heavy

REPO = Path(__file__).resolve().parents[1]


@contextmanager
def checkout(ref: str) -> Iterator[tuple[Path, str]]:
    """``ref`` of this repository in a temporary worktree (removed at the end), and its commit."""
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--verify", f"{ref}^{{commit}}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    folder = Path(tempfile.mkdtemp(prefix="graphsvc-baseline-")) / "repo"
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", str(folder), commit],
        check=True,
        capture_output=True,
    )
    try:
        yield folder, commit
    finally:
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "remove", "--force", str(folder)],
            check=False,
            capture_output=True,
        )
        with suppress(OSError):
            folder.parent.rmdir()


def code_env(code: Path | None) -> dict[str, str]:
    """The environment that runs ``python -m graphsvc`` from ``code`` (None: this checkout)."""
    return {} if code is None else {"PYTHONPATH": str(code)}


def build_snapshot(code: Path, corpus: Path, cache: Path, out: Path) -> dict[str, Any]:
    """``graphsvc build`` by the code in ``code``: seconds, peak RSS of its process tree, and
    its JSON report (how many files it parsed and how many it took from the cache)."""
    command = [sys.executable, "-m", "graphsvc", "build", str(corpus), "-o", str(out)]
    command += ["--json", "--cache-dir", str(cache)]
    started = time.perf_counter()
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=code,  # `python -m` puts the working folder first on sys.path
        env={**os.environ, **code_env(code)},
    )
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out_text, err_text = proc.communicate()
    sampler.join(5)
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, command, out_text, err_text[-2000:])
    report: dict[str, Any] = {}
    for line in out_text.splitlines():
        if line.startswith("{"):
            report = json.loads(line)
    return {
        "seconds": time.perf_counter() - started,
        "peak_rss_tree": peak[0],
        "snapshot_bytes": out.stat().st_size,
        "report": {k: v for k, v in report.items() if not isinstance(v, list | dict)},
        "parsed": report.get("parsed", report.get("report", {}).get("parsed")),
        "cached": report.get("cached", report.get("report", {}).get("cached")),
    }


def worker_pids(server: Server, workers: int, timeout: float = 600) -> list[int]:
    """The pid of each worker, as ``/readyz`` names it (fresh connections land on any)."""
    deadline = time.monotonic() + timeout
    found: set[int] = set()
    while len(found) < workers and time.monotonic() < deadline:
        try:
            response = httpx.get(f"{server.url}/readyz", timeout=30)
            if response.status_code == 200:
                found.add(int(response.json()["pid"]))
        except (httpx.TransportError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    return sorted(found)


def memory(server: Server, workers: list[int]) -> dict[str, Any]:
    """RSS and PSS of every process of the server's tree, summed, and of each worker."""
    assert server.proc is not None
    processes = []
    for pid in process_tree(server.proc.pid):
        line = cmdline(pid)
        role = (
            "worker"
            if pid in workers
            else "resource tracker"
            if "resource_tracker" in line
            else "supervisor"
            if pid == server.proc.pid
            else "other"
        )
        rollup = smaps_rollup(pid)
        private = rollup.get("Private_Clean", 0) + rollup.get("Private_Dirty", 0)
        processes.append(
            {
                "pid": pid,
                "comm": comm(pid),
                "role": role,
                "rss": vm_rss(pid),
                "pss": rollup.get("Pss", 0),
                "uss": private,  # what the OS frees when this process leaves
            }
        )
    per_worker = [p for p in processes if p["role"] == "worker"]
    return {
        "rss_tree": sum(p["rss"] for p in processes),
        "pss_tree": sum(p["pss"] for p in processes),
        "worker_rss": [p["rss"] for p in per_worker],
        "worker_pss": [p["pss"] for p in per_worker],
        "worker_uss": [p["uss"] for p in per_worker],
        "processes": processes,
    }


def graphsvc_on(snapshot: Path, code: Path | None, workers: int, work: Path, name: str) -> Server:
    """``graphsvc serve --snapshot`` run from ``code`` (None: this checkout), without the
    response cache (every request runs GraphQL)."""
    command = graphsvc_command("--snapshot", str(snapshot), "--workers", str(workers), "--no-watch")
    env = {"GRAPHSVC_RESPONSE_CACHE_BYTES": "0", **code_env(code)}
    return Server(name, command, workers, work / f"{name}-w{workers}.log", env, cwd=code or REPO)


@dataclass(frozen=True)
class Side:
    """What one side serves: its snapshot, by which code (None: this checkout)."""

    key: str  # "current" or "baseline"
    name: str
    snapshot: Path
    code: Path | None

    def server(self, workers: int, work: Path) -> Server:
        return graphsvc_on(self.snapshot, self.code, workers, work, self.name)


def measure_started(
    server: Server, side: Side, workers: int, args: argparse.Namespace
) -> dict[str, Any]:
    """On a server just started: its memory once every worker answers; with one worker, the
    first analytics calls and the small query under the heaviest request too; with more, the
    memory again after every analytics field was asked three times on new connections."""
    started = time.monotonic()
    pids = worker_pids(server, workers)
    out: dict[str, Any] = {"workers_seen": len(pids)}
    out["all_workers_after_ready_seconds"] = time.monotonic() - started
    time.sleep(1)  # the workers settle (a loading worker may still be freeing)
    out["memory_ready"] = memory(server, pids)
    if workers == 1:
        say(f"  {side.name}: first call of each analytics field")
        out["first_calls"] = first_calls(server.endpoint)
        say(f"  {side.name}: small query under the heaviest request, {args.heavy_seconds} s")
        out["under_heavy"] = small_under_heavy(server.endpoint, args.heavy_seconds)
        out["memory_after"] = memory(server, pids)
    else:  # forked workers share their parent's pages until they write to them: after use too
        say(f"  {side.name}: each analytics field 3 times, on new connections")
        for _ in range(3):
            first_calls(server.endpoint)
        out["memory_after"] = memory(server, pids)
    return out


def measure_sides(sides: list[Side], args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Each side: a first start (which builds the search index beside the snapshot when it is
    missing); then per worker count ``--starts`` timed starts, the sides taking turns so that
    the machine's load hits both alike (the median is kept), the last one measured further."""
    out: dict[str, dict[str, Any]] = {side.key: {} for side in sides}
    for side in sides:
        say(f"  {side.name}: first start (builds the search index when missing)")
        with serving(side.server(1, work)) as server:
            out[side.key]["first_start_seconds"] = server.start()
    for workers in args.workers:
        times: dict[str, list[float]] = {side.key: [] for side in sides}
        for turn in range(args.starts):
            for side in sides:
                say(f"  {side.name}, {workers} worker(s): start {turn + 1}/{args.starts}")
                with serving(side.server(workers, work)) as server:
                    times[side.key].append(server.start())
                    if turn == args.starts - 1:
                        found = measure_started(server, side, workers, args)
                        found["ready_seconds"] = statistics.median(times[side.key])
                        found["ready_runs"] = times[side.key]
                        out[side.key][str(workers)] = found
    return out


def run_serve(
    corpus: Path, snapshot: Path, cache: Path, args: argparse.Namespace, work: Path
) -> dict[str, Any]:
    """This code and the baseline's, each from its own snapshot of the same corpus."""
    out: dict[str, Any] = {"baseline_ref": args.baseline_ref}
    with checkout(args.baseline_ref) as (code, commit):
        out["baseline_commit"] = commit
        if args.baseline_snapshot:
            base = Path(args.baseline_snapshot)
            out["baseline_build"] = {"given": str(base), "snapshot_bytes": base.stat().st_size}
        else:
            base = work / "baseline.snapshot"
            say(f"  baseline {commit[:7]}: graphsvc build (its own code, the run's parse cache)")
            out["baseline_build"] = build_snapshot(code, corpus, cache, base)
        sides = [
            Side("current", "graphsvc", snapshot, None),
            Side("baseline", f"baseline-{commit[:7]}", base, code),
        ]
        out |= measure_sides(sides, args, work)
    return out
