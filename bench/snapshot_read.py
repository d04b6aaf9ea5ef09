"""Reading a snapshot: seconds and memory, against the previous store format, in one run.

    python bench/snapshot_read.py SNAPSHOT [--baseline-tree DIR --baseline-snapshot FILE]
                                  [--rounds R]

Each read runs in a fresh interpreter (``read_snapshot``, with the analytics a server installs
and without them, as a report-only command reads), the sides taking turns. Recorded per read:
seconds, then after a full collection and ``malloc_trim``: RSS, PSS and private dirty memory
from ``/proc/self/smaps_rollup`` (a mapped snapshot's pages are file-backed and shared: they
count in RSS, not in private memory). The baseline is another checkout of graphsvc (for
example ``git worktree add --detach /tmp/old ae97e24``, the main before the mapped format) and
a snapshot it wrote of the same corpus; it runs with the same interpreter and ``PYTHONPATH``
set to that checkout. Medians are printed per side; the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

READ = r"""
import ctypes, gc, json, sys, time
started = time.perf_counter()
from graphsvc.graph.snapshot import read_snapshot
imported = time.perf_counter()
store = read_snapshot(sys.argv[1], analytics=sys.argv[2] == "1")
read = time.perf_counter()
gc.collect()
ctypes.CDLL("libc.so.6").malloc_trim(0)
with open("/proc/self/smaps_rollup") as fh:
    mb = {l.split(":")[0]: int(l.split(":")[1].split()[0]) // 1024 for l in fh if "kB" in l}
print(json.dumps({"import_s": imported - started, "read_s": read - imported, "rss_mb": mb["Rss"],
                  "pss_mb": mb["Pss"], "private_mb": mb["Private_Dirty"]}))
"""


def read_once(tree: Path, snapshot: Path, analytics: bool) -> dict[str, float]:
    """One read in a fresh interpreter whose graphsvc is the one in ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", READ, str(snapshot), "1" if analytics else "0"],
        env=env,
        cwd="/",  # so that no graphsvc in the working folder shadows the tree's
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"reading {snapshot} with {tree} failed:\n{done.stderr[-2000:]}")
    return dict(json.loads(done.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("snapshot", type=Path, help="a snapshot this checkout wrote")
    parser.add_argument("--baseline-tree", type=Path, help="another graphsvc checkout")
    parser.add_argument("--baseline-snapshot", type=Path, help="a snapshot that one wrote")
    parser.add_argument("--rounds", type=int, default=1, help="reads per side and mode")
    args = parser.parse_args()
    sides = {"this": (Path(__file__).resolve().parents[1], args.snapshot)}
    if args.baseline_tree and args.baseline_snapshot:
        sides["baseline"] = (args.baseline_tree, args.baseline_snapshot)
    found: dict[tuple[str, bool], list[dict[str, float]]] = {}
    for _ in range(args.rounds):
        for analytics in (True, False):
            for side, (tree, snapshot) in sides.items():
                print(f"reading with {side} (analytics: {analytics})", file=sys.stderr)
                found.setdefault((side, analytics), []).append(read_once(tree, snapshot, analytics))
    print(f"load average {os.getloadavg()[0]:.1f}; medians of {args.rounds} read(s)")
    header = ("side", "analytics", "read s", "RSS MB", "PSS MB", "private MB")
    print("{:<10} {:<10} {:>8} {:>8} {:>8} {:>11}".format(*header))
    for (side, analytics), runs in found.items():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(
            f"{side:<10} {'yes' if analytics else 'no':<10} {med['read_s']:>8.3f}"
            f" {med['rss_mb']:>8.0f} {med['pss_mb']:>8.0f} {med['private_mb']:>11.0f}"
        )


if __name__ == "__main__":
    main()
