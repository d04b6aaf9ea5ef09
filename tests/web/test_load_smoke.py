"""The load benchmark's smoke version (``bench/load.py --smoke``) in CI: no timing assertions.

5 s of wrk at 4 connections against ``graphsvc serve`` on the shared corpus with one worker and
with two, then 8 s while a third of a copy of the corpus is rewritten under the watcher; every
phase with the response cache on and off. The request mix is a few hundred distinct bodies drawn
from the corpus. What must hold: no socket error and no non-2xx anywhere; every response body is
data without errors; memory stays within the (generous, smoke) tolerance and the script reports
that check; every consistency check is one consistent snapshot and the checks see the reloads;
the final graph equals a fresh ingest.

The checks behind the exit status (memory, consistency, versions seen) are also tested on their
own below, without wrk or the corpus, so that each is known to be able to fail.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from functools import cache
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from tests.support import NEWS, REPO, require, run_harness, stop_session

MIB = 1024 * 1024
PHASES = {
    f"{phase}, cache {setting}"
    for phase in ("1 worker", "2 workers", "reload")
    for setting in ("on", "off")
}


@cache
def bench_load() -> ModuleType:
    """bench/load.py as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("bench_load", REPO / "bench" / "load.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def bench_module(name: str) -> ModuleType:
    """Another module of bench/ (bench/load.py puts bench/ on sys.path when it is loaded)."""
    bench_load()
    return importlib.import_module(name)


@pytest.mark.corpus
def test_load_smoke(tmp_path: Path) -> None:
    require(NEWS.is_dir(), f"the shared corpus is not at {NEWS}")
    require(shutil.which("wrk") is not None, "wrk is not installed: scripts/install.sh --dev")
    run = run_harness(
        [str(REPO / "bench" / "load.py"), "--smoke", "--out", str(tmp_path)],
        timeout=1800,  # a hang guard: the smoke run takes 3 to 4 minutes on a busy machine
    )
    written = sorted(tmp_path.glob("load-smoke-*.json"))
    assert written, f"load.py exited {run.returncode}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    record = json.loads(written[-1].read_text())
    results = record["results"]
    assert set(results) == PHASES, results.keys()
    # The mix varies its variables: hundreds of distinct bodies, every kind of the six-query mix.
    assert record["mix"]["all"]["distinct"] >= 300, record["mix"]
    assert {"article", "topic_page", "lists", "neighborhood", "shortest_path", "search"} <= set(
        record["mix"]
    )
    assert record["memory_tolerance"] == "max(256 MiB, 50%)", record["memory_tolerance"]
    for phase, r in results.items():
        assert r["requests"] > 0, (phase, r)
        assert r["socket_errors"] == 0, (phase, r)
        assert r["non_2xx"] == 0, (phase, r)
        assert r["graphql_errors"] == 0, (phase, r["stderr"])
        assert r["cache"] == phase.endswith("cache on"), phase
        for warmup in ("warmup", "fresh_warmup"):
            if warmup in r:
                assert r[warmup]["requests"] > 0, (phase, r[warmup])
                bad = {k: r[warmup][k] for k in ("socket_errors", "non_2xx", "graphql_errors")}
                assert not any(bad.values()), (phase, warmup, bad)
        # The memory check is made and reported, with the smoke tolerance.
        memory = r["memory"]
        assert memory["before"] > 0 and memory["after"] > 0, (phase, memory)
        assert memory["growth"] == memory["after"] - memory["before"], (phase, memory)
        assert memory["limit"] >= 256 * MIB, (phase, memory)
        assert memory["ok"] == (memory["growth"] < memory["limit"]), (phase, memory)
        assert memory["ok"], f"{phase}: memory grew beyond the tolerance: {memory}"
        reference = "of a fresh snapshot" if phase.startswith("reload") else "after the warm-up"
        assert memory["reference"] == reference, (phase, memory)
    # The cache is on where it says so: during the measured run (after the warm-up) it
    # answered some requests (the mix repeats bodies); off, it keeps nothing.
    for phase in ("1 worker, cache on", "reload, cache on"):
        counters = results[phase]["cache_counters"]
        assert counters["after"]["hits"] > counters["before"]["hits"], (phase, counters)
    for phase in ("1 worker, cache off", "reload, cache off"):
        assert results[phase]["cache_counters"]["after"] is None, results[phase]
    for setting in ("on", "off"):
        reload = results[f"reload, cache {setting}"]
        assert reload["checker_responses"] > 0, reload
        assert reload["checker_failure_count"] == 0, reload["checker_failures"]
        # Each check is its own body, answered by the snapshot being served: they see reloads.
        assert reload["reloads"] > 0 and reload["versions_seen"] >= 2, reload
        assert reload["difference_count"] == 0, reload["differences"]
        plan, before = reload["plan"], reload["files_before"]
        assert plan["edited"] + plan["deleted"] + plan["malformed"] == before // 3, reload
        assert reload["files_after"] == before - plan["deleted"] + plan["added"], reload
        assert f"of {before} files ({reload['files_after']} after)" in run.stdout, run.stdout
    assert "growth/limit" in run.stdout, run.stdout[-3000:]
    assert run.returncode == 0, run.stdout[-3000:]
    assert record["failures"] == [], record["failures"]


# --- the checks on their own ------------------------------------------------------------------
def test_memory_check_fails_over_the_tolerance() -> None:
    load = bench_load()
    flat = load.memory_check(200 * MIB, 250 * MIB, smoke=False)
    assert flat["ok"] and flat["limit"] == 64 * MIB and flat["growth"] == 50 * MIB, flat
    assert load.failures_of("1 worker, cache on", {"memory": flat}) == []
    grown = load.memory_check(200 * MIB, 270 * MIB, smoke=False)
    assert not grown["ok"], grown
    [failure] = load.failures_of("1 worker, cache on", {"memory": grown})
    assert "memory grew 70 MiB" in failure and "max(64 MiB, 25%)" in failure, failure
    # Above 256 MiB the fraction sets the limit: 25% of 1 GiB.
    assert load.memory_check(1024 * MIB, 1279 * MIB, smoke=False)["ok"]
    assert not load.memory_check(1024 * MIB, 1280 * MIB, smoke=False)["ok"]
    # The smoke tolerance is generous but still a limit.
    assert load.memory_check(200 * MIB, 450 * MIB, smoke=True)["ok"]
    assert not load.memory_check(200 * MIB, 460 * MIB, smoke=True)["ok"]
    assert not load.memory_check(1000 * MIB, 1500 * MIB, smoke=True)["ok"]


def consistent_body(alias: str, **changes: object) -> dict[str, object]:
    stats = {
        "articles": 10,
        "stubs": 5,
        "providers": 3,
        "topics": 2,
        "edges": 30,
        "relatedEdges": 10,
        "publishedByEdges": 15,
        "taggedEdges": 5,
        "files": 11,
        "rejected": 1,
        "version": "v1",
    }
    stats.update(changes)
    return {
        "data": {
            alias: "Query",
            "stats": stats,
            "articles": {"totalCount": 10},
            "everything": {"totalCount": 15},
            "topics": {
                "totalCount": 2,
                "edges": [{"node": {"articleCount": 3}}, {"node": {"articleCount": 2}}],
            },
            "providers": {"totalCount": 3},
        }
    }


def test_consistency_checks_can_fail() -> None:
    load = bench_module("reload_phase")
    ok = httpx.Response(200, json=consistent_body("check7"))
    assert load.consistency_problem(ok, "check7") is None
    # Another check's answer (a response cache answering with the wrong body) is refused.
    assert "check8" in load.consistency_problem(ok, "check8")
    mixed = httpx.Response(200, json=consistent_body("check7", articles=11))
    assert "articles list = stats.articles" in load.consistency_problem(mixed, "check7")
    assert "503" in load.consistency_problem(httpx.Response(503, text="loading"), "check7")
    # The queries sent are distinct per check.
    assert load.CONSISTENCY.replace("ALIAS", "check1") != load.CONSISTENCY.replace(
        "ALIAS", "check2"
    )


def test_a_checker_that_saw_one_version_fails() -> None:
    load = bench_load()
    [failure] = load.failures_of("reload, cache on", {"versions_seen": 1, "reloads": 3})
    assert "1 snapshot version" in failure, failure
    assert load.failures_of("reload, cache on", {"versions_seen": 4, "reloads": 3}) == []


def _servers_using(cache: Path) -> list[int]:
    """Live `graphsvc serve` processes whose command line names ``cache``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:  # not a process, or it just exited
            continue
        if b"serve" in args and str(cache).encode() in args:
            found.append(int(entry.name))
    return found


@pytest.mark.corpus
def test_a_stopped_harness_stops_its_servers(tmp_path: Path) -> None:
    """run_harness's hang guard (stop_session: SIGTERM to the harness's session) stops the
    servers the harness started in sessions of their own, not only the harness."""
    require(NEWS.is_dir(), f"the shared corpus is not at {NEWS}")
    cache = tmp_path / "cache"
    harness = subprocess.Popen(
        [
            *(sys.executable, str(REPO / "bench" / "load.py"), "--smoke", "--no-reload"),
            *("--out", str(tmp_path), "--cache-dir", str(cache)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not (servers := _servers_using(cache)):
            assert harness.poll() is None, f"the harness exited {harness.returncode} first"
            assert time.monotonic() < deadline, "the harness never started a server"
            time.sleep(0.2)
        stop_session(harness)
        code = harness.returncode
        deadline = time.monotonic() + 30
        while left := _servers_using(cache):
            assert time.monotonic() < deadline, f"servers {left} outlived the harness ({servers})"
            time.sleep(0.2)
        assert code == 128 + signal.SIGTERM  # it unwound (a plain SIGTERM death is -15)
    finally:
        if harness.poll() is None:
            os.killpg(harness.pid, signal.SIGKILL)
        for pid in _servers_using(cache):
            os.killpg(pid, signal.SIGKILL)
