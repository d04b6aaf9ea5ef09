"""Serving a snapshot: start time and memory per worker, against another checkout, in one run.

    python bench/serve_start.py SNAPSHOT [--baseline-tree DIR --baseline-snapshot FILE]
                                [--workers 1,2] [--settle S] [--traffic N]

For each worker count, each side starts ``graphsvc serve --snapshot`` (the sides taking turns,
the same interpreter, ``PYTHONPATH`` set to the side's checkout) and is timed from launch until
every worker has logged "graph loaded" and ``/readyz`` answers 200. After ``--settle``
seconds, RSS and PSS (``/proc/PID/smaps_rollup``) of every process of the server's tree are
recorded: PSS splits shared pages (a mapped snapshot's, or a forking parent's heap) among the
processes that map them, so its sum is what the server really holds; USS is what a process
holds alone. With ``--traffic N``, every analytics field is then asked N times, each round on
a new connection (so every worker answers some), and the memory is recorded again: what a
worker writes to, it copies from its parent. Then the server is stopped. ``bench/run.py`` makes the
same comparison as part of the whole scale run; this is the quick one.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from lib.processes import free_port, process_tree, smaps_rollup
from run_calls import first_calls

LOADED = "graph loaded:"
FAILED = re.compile(r"loading \S+ failed")  # web/holder.py's line when a load fails


def memory(pid: int) -> tuple[int, int, int]:
    """RSS, PSS and USS (private pages) of a process, in MB."""
    rollup = smaps_rollup(pid)
    private = rollup["Private_Clean"] + rollup["Private_Dirty"]
    return rollup["Rss"] >> 20, rollup["Pss"] >> 20, private >> 20


def tree_memory(root: int, workers: int) -> dict[str, object]:
    """The server's memory: summed over its tree, and per worker (RSS, PSS, USS in MB). With
    one worker that is the root; with more, the other processes over 40 MB (not a resource
    tracker)."""
    found = {pid: memory(pid) for pid in process_tree(root)}
    if workers == 1:
        per_worker = [found[root]]
    else:
        per_worker = sorted(m for pid, m in found.items() if pid != root and m[0] > 40)
    return {
        "rss_mb": sum(m[0] for m in found.values()),
        "pss_mb": sum(m[1] for m in found.values()),
        "root": found[root],
        "workers": per_worker,
    }


def traffic(port: int, rounds: int) -> None:
    """Every analytics field, ``rounds`` times, each round on a new connection."""
    for _ in range(rounds):
        first_calls(f"http://127.0.0.1:{port}/graphql")


def start(
    tree_dir: Path, snapshot: Path, workers: int, settle: float, rounds: int
) -> dict[str, object]:
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="serve-start-", suffix=".log")[1])
    command = [sys.executable, "-m", "graphsvc", "serve", "--snapshot", str(snapshot)]
    command += ["--workers", str(workers), "--port", str(port)]
    began = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            command,
            env={**os.environ, "PYTHONPATH": str(tree_dir)},
            cwd="/",
            stdout=subprocess.DEVNULL,
            stderr=out,
            start_new_session=True,
        )
    try:
        ready = None
        while time.perf_counter() - began < 900 and proc.poll() is None:
            text = log.read_text(errors="replace")
            if FAILED.search(text):
                break
            if text.count(LOADED) >= workers:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
                        if r.status == 200:
                            ready = time.perf_counter() - began
                            break
                except OSError:
                    pass
            time.sleep(0.1)
        if ready is None:
            raise SystemExit(f"the server did not get ready:\n{log.read_text()[-3000:]}")
        time.sleep(settle)
        out: dict[str, object] = {"ready_s": ready, "at_ready": tree_memory(proc.pid, workers)}
        if rounds:
            traffic(port, rounds)
            out["after_traffic"] = tree_memory(proc.pid, workers)
        return out
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(60)
        log.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("snapshot", type=Path, help="a snapshot this checkout wrote")
    parser.add_argument("--baseline-tree", type=Path, help="another graphsvc checkout")
    parser.add_argument("--baseline-snapshot", type=Path, help="a snapshot that one wrote")
    parser.add_argument("--workers", default="1,2", help="worker counts (default 1,2)")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds before measuring")
    parser.add_argument(
        "--traffic", type=int, default=0, metavar="N", help="then every analytics field N times"
    )
    args = parser.parse_args()
    sides = {"this": (Path(__file__).resolve().parents[1], args.snapshot)}
    if args.baseline_tree and args.baseline_snapshot:
        sides["baseline"] = (args.baseline_tree, args.baseline_snapshot)
    print("side       workers  ready s  when     tree RSS, PSS MB  root (RSS, PSS, USS)  workers")
    for workers in (int(w) for w in args.workers.split(",")):
        for side, (tree_dir, snapshot) in sides.items():
            got = start(tree_dir, snapshot, workers, args.settle, args.traffic)
            for when in ("at_ready", "after_traffic"):
                if when not in got:
                    continue
                m: Any = got[when]
                print(
                    f"{side:<10} {workers:>7} {got['ready_s']:>8.1f}  {when:<13}"
                    f" {m['rss_mb']:>6} {m['pss_mb']:>6}  {m['root']}  {m['workers']}"
                    f"  (load {os.getloadavg()[0]:.1f})",
                    flush=True,
                )


if __name__ == "__main__":
    main()
