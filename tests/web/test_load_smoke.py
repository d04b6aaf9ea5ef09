"""The load benchmark's smoke version (``bench/load.py --smoke``) in CI: no timing assertions.

5 s of wrk at 4 connections against ``graphsvc serve`` on the shared corpus with one worker and
with two, then 8 s while a third of a copy of the corpus is rewritten under the watcher. What
must hold: no socket error and no non-2xx anywhere; every response body is data without errors;
every checked response is one consistent snapshot; the final graph equals a fresh ingest.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import NEWS, REPO, require

pytestmark = pytest.mark.corpus


def test_load_smoke(tmp_path: Path) -> None:
    require(NEWS.is_dir(), f"the shared corpus is not at {NEWS}")
    require(
        shutil.which("wrk") is not None or shutil.which("apt-get") is not None,
        "wrk is not installed (apt-get install wrk)",
    )
    run = subprocess.run(
        [sys.executable, str(REPO / "bench" / "load.py"), "--smoke", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    written = sorted(tmp_path.glob("load-smoke-*.json"))
    assert written, f"load.py exited {run.returncode}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    record = json.loads(written[-1].read_text())
    results = record["results"]
    assert set(results) == {"1 worker", "2 workers", "reload"}, results.keys()
    for phase, r in results.items():
        assert r["requests"] > 0, (phase, r)
        assert r["socket_errors"] == 0, (phase, r)
        assert r["non_2xx"] == 0, (phase, r)
        assert r["graphql_errors"] == 0, (phase, r["stderr"])
    reload = results["reload"]
    assert reload["checker_responses"] > 0 and reload["checker_failure_count"] == 0, reload[
        "checker_failures"
    ]
    assert reload["difference_count"] == 0, reload["differences"]
    assert run.returncode == 0, run.stdout[-3000:]
