"""Scale benchmark: ingest, start, memory and latency at 10k, 100k (and 1M) synthetic documents.

    python bench/run.py [--sizes 10000,100000] [--quick] [--corpus-dir DIR] [--seed S]
                        [--duration S] [--connections C] [--threads T] [--workers 1,2]
                        [--rounds R] [--baseline-files K] [--out DIR] [--force]

For each size N, on a synthetic corpus (``bench/synth.py``, generated once per N and seed under
``--corpus-dir`` and reused), every figure is measured next to its baseline, in the same run:

1. **Ingest**, each phase in its own child process so that no phase inherits another's memory:
   the baseline, a plain ``frontmatter.load()`` loop over the same files (``bench/ingest.py``;
   ``--baseline-files K`` reads K evenly spaced files and scales the time to all of them);
   the **cold** ingest, ``load_store`` with an empty parse cache (the OS page cache is warm:
   the baseline has just read the same files); the **warm** ingest, the same again with the
   parse cache and the kept store filled; then the store is written as a snapshot, as
   ``graphsvc build`` does. **Peak RSS** of a phase is the largest sum of VmRSS over the child's
   process tree (the ingest's process pool included), sampled every 0.2 s; the child's own
   ``getrusage(RUSAGE_SELF).ru_maxrss`` is recorded too.
2. **Store and in-process latency**, in a fresh child: the RSS of an interpreter with graphsvc,
   the schema and the floor imported, then ``read_snapshot`` (the in-process warm start), then
   the RSS again after ``gc.collect()``. **Bytes per article** = that RSS difference divided by
   the number of (non-stub) articles: the whole store (stubs, providers, topics, edges, indexes)
   charged to the articles, and an upper bound, since memory freed while reading may stay with
   the allocator. The snapshot file's size per article and the corpus's bytes per document on
   disk are given beside it. Then the six-query mix (``bench/mix.py``) runs ``--rounds`` times
   through ``schema.execute_sync`` (``bench/queries.py``) with the fast execution path (what
   the service runs) and with Strawberry's standard executor, interleaved with the floor's
   functions (``bench/floor.py``) for the same operations: median and p99 of each. Before the
   timing, each operation's floor answer must equal the GraphQL ``data`` of both paths.
3. **HTTP**, for each ``--workers`` count: ``graphsvc serve --snapshot`` (warm start = seconds
   from launch until ``/readyz`` answers 200, which includes building the search index), then
   the floor, a bare Starlette route over the same snapshot (``uvicorn floor:app``, started the
   same way), and graphsvc without its response cache twice: with the fast path and with the
   standard executor (``GRAPHSVC_FAST_PATH=false``), side by side. Each answers every
   operation once (the floor's data must equal graphsvc's, the standard path's answers the
   fast path's), then
   wrk (``bench/load.py``'s wrapper of ``../shared/tools/wrk-post.lua``, which checks every
   body) runs ``--duration`` seconds per operation for the small ones (article, topic page,
   lists) and once over the whole six-query mix. Recorded: req/s, p50/p90/p99/max latency,
   socket errors, non-2xx, GraphQL errors, process-tree RSS; graphsvc/floor throughput ratios.

Targets (marked met or not; timing targets apply up to 100k documents): cold ingest < 60 s,
warm start from a snapshot < 10 s, RSS < 3 GiB, in-process p99 < 20 ms per operation, small
queries over HTTP >= half the floor's throughput. Misses are reported, not failures. The exit
status is 1 when something is wrong rather than slow: a phase that crashed, a socket error, a
non-2xx, a GraphQL error, or a floor answer that differs from GraphQL's.

Sizes whose projected peak memory (peak RSS per document at the largest size measured so far,
in this run or in earlier ``--out`` results, else 110 KB per document; times N, times 1.25) is
over the machine's available memory, or whose corpus would not fit on disk, are refused with
the reason (``--force`` runs them anyway). ``--quick`` is the CI smoke run (10k documents,
3 s of wrk at 4 connections, 20 rounds, a 2,000-file baseline sample): no timing assertions.

A table is printed per size, and ``run-<N>-<timestamp>.json`` written to ``--out``
(``bench/results/``, git-ignored). Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

if TYPE_CHECKING:
    from mix import Case

GIB = 1024**3
MIB = 1024**2
SAFETY = 1.25  # projected peak memory = measured per document x N x this
DEFAULT_PEAK_PER_DOC = 110_000  # bytes: a 100k cold ingest peaked at 9.9-10.7 GB (README)
DEFAULT_CORPUS_PER_DOC = 27_000  # bytes on disk per synthetic document
DEFAULT_WORK_PER_DOC = 20_000  # bytes: snapshot, kept store and parse cache per document
SMALL = ("article", "topic_page", "lists")  # the small queries compared with the floor
TARGET_SIZE = 100_000  # the targets are stated for corpora up to this size
RESULT = "RESULT "  # a child's last stdout line: RESULT {json}
DOCUMENT_SUFFIXES = (".md", ".markdown", ".txt")


def say(message: str) -> None:
    """A progress line on stderr."""
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# --- memory -----------------------------------------------------------------------------------
def vm_rss(pid: int | None = None) -> int:
    """Current resident bytes of one process (this one by default)."""
    from load import _vm_rss

    return _vm_rss(os.getpid() if pid is None else pid)


def tree_rss(pid: int) -> int:
    """VmRSS summed over a process and all its descendants."""
    from load import _process_tree, _vm_rss

    return sum(_vm_rss(p) for p in _process_tree(pid))


def meminfo(field_name: str) -> int:
    """A /proc/meminfo figure in bytes (0 when unknown)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(f"{field_name}:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def max_rss_self() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def max_rss_children() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


# --- child phases (run as: run.py --phase NAME --phase-args JSON) ------------------------------
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
    command = [sys.executable, str(Path(__file__).resolve()), "--phase", name]
    command += ["--phase-args", json.dumps(args)]
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


# --- corpora ----------------------------------------------------------------------------------
def corpus_path(root: Path, n: int, seed: int) -> Path:
    return root / f"synth-{n}-seed{seed}"


def corpus_stats(path: Path) -> tuple[int, int]:
    """Documents and their bytes on disk."""
    count = size = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            if name.endswith(DOCUMENT_SUFFIXES):
                count += 1
                size += os.stat(os.path.join(dirpath, name)).st_size
    return count, size


def ensure_corpus(root: Path, n: int, seed: int) -> tuple[Path, float | None]:
    """The synthetic corpus of n documents (generated once per n and seed), and the seconds
    its generation took (None when reused)."""
    final = corpus_path(root, n, seed)
    if final.is_dir():
        say(f"reusing {final}")
        return final, None
    partial = final.with_name(final.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    root.mkdir(parents=True, exist_ok=True)
    say(f"generating {n:,} documents into {final} (bench/synth.py, seed {seed})")
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            str(BENCH / "synth.py"),
            str(n),
            str(partial),
            "--seed",
            str(seed),
            "--corpus",
            str(root / "no-real-corpus"),  # skip measuring the real corpus beside it
        ],
        check=True,
        stdout=sys.stderr,
    )
    partial.rename(final)
    return final, time.perf_counter() - started


# --- projections ------------------------------------------------------------------------------
@dataclass
class Measured:
    """Per-document figures from the largest size measured so far (for projections)."""

    documents: int = 0
    peak_per_doc: float = 0.0
    corpus_per_doc: float = 0.0
    work_per_doc: float = 0.0
    source: str = ""

    def update(self, record: dict[str, Any], source: str) -> None:
        docs = record.get("corpus", {}).get("documents") or 0
        peaks = [
            record.get("ingest", {}).get(k, {}).get("peak_rss_tree") or 0
            for k in ("cold", "warm", "baseline")
        ]
        peaks.append(record.get("store", {}).get("peak_rss_tree") or 0)
        if docs > self.documents and max(peaks) > 0:
            self.documents = docs
            self.peak_per_doc = max(peaks) / docs
            self.corpus_per_doc = (record["corpus"].get("bytes") or 0) / docs
            snap = record.get("store", {}).get("snapshot_bytes") or 0
            self.work_per_doc = 2.5 * snap / docs  # snapshot, kept store, parse cache
            self.source = f"{source} ({docs:,} documents)"


def previous_results(out: Path) -> Measured:
    measured = Measured()
    for path in sorted(out.glob("run-*.json")):
        try:
            measured.update(json.loads(path.read_text()), path.name)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
    return measured


def refusal(n: int, measured: Measured, corpus_root: Path, seed: int) -> str | None:
    """Why size n would not fit this machine (None when it would)."""
    per_doc = measured.peak_per_doc or DEFAULT_PEAK_PER_DOC
    source = measured.source or "the README's 100k figure (no measurement yet)"
    projected = per_doc * n * SAFETY
    available = meminfo("MemAvailable")
    if available and projected > available:
        return (
            f"projected peak RSS {projected / GIB:.1f} GiB ({per_doc / 1e3:.0f} KB per document,"
            f" from {source}, x {n:,} x {SAFETY}) exceeds the {available / GIB:.1f} GiB available"
            f" (of {meminfo('MemTotal') / GIB:.1f} GiB; the peak is the cold ingest's):"
            " stop here, or run with --force"
        )
    need = (measured.work_per_doc or DEFAULT_WORK_PER_DOC) * n * SAFETY
    if not corpus_path(corpus_root, n, seed).is_dir():
        need += (measured.corpus_per_doc or DEFAULT_CORPUS_PER_DOC) * n * SAFETY
    corpus_root.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(corpus_root).free
    if need > free:
        return (
            f"projected disk use {need / GIB:.1f} GiB (corpus, snapshot, caches) exceeds the"
            f" {free / GIB:.1f} GiB free under {corpus_root}; run with --force to try anyway"
        )
    return None


# --- services ---------------------------------------------------------------------------------
@dataclass
class Service:
    """A server under test (graphsvc or the floor) in its own process group."""

    name: str
    command: list[str]
    workers: int
    endpoint_path: str
    log: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        return self.url + self.endpoint_path

    def start(self, mix: Sequence[Case], timeout: float = 1800) -> dict[str, float]:
        """Launch; seconds until /readyz answers 200, and until every worker answers the mix."""
        import httpx

        self.log.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [*self.command, "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, **self.env},
            )
        deadline = started + timeout
        ready = None
        streak = 0
        with httpx.Client(timeout=60) as client:
            while ready is None:
                self._alive(deadline)
                try:
                    if client.get(f"{self.url}/readyz").status_code == 200:
                        ready = time.monotonic() - started
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        # With several workers, each must have loaded: ask on fresh connections until the
        # whole mix answers 200 several times in a row (a loading worker answers 503 or waits).
        while streak < 5 * max(1, self.workers):
            self._alive(deadline)
            try:
                ok = all(
                    httpx.post(self.endpoint, json=c.body(), timeout=120).status_code == 200
                    for c in mix
                )
            except httpx.TransportError:
                ok = False
            streak = streak + 1 if ok else 0
            if not ok:
                time.sleep(0.25)
        return {"ready_seconds": ready, "all_ready_seconds": time.monotonic() - started}

    def _alive(self, deadline: float) -> None:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise PhaseError(f"{self.name} exited {self.proc.returncode}; see {self.log}")
        if time.monotonic() > deadline:
            raise PhaseError(f"{self.name} was not ready in time; see {self.log}")

    def stop(self) -> None:
        from load import stop_group

        stop_group(self.proc, 60)

    def rss(self) -> int:
        assert self.proc is not None
        return tree_rss(self.proc.pid)


@contextmanager
def serving(service: Service) -> Iterator[Service]:
    try:
        yield service
    finally:
        service.stop()


def graphsvc_service(
    snapshot: Path,
    workers: int,
    work: Path,
    *,
    response_cache: bool = True,
    fast_path: bool = True,
) -> Service:
    """graphsvc from the snapshot; ``response_cache=False`` turns its response cache off, so
    that every request runs through GraphQL (the engine's own throughput); ``fast_path=False``
    runs Strawberry's standard executor instead of the fast path (``GRAPHSVC_FAST_PATH``)."""
    command = [sys.executable, "-m", "graphsvc", "serve", "--snapshot", str(snapshot)]
    command += ["--workers", str(workers), "--log-level", "warning", "--no-watch"]
    name = "graphsvc" if response_cache else "graphsvc-uncached"
    env = {} if response_cache else {"GRAPHSVC_RESPONSE_CACHE_BYTES": "0"}
    if not fast_path:
        name += "-standard"
        env["GRAPHSVC_FAST_PATH"] = "false"
    return Service(name, command, workers, "/graphql", work / f"{name}-w{workers}.log", env)


def floor_service(snapshot: Path, workers: int, work: Path) -> Service:
    command = [sys.executable, "-m", "uvicorn", "floor:app", "--app-dir", str(BENCH)]
    command += ["--host", "127.0.0.1", "--workers", str(workers), "--log-level", "warning"]
    path = os.pathsep.join(p for p in (str(BENCH), os.environ.get("PYTHONPATH", "")) if p)
    env = {"GRAPHSVC_FLOOR_SNAPSHOT": str(snapshot), "PYTHONPATH": path}
    return Service("floor", command, workers, "/floor", work / f"floor-w{workers}.log", env)


def floor_cases(mix: Sequence[Case]) -> list[Case]:
    """The same operations as floor requests: ``{"operation": name, "variables": ...}``."""
    from mix import Case

    @dataclass(frozen=True)
    class FloorCase(Case):
        def body(self) -> dict[str, Any]:
            return {"operation": self.name, "variables": self.variables}

    return [FloorCase(c.name, c.query, c.variables) for c in mix]


def measure_service(
    service: Service, mix: Sequence[Case], args: argparse.Namespace, work: Path
) -> dict[str, Any]:
    """Start, answer each operation once, wrk per small operation and over the whole mix."""
    import httpx
    from load import Wrk, free_port

    service.port = free_port()
    say(f"  {service.name}, {service.workers} worker(s): starting")
    with serving(service):
        start = service.start(mix)
        for case in [*mix] * 3:  # warm every worker's caches
            httpx.post(service.endpoint, json=case.body(), timeout=120)
        rss_before = service.rss()
        answers: dict[str, Any] = {}
        for case in mix:
            response = httpx.post(service.endpoint, json=case.body(), timeout=120)
            answers[case.name] = {"status": response.status_code, "body": response.json()}
        runs: dict[str, dict[str, Any]] = {}
        plan = [(name, [c for c in mix if c.name == name]) for name in SMALL]
        plan.append(("mix", list(mix)))
        for name, chosen in plan:
            say(f"  {service.name}, {service.workers} worker(s): wrk {name} {args.duration}s")
            runs[name] = (
                Wrk(
                    service.endpoint,
                    chosen,
                    work / f"wrk-{service.name}-w{service.workers}-{name}",
                    args.duration,
                    args.connections,
                    args.threads,
                )
                .start()
                .result()
            )
        rss_after = service.rss()
    return {
        **start,
        "rss_before": rss_before,
        "rss_after": rss_after,
        "answers": answers,
        "runs": runs,
    }


def answer_problems(name: str, answers: dict[str, Any]) -> list[str]:
    """Answers that are not 200 with data and without errors."""
    out = []
    for op, a in answers.items():
        body = a["body"]
        if (
            a["status"] != 200
            or not isinstance(body, dict)
            or body.get("errors")
            or "data" not in body
        ):
            out.append(f"{name} {op}: {a['status']} {json.dumps(body)[:300]}")
    return out


def run_http(
    snapshot: Path, cases_json: list[dict[str, Any]], args: argparse.Namespace, work: Path
) -> dict[str, Any]:
    from mix import QUERIES, Case

    mix = [Case(c["name"], QUERIES[c["name"]], c["variables"]) for c in cases_json]
    out: dict[str, Any] = {}
    for workers in args.workers:
        g = measure_service(graphsvc_service(snapshot, workers, work), mix, args, work)
        u = measure_service(
            graphsvc_service(snapshot, workers, work, response_cache=False), mix, args, work
        )
        s = measure_service(
            graphsvc_service(snapshot, workers, work, response_cache=False, fast_path=False),
            mix,
            args,
            work,
        )
        f = measure_service(floor_service(snapshot, workers, work), floor_cases(mix), args, work)
        equal, differences = {}, {}
        for case in mix:
            mine = f["answers"][case.name]["body"].get("data")
            theirs = g["answers"][case.name]["body"].get("data")
            equal[case.name] = mine is not None and mine == theirs
            if not equal[case.name]:
                differences[case.name] = first_difference(theirs, mine)
        out[str(workers)] = {
            "graphsvc": g,
            "graphsvc_uncached": u,
            "graphsvc_standard": s,
            "floor": f,
            "equal": equal,
            "differences": differences,
            "answer_problems": answer_problems("graphsvc", g["answers"])
            + answer_problems("graphsvc-uncached", u["answers"])
            + answer_problems("graphsvc-uncached-standard", s["answers"])
            + answer_problems("floor", f["answers"]),
        }
        for case in mix:  # the standard path's answers are the fast path's
            if s["answers"][case.name]["body"] != u["answers"][case.name]["body"]:
                equal[case.name] = False
                differences[case.name] = "the standard path's answer differs from the fast path's"
        for side in (g, u, s, f):  # keep the JSON small: the answers were compared
            for a in side["answers"].values():
                a["bytes"] = len(json.dumps(a.pop("body")))
    return out


# --- one size ---------------------------------------------------------------------------------
def run_size(n: int, args: argparse.Namespace, record: dict[str, Any]) -> None:
    """Every phase for n documents, filling ``record`` as they finish (raises PhaseError)."""
    corpus, generated = ensure_corpus(args.corpus_dir, n, args.seed)
    documents, size = corpus_stats(corpus)
    record["corpus"] = {
        "path": str(corpus),
        "documents": documents,
        "bytes": size,
        "bytes_per_document": size / max(1, documents),
        "generated_seconds": generated,
    }
    with tempfile.TemporaryDirectory(prefix="graphsvc-run-") as tmp:
        work = Path(tmp)
        cache, snapshot = work / "cache", work / "store.snapshot"
        ingest: dict[str, Any] = {}
        record["ingest"] = ingest
        sample = f" ({args.baseline_files:,}-file sample)" if args.baseline_files else ""
        say(f"[{n:,}] baseline: frontmatter.load loop{sample}")
        ingest["baseline"] = run_phase(
            "baseline", {"corpus": str(corpus), "sample": args.baseline_files}
        )
        say(f"[{n:,}] cold ingest (empty parse cache)")
        ingest["cold"] = run_phase("ingest", {"corpus": str(corpus), "cache": str(cache)})
        say(f"[{n:,}] warm ingest (parse cache filled), then the snapshot")
        ingest["warm"] = run_phase(
            "ingest", {"corpus": str(corpus), "cache": str(cache), "snapshot": str(snapshot)}
        )
        shutil.rmtree(cache, ignore_errors=True)
        say(f"[{n:,}] snapshot read, store size, in-process mix ({args.rounds} rounds)")
        store = run_phase(
            "store", {"snapshot": str(snapshot), "rounds": args.rounds, "warmup": args.warmup}
        )
        if store.get("errors"):
            record["in_process_errors"] = store["errors"]
            raise PhaseError(f"GraphQL errors in-process: {store['errors']}")
        record["store"] = store
        say(f"[{n:,}] HTTP: graphsvc and the floor, workers {args.workers}")
        try:
            record["http"] = run_http(snapshot, record["store"]["cases"], args, work)
        finally:
            record["logs"] = {p.name: p.read_text()[-3000:] for p in work.glob("*.log")}


def failures_of(record: dict[str, Any]) -> list[str]:
    out = []
    if record.get("error"):
        out.append(record["error"])
    store = record.get("store", {})
    for op, ok in store.get("equal", {}).items():
        if not ok:
            out.append(
                f"in-process {op}: floor differs from GraphQL: {store['differences'].get(op)}"
            )
    for workers, h in record.get("http", {}).items():
        out += [f"{workers} worker(s): {p}" for p in h["answer_problems"]]
        for op, ok in h["equal"].items():
            if not ok:
                out.append(f"HTTP {workers}w {op}: floor differs: {h['differences'].get(op)}")
        for side in ("graphsvc", "graphsvc_uncached", "graphsvc_standard", "floor"):
            for run, r in h.get(side, {}).get("runs", {}).items():
                for k in ("socket_errors", "non_2xx", "graphql_errors"):
                    if r.get(k):
                        out.append(f"HTTP {workers}w {side} {run}: {r[k]} {k}")
    return out


# --- the table --------------------------------------------------------------------------------
@dataclass
class Row:
    figure: str
    value: str
    baseline: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "figure": self.figure,
            "value": self.value,
            "baseline": self.baseline,
            "ratio": self.ratio,
            "target": self.target,
            "met": self.met,
        }


def _s(x: float | None) -> str:
    return "—" if x is None else f"{x:,.2f} s" if x < 100 else f"{x:,.0f} s"


def _b(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x / GIB:.2f} GiB" if x >= GIB else f"{x / MIB:,.0f} MiB"


def _ratio(value: float | None, baseline: float | None) -> float | None:
    return None if not value or not baseline else value / baseline


def rows_of(record: dict[str, Any]) -> list[Row]:
    n = record["size"]
    targeted = n <= TARGET_SIZE
    rows: list[Row] = []

    def target(text: str, ok: bool | None) -> tuple[str, bool | None]:
        return (text, ok) if targeted else (f"({text} at ≤100k)", None)

    ingest = record.get("ingest", {})
    base = ingest.get("baseline", {})
    plain = base.get("seconds")
    plain_label = f"{_s(plain)} frontmatter loop" + (" (scaled)" if base.get("scaled") else "")
    for key, label, goal in (("cold", "cold ingest", 60.0), ("warm", "warm ingest", None)):
        if key in ingest:
            secs = ingest[key]["seconds"]
            t, ok = target(f"< {goal:.0f} s", secs < goal) if goal else ("", None)
            rows.append(Row(label, _s(secs), plain_label, _ratio(secs, plain), t, ok))
    store = record.get("store", {})
    if store:
        secs = store["read_seconds"]
        t, ok = target("< 10 s", secs < 10)
        rows.append(
            Row("snapshot read, in-process", _s(secs), plain_label, _ratio(secs, plain), t, ok)
        )
    http = record.get("http", {})
    for workers, h in http.items():
        g, f = h["graphsvc"]["ready_seconds"], h["floor"]["ready_seconds"]
        t, ok = target("< 10 s", g < 10)
        rows.append(
            Row(
                f"warm start → /readyz 200, {workers}w",
                _s(g),
                f"{_s(f)} floor",
                _ratio(g, f),
                t,
                ok,
            )
        )
    plain_peak = base.get("peak_rss_tree")
    for key, label in (
        ("cold", "peak RSS, cold ingest"),
        ("warm", "peak RSS, warm ingest + snapshot write"),
    ):
        if key in ingest:
            peak = ingest[key]["peak_rss_tree"]
            t, ok = target("< 3 GiB", peak < 3 * GIB)
            rows.append(
                Row(label, _b(peak), f"{_b(plain_peak)} loop", _ratio(peak, plain_peak), t, ok)
            )
    if store:
        peak = store["peak_rss_read"]
        t, ok = target("< 3 GiB", peak < 3 * GIB)
        rows.append(Row("peak RSS, snapshot read", _b(peak), "", None, t, ok))
    for workers, h in http.items():
        g, f = h["graphsvc"]["rss_after"], h["floor"]["rss_after"]
        t, ok = target("< 3 GiB", g < 3 * GIB) if workers == "1" else ("", None)
        rows.append(Row(f"RSS serving, {workers}w", _b(g), f"{_b(f)} floor", _ratio(g, f), t, ok))
    if store:
        disk = record["corpus"]["bytes_per_document"]
        per = store["bytes_per_article"]
        rows.append(
            Row(
                "store bytes per article (RSS)",
                f"{per:,.0f} B",
                f"{disk:,.0f} B/doc on disk",
                _ratio(per, disk),
            )
        )
        snap = store["snapshot_bytes_per_article"]
        rows.append(
            Row(
                "snapshot bytes per article",
                f"{snap:,.0f} B",
                f"{disk:,.0f} B/doc on disk",
                _ratio(snap, disk),
            )
        )
        for op, gq in store["graphql"].items():
            fl = store["floor"][op]
            t, ok = target("p99 < 20 ms", gq["p99_ms"] < 20)
            rows.append(
                Row(
                    f"in-process {op}",
                    f"{gq['median_ms']:.2f} / {gq['p99_ms']:.2f} ms",
                    f"{fl['median_ms']:.2f} / {fl['p99_ms']:.2f} ms floor",
                    _ratio(gq["p99_ms"], fl["p99_ms"]),
                    t,
                    ok,
                )
            )
            st = store.get("standard", {}).get(op)
            if st:  # the same operation through Strawberry's standard executor
                rows.append(
                    Row(
                        f"in-process {op}, standard path",
                        f"{st['median_ms']:.2f} / {st['p99_ms']:.2f} ms",
                        f"{fl['median_ms']:.2f} / {fl['p99_ms']:.2f} ms floor",
                        _ratio(st["p99_ms"], fl["p99_ms"]),
                    )
                )
    for workers, h in http.items():
        for run, r, label in [
            *((run, r, "") for run, r in h["graphsvc"]["runs"].items()),
            *(
                (run, r, ", no response cache")
                for run, r in h.get("graphsvc_uncached", {}).get("runs", {}).items()
            ),
            *(
                (run, r, ", no response cache, standard path")
                for run, r in h.get("graphsvc_standard", {}).get("runs", {}).items()
            ),
        ]:
            fl = h["floor"]["runs"][run]
            ratio = _ratio(r["rps"], fl["rps"])
            small = run in SMALL and "standard" not in label  # the target is the fast path's
            rows.append(
                Row(
                    f"HTTP {run}, {workers}w{label}",
                    f"{r['rps']:,.1f}/s p50 {r['p50_ms']:.0f} p99 {r['p99_ms']:.0f} ms",
                    f"{fl['rps']:,.1f}/s p50 {fl['p50_ms']:.0f} p99 {fl['p99_ms']:.0f} ms",
                    ratio,
                    "≥ 0.5× floor" if small else "",
                    (ratio is not None and ratio >= 0.5) if small else None,
                )
            )
    if http:
        totals = [
            sum(
                r.get(k, 0)
                for h in http.values()
                for s in ("graphsvc", "graphsvc_uncached", "graphsvc_standard", "floor")
                for r in h.get(s, {}).get("runs", {}).values()
            )
            for k in ("socket_errors", "non_2xx", "graphql_errors")
        ]
        rows.append(
            Row(
                "HTTP socket err / non-2xx / GraphQL err",
                " / ".join(map(str, totals)),
                "",
                None,
                "0",
                not any(totals),
            )
        )
    if store:
        eq = store.get("equal", {})
        checks = [f"in-process {sum(eq.values())}/{len(eq)}"]
        ok = bool(eq) and all(eq.values())
        for workers, h in http.items():
            checks.append(f"HTTP {workers}w {sum(h['equal'].values())}/{len(h['equal'])}")
            ok = ok and all(h["equal"].values()) and not h["answer_problems"]
        rows.append(Row("floor answer = GraphQL data", ", ".join(checks), "", None, "all", ok))
    return rows


def print_table(record: dict[str, Any]) -> None:
    n = record["size"]
    c = record.get("corpus", {})
    counts = record.get("store", {}).get("counts") or record.get("ingest", {}).get("cold", {}).get(
        "counts", {}
    )
    print(f"\n== {n:,} documents", end="")
    if c:
        print(f" ({c['bytes'] / 1e6:,.0f} MB on disk", end="")
        if counts:
            print(
                f"; {counts['articles']:,} articles, {counts['stubs']:,} stubs,"
                f" {counts['edges']:,} edges",
                end="",
            )
        print(")", end="")
    print(f"; load average {record['loadavg_start'][0]:.1f} → {record['loadavg_end'][0]:.1f}")
    if record.get("skipped"):
        print(f"   not run: {record['skipped']}")
        return
    rows = record["table"]
    widths = [max(len(h), *(len(r[k]) for r in rows)) for h, k in HEADER]
    print("  ".join(h.ljust(w) for (h, _), w in zip(HEADER, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(r[k].ljust(w) for (_, k), w in zip(HEADER, widths, strict=True)).rstrip())
    if record.get("error"):
        print(f"   stopped: {record['error']}")


HEADER = (
    ("figure", "figure"),
    ("value", "value"),
    ("baseline", "baseline"),
    ("ratio", "ratio_text"),
    ("target", "target"),
    ("met?", "met_text"),
)


def table_of(rows: list[Row]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        d = r.as_dict()
        d["ratio_text"] = "" if r.ratio is None else f"{r.ratio:.2f}×"
        d["met_text"] = "" if r.met is None else ("yes" if r.met else "NO")
        out.append(d)
    return out


# --- main -------------------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0],
        epilog="Details: the module docstring of bench/run.py and bench/README.md.",
    )
    parser.add_argument(
        "--sizes",
        default="10000,100000",
        help="comma-separated document counts (default 10000,100000; 1000000 only when asked,"
        " and refused when the projected memory exceeds what is available)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="CI smoke run: 10k documents, 3 s of wrk at 4 connections, 20 rounds,"
        " a 2,000-file baseline sample (no timing assertions anywhere)",
    )
    parser.add_argument(
        "--corpus-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "graphsvc-bench-corpora",
        help="where generated corpora are kept and reused, one folder per size and seed"
        " (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=1, help="synth.py seed (default 1)")
    parser.add_argument("--duration", type=int, help="seconds per wrk run (default 15; quick 3)")
    parser.add_argument("--connections", type=int, help="wrk connections (default 20; quick 4)")
    parser.add_argument("--threads", type=int, help="wrk threads (default 2; quick 1)")
    parser.add_argument("--workers", default="1,2", help="server worker counts (default 1,2)")
    parser.add_argument(
        "--rounds", type=int, help="in-process rounds of the mix (default 100; quick 20)"
    )
    parser.add_argument("--warmup", type=int, help="in-process warm-up runs (default 5; quick 2)")
    parser.add_argument(
        "--baseline-files",
        type=int,
        help="frontmatter.load only this many evenly spaced files and scale the time"
        " (default: every file; quick: 2000)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=BENCH / "results",
        help="folder for the JSON (default bench/results)",
    )
    parser.add_argument(
        "--force", action="store_true", help="run sizes even when projected not to fit"
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--phase-args", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {
        "duration": 3 if quick else 15,
        "connections": 4 if quick else 20,
        "threads": 1 if quick else 2,
        "rounds": 20 if quick else 100,
        "warmup": 2 if quick else 5,
        "baseline_files": 2000 if quick else 0,
    }
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if quick and args.sizes == parser.get_default("sizes"):
        args.sizes = "10000"
    try:
        args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
        args.workers = [int(w) for w in args.workers.split(",") if w.strip()]
    except ValueError:
        parser.error("--sizes and --workers take comma-separated integers")
    if not args.sizes or min(args.sizes) < 100 or not args.workers or min(args.workers) < 1:
        parser.error("sizes must be at least 100 and workers at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.phase:  # a child process: one phase, one RESULT line
        result = PHASES[args.phase](json.loads(args.phase_args))
        print(RESULT + json.dumps(result, default=str), flush=True)
        return 0
    from load import WRK_POST_LUA, ensure_wrk

    ensure_wrk()
    if not WRK_POST_LUA.is_file():
        raise SystemExit(f"no wrk script at {WRK_POST_LUA} (../shared/tools)")
    args.out.mkdir(parents=True, exist_ok=True)
    measured = previous_results(args.out)
    failures: list[str] = []
    ran = 0
    for n in args.sizes:
        record: dict[str, Any] = {
            "size": n,
            "quick": args.quick,
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "seed": args.seed,
            "settings": {
                k: getattr(args, k)
                for k in ("duration", "connections", "threads", "workers", "rounds", "warmup")
            }
            | {"baseline_files": args.baseline_files},
            "machine": {
                "cpus": os.cpu_count(),
                "mem_total": meminfo("MemTotal"),
                "mem_available": meminfo("MemAvailable"),
                "python": platform.python_version(),
            },
            "loadavg_start": os.getloadavg(),
        }
        why = refusal(n, measured, args.corpus_dir, args.seed)
        started = time.monotonic()
        if why and not args.force:
            say(f"[{n:,}] refused: {why}")
            record["skipped"] = why
        else:
            ran += 1
            try:
                run_size(n, args, record)
            except (PhaseError, subprocess.CalledProcessError, OSError) as exc:
                record["error"] = f"{type(exc).__name__}: {exc}"
                say(f"[{n:,}] stopped: {record['error']}")
            measured.update(record, "this run")
            record["table"] = table_of(rows_of(record))
            record["failures"] = failures_of(record)
            failures += [f"{n:,}: {f}" for f in record["failures"]]
        record["seconds"] = time.monotonic() - started
        record["loadavg_end"] = os.getloadavg()
        name = f"run-{n}-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
        (args.out / name).write_text(json.dumps(record, indent=1, default=str))
        print_table(record)
        print(f"written {args.out / name} ({record['seconds']:.0f} s)", flush=True)
    for failure in failures:
        print(f"FAIL {failure}")
    if not ran:
        return 2
    return 1 if failures else 0


if __name__ == "__main__":
    # SIGTERM (a test's hang guard, a cancelled job) unwinds like Ctrl-C: the finally blocks
    # stop the servers, which run in sessions of their own and would otherwise outlive this.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    raise SystemExit(main())
