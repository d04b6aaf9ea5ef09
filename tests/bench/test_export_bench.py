"""The export benchmark (``bench/export.py``) on a few hundred synthetic documents, in CI.

No timing assertions: what must hold is that every export format and the NetworkX baselines
run to the end on a graph from ``bench/synth.py``, each writes bytes, and the store line names
the number of documents asked for (the benchmark once broke unnoticed when the loader's
in-memory records changed shape).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from graphsvc.export import FORMATS
from tests.support import REPO

N = 300


def test_export_bench_runs_every_format(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "export.py"),
            str(N),
            "--corpus",
            str(tmp_path / "corpus"),
            "--no-tracemalloc",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    store = re.search(r"^store: ([\d,]+) articles", run.stdout, re.MULTILINE)
    assert store, run.stdout[-3000:]
    # synth.py writes N documents; a few may be rejected on purpose (the real corpus has some)
    assert N * 0.9 <= int(store.group(1).replace(",", "")) <= N
    rows = {}
    for line in run.stdout.splitlines():
        row = re.match(r"^(\S.*?)\s{2,}([\d.]+)\s+([\d,.]+)\s+([\d,.]+)\s+(\S+)$", line)
        if row:
            rows[row.group(1).strip()] = float(row.group(3).replace(",", ""))
    assert "failed" not in run.stdout, run.stdout[-3000:]
    expected = set(FORMATS) | {"nx.write_graphml (kind only)", "nx.write_graphml (attributed copy)"}
    assert expected <= set(rows), (sorted(rows), run.stdout[-3000:])
    assert all(rows[name] > 0 for name in expected), rows
