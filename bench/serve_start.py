"""Serving a snapshot: start time and memory per worker, against another checkout, in one run.

    python bench/serve_start.py SNAPSHOT [--baseline-tree DIR --baseline-snapshot FILE]
                                [--workers 1,2] [--settle S]

For each worker count, each side starts ``graphsvc serve --snapshot`` (the sides taking turns,
the same interpreter, ``PYTHONPATH`` set to the side's checkout) and is timed from launch until
every worker has logged "graph loaded" and ``/readyz`` answers 200. After ``--settle``
seconds, RSS and PSS (``/proc/PID/smaps_rollup``) of every process of the server's tree are
recorded: PSS splits shared pages (a mapped snapshot's) among the processes that map them, so
its sum is what the server really holds. Then the server is stopped. ``bench/run.py`` makes the
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

from lib.processes import free_port, process_tree

LOADED = "graph loaded:"
FAILED = re.compile(r"loading \S+ failed")  # web/holder.py's line when a load fails


def memory(pid: int) -> tuple[int, int]:
    """RSS and PSS of a process, in MB."""
    with open(f"/proc/{pid}/smaps_rollup") as fh:
        rows = [line.split(":") for line in fh if "kB" in line]
    mb = {name: int(value.split()[0]) // 1024 for name, value in rows}
    return mb["Rss"], mb["Pss"]


def start(tree_dir: Path, snapshot: Path, workers: int, settle: float) -> dict[str, object]:
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
        found = [memory(pid) for pid in process_tree(proc.pid)]
        return {
            "ready_s": ready,
            "rss_mb": sum(r for r, _ in found),
            "pss_mb": sum(p for _, p in found),
            "workers_rss_pss": sorted((r, p) for r, p in found if r > 150),
        }
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
    args = parser.parse_args()
    sides = {"this": (Path(__file__).resolve().parents[1], args.snapshot)}
    if args.baseline_tree and args.baseline_snapshot:
        sides["baseline"] = (args.baseline_tree, args.baseline_snapshot)
    print("side       workers  ready s  RSS MB  PSS MB  workers (RSS, PSS MB)")
    for workers in (int(w) for w in args.workers.split(",")):
        for side, (tree_dir, snapshot) in sides.items():
            got = start(tree_dir, snapshot, workers, args.settle)
            print(
                f"{side:<10} {workers:>7} {got['ready_s']:>8.1f} {got['rss_mb']:>7}"
                f" {got['pss_mb']:>7}  {got['workers_rss_pss']}  (load {os.getloadavg()[0]:.1f})",
                flush=True,
            )


if __name__ == "__main__":
    main()
