"""The snapshot-read benchmark (``bench/snapshot_read.py``) on the seeds, in CI.

No timing assertions: both sides (here this checkout twice, as the baseline side too) read the
snapshot in fresh interpreters with and without analytics, and each row reports a read and
memory figures; a read that fails makes the benchmark fail, not print a row.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from graphsvc.graph.snapshot import write_snapshot
from graphsvc.graph.store import GraphStore
from tests.support import REPO

ROW = re.compile(r"^(this|baseline)\s+(yes|no)\s+([\d.]+)\s+(\d+)\s+(\d+)\s+(\d+)$", re.MULTILINE)


def test_snapshot_read_bench_reports_both_sides(seeds_store: GraphStore, tmp_path: Path) -> None:
    snapshot = tmp_path / "seeds.snap"
    write_snapshot(seeds_store, snapshot)
    run = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "snapshot_read.py"),
            str(snapshot),
            "--baseline-tree",
            str(REPO),
            "--baseline-snapshot",
            str(snapshot),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    rows = ROW.findall(run.stdout)
    assert sorted((side, mode) for side, mode, *_ in rows) == [
        ("baseline", "no"), ("baseline", "yes"), ("this", "no"), ("this", "yes"),
    ], run.stdout  # fmt: skip
    assert all(float(read) > 0 and int(rss) > 0 for _s, _m, read, rss, _p, _v in rows)


def test_a_failed_read_fails_the_bench(tmp_path: Path) -> None:
    bad = tmp_path / "bad.snap"
    bad.write_text("not a snapshot")
    run = subprocess.run(
        [sys.executable, str(REPO / "bench" / "snapshot_read.py"), str(bad)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
    )
    assert run.returncode != 0
    assert "not a graphsvc snapshot" in run.stderr
