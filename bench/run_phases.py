"""The scale benchmark's measured phases, each run in a child process of its own so that no
phase inherits another's memory (``python bench/run_phases.py NAME JSON-ARGS``, as run.py
does); the child's last stdout line is ``RESULT {json}``."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lib.processes import max_rss_children, max_rss_self, tree_rss, vm_rss

if TYPE_CHECKING:
    from mix import Case

BENCH = Path(__file__).resolve().parent

RESULT = "RESULT "  # a child's last stdout line: RESULT {json}


def phase_baseline(a: dict[str, Any]) -> dict[str, Any]:
    """The plain ``frontmatter.load`` loop, over all files or an evenly spaced sample."""
    import frontmatter
    from ingest import plain_loop

    corpus = Path(a["corpus"])
    files = sorted(p for p in corpus.rglob("*") if p.suffix in {".md", ".markdown", ".txt"})
    sample = a.get("sample") or 0
    if not sample or sample >= len(files):
        seconds = plain_loop(corpus)
        return {
            "seconds": seconds,
            "files": len(files),
            "files_read": len(files),
            "peak_rss_self": max_rss_self(),
        }
    chosen = files[:: max(1, len(files) // sample)][:sample]
    started = time.perf_counter()
    for path in chosen:
        frontmatter.load(path)
    measured = time.perf_counter() - started
    return {
        "seconds": measured * len(files) / len(chosen),
        "measured_seconds": measured,
        "files": len(files),
        "files_read": len(chosen),
        "scaled": True,
        "peak_rss_self": max_rss_self(),
    }


def phase_ingest(a: dict[str, Any]) -> dict[str, Any]:
    """``load_store`` into a cache folder (cold when empty, warm when filled); optionally
    write the snapshot afterwards (timed apart, after the peak was read)."""
    from graphsvc.corpus import load_store
    from graphsvc.graph.snapshot import write_snapshot

    started = time.perf_counter()
    store = load_store(Path(a["corpus"]), cache_dir=Path(a["cache"]))
    seconds = time.perf_counter() - started
    out: dict[str, Any] = {
        "seconds": seconds,
        "peak_rss_self": max_rss_self(),
        "peak_rss_children": max_rss_children(),
        "parsed": store.report.parsed,
        "cached": store.report.cached,
        "files": store.report.files,
        "rejected": len(store.report.rejected),
        "counts": store.counts.as_dict(),
    }
    if a.get("snapshot"):
        started = time.perf_counter()
        out["snapshot_bytes"] = write_snapshot(store, Path(a["snapshot"]))
        out["snapshot_seconds"] = time.perf_counter() - started
    return out


def phase_store(a: dict[str, Any]) -> dict[str, Any]:
    """Read the snapshot (RSS before and after), then the in-process mix against the floor."""
    import gc
    import statistics

    import floor
    from mix import cases
    from queries import percentile, run_once

    from graphsvc.api.context import Context
    from graphsvc.api.schema import build_schema
    from graphsvc.graph.searching import search_index
    from graphsvc.graph.snapshot import read_snapshot

    schema = build_schema(fast=True)
    standard = build_schema(fast=False)  # Strawberry's own executor, timed beside the fast path
    gc.collect()
    rss_before = vm_rss()
    started = time.perf_counter()
    store = read_snapshot(a["snapshot"])
    read_seconds = time.perf_counter() - started
    peak_read = max_rss_self()
    gc.collect()
    rss_after = vm_rss()
    counts = store.counts
    started = time.perf_counter()
    search_index(store)
    index_seconds = time.perf_counter() - started
    rss_index = vm_rss()

    mix = cases(store)
    context = Context(store)
    equal: dict[str, bool] = {}
    differences: dict[str, str] = {}
    errors: dict[str, str] = {}
    for case in mix:
        result = schema.execute_sync(
            case.query, variable_values=case.variables, context_value=context
        )
        if result.errors:
            errors[case.name] = result.errors[0].message
            equal[case.name] = False
            continue
        mine = floor.answer(store, case.name, case.variables)
        theirs = standard.execute_sync(
            case.query, variable_values=case.variables, context_value=context
        )
        equal[case.name] = result.data == mine == theirs.data and not theirs.errors
        if not equal[case.name]:
            differences[case.name] = first_difference(result.data, mine)
    if errors:
        return {"errors": errors, "equal": equal}

    def floor_once(case: Case) -> float:
        t = time.perf_counter()
        floor.answer(store, case.name, case.variables)
        return time.perf_counter() - t

    for case in mix:
        for _ in range(a["warmup"]):
            run_once(schema, case, context)
            run_once(standard, case, context)
            floor_once(case)
    times: dict[str, dict[str, list[float]]] = {
        side: {c.name: [] for c in mix} for side in ("graphql", "standard", "floor")
    }
    started = time.perf_counter()
    for _ in range(a["rounds"]):
        for case in mix:
            times["graphql"][case.name].append(run_once(schema, case, context))
            times["standard"][case.name].append(run_once(standard, case, context))
            times["floor"][case.name].append(floor_once(case))
    total = time.perf_counter() - started

    def summary(values: list[float]) -> dict[str, float]:
        return {
            "median_ms": statistics.median(values) * 1e3,
            "p99_ms": percentile(values, 99) * 1e3,
            "max_ms": max(values) * 1e3,
        }

    articles = max(1, counts.articles)
    snapshot_bytes = Path(a["snapshot"]).stat().st_size
    return {
        "read_seconds": read_seconds,
        "rss_before": rss_before,
        "rss_after": rss_after,
        "store_bytes": rss_after - rss_before,
        "bytes_per_article": (rss_after - rss_before) / articles,
        "bytes_per_node": (rss_after - rss_before) / max(1, counts.articles + counts.stubs),
        "snapshot_bytes": snapshot_bytes,
        "snapshot_bytes_per_article": snapshot_bytes / articles,
        "peak_rss_read": peak_read,
        "search_index_seconds": index_seconds,
        "rss_with_index": rss_index,
        "counts": counts.as_dict(),
        "cases": [{"name": c.name, "variables": c.variables} for c in mix],
        "equal": equal,
        "differences": differences,
        "errors": errors,
        "rounds": a["rounds"],
        "warmup": a["warmup"],
        "seconds": total,
        "graphql": {name: summary(v) for name, v in times["graphql"].items()},
        "standard": {name: summary(v) for name, v in times["standard"].items()},
        "floor": {name: summary(v) for name, v in times["floor"].items()},
        "peak_rss_self": max_rss_self(),
    }


PHASES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "baseline": phase_baseline,
    "ingest": phase_ingest,
    "store": phase_store,
}


def first_difference(a: Any, b: Any, path: str = "data") -> str:
    """Where two JSON values first differ, in words ("" when equal)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: only in {'the first' if k in a else 'the second'}"
            found = first_difference(a[k], b[k], f"{path}.{k}")
            if found:
                return found
        return ""
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items against {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return ""
    return "" if a == b else f"{path}: {json.dumps(a)[:200]} against {json.dumps(b)[:200]}"


class PhaseError(RuntimeError):
    """A child phase that did not finish."""


def run_phase(name: str, args: dict[str, Any]) -> dict[str, Any]:
    """Run one phase in a child process; its result with the tree's sampled peak RSS."""
    command = [sys.executable, str(Path(__file__).resolve()), name, json.dumps(args)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]
    tail: list[str] = []

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss(proc.pid))
            time.sleep(0.2)

    def relay() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            sys.stderr.write(f"    {line}")
            tail.append(line)
            del tail[:-40]

    threads = [threading.Thread(target=sample, daemon=True), threading.Thread(target=relay)]
    for t in threads:
        t.start()
    out, _ = proc.communicate()
    for t in threads:
        t.join(30)
    lines = [line for line in out.splitlines() if line.startswith(RESULT)]
    if proc.returncode != 0 or not lines:
        why = " (killed: out of memory?)" if proc.returncode == -signal.SIGKILL else ""
        raise PhaseError(
            f"phase {name} exited {proc.returncode}{why}: {''.join(tail[-10:]).strip()[-1500:]}"
        )
    result: dict[str, Any] = json.loads(lines[-1][len(RESULT) :])
    result["peak_rss_tree"] = max(peak[0], result.get("peak_rss_self", 0))
    return result


if __name__ == "__main__":
    phase_result = PHASES[sys.argv[1]](json.loads(sys.argv[2]))
    print(RESULT + json.dumps(phase_result, default=str), flush=True)
