"""Scale benchmark: ingest, start, memory and latency at 10k, 100k (and 1M) synthetic documents.

    python bench/run.py [--sizes 10000,100000] [--quick] [--corpus-dir DIR] [--seed S]
                        [--duration S] [--connections C] [--threads T] [--workers 1,2]
                        [--rounds R] [--baseline-files K] [--out DIR] [--force]
                        [--baseline-ref REF] [--baseline-snapshot PATH] [--starts K]
                        [--heavy-seconds S]

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
   wrk (``bench/lib/wrk.py``'s wrapper of ``../shared/tools/wrk-post.lua``, which checks every
   body) runs ``--duration`` seconds per operation for the small ones (article, topic page,
   lists) and once over the whole six-query mix. Recorded: req/s, p50/p90/p99/max latency,
   socket errors, non-2xx, GraphQL errors, process-tree RSS; graphsvc/floor throughput ratios.
4. **Serving, against the previous store format** (``bench/run_serve.py``, ``run_calls.py``):
   ``--baseline-ref`` (default ``ae97e24``, main before the memory-mapped store) is checked out
   with ``git worktree add --detach`` into a temporary folder (removed afterwards), and its own
   code builds a snapshot of the same corpus (``python -m graphsvc build`` run there with
   ``PYTHONPATH`` on it, in this interpreter), reusing the run's parse cache (that code empties
   it first if its cache format differs); ``--baseline-snapshot PATH`` gives one already built.
   Then, for this code and for the baseline's, each serving its own snapshot without the
   response cache: a first start (which builds the search index beside the snapshot when it is
   missing), then per ``--workers`` count ``--starts`` timed starts (launch → ``/readyz`` 200;
   the sides take turns, the median is kept) and, on the last one, once every worker has
   answered ``/readyz``, the RSS, PSS and USS (private pages; ``/proc/PID/smaps_rollup``) of
   each process of the tree and of each worker. An extra worker's cost is its PSS at 2
   workers (the tree's PSS at 2 workers minus at 1 is given too: it adds the supervisor
   process that only runs with 2 workers or more). With one worker: the first call of each
   analytics field on the fresh server (after one ``{ stats { articles } }``), the slowest
   and which; then
   ``{ stats { articles } }`` sent back to back for ``--heavy-seconds`` while another client
   keeps sending the most expensive request the cost limits allow (the alias limit filled with
   k shortest paths and depth-3 neighbourhoods, as ``tests/web/test_loop_free.py`` sends it):
   p50/p99 of the small requests sent while a heavy one was in flight, and how many heavy
   requests they overlapped.
5. **Disk**: the corpus, the parse cache (measured after the warm ingest), the snapshot and its
   search index; their sum is the disk a run of that size needs.

Targets (the scale issue's table, marked met or not; a size is held to the 100k row up to 100k
documents, to the 1M row up to 1M, and to none beyond): cold ingest + snapshot write < 60 s /
15 min, peak RSS < 3 / 16 GiB, ready from the snapshot < 2 / 10 s, RSS of one worker < 600 MB
/ 3 GiB, PSS of each extra worker < 150 / 300 MB, first analytics call < 100 ms, the small
query's p99 under the heaviest request < 100 ms; at every size the parse cache under 20% of
the corpus, in-process p99 < 20 ms per operation, and small queries over HTTP >= half the
floor's throughput. Misses are reported, not failures. The exit status is 1 when something
is wrong rather than slow: a phase that crashed, a socket error, a non-2xx, a GraphQL error
(the first analytics calls and the requests under load included), or a floor answer that
differs from GraphQL's.

Sizes whose projected peak memory (peak RSS per document at the largest size measured so far,
in this run or in earlier ``--out`` results, else 110 KB per document; times N, times 1.25) is
over the machine's available memory, or whose corpus would not fit on disk, are refused with
the reason, which also states the disk the size would need (corpus, parse cache, snapshot and
search index, per document as measured; ``--force`` runs them anyway). ``--quick`` is the CI
smoke run (10k documents, 3 s of wrk at 4 connections, 20 rounds, a 2,000-file baseline
sample, 3 s under the heaviest request, one start per side): no timing assertions.

A table is printed per size, and ``run-<N>-<timestamp>.json`` written to ``--out``
(``bench/results/``, git-ignored). Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lib.processes import meminfo
from lib.reports import RESULTS, say
from lib.servers import ServerError
from lib.wrk import ensure_wrk, ensure_wrk_script
from run_http import run_http
from run_phases import PhaseError, run_phase
from run_serve import run_serve
from run_sizes import corpus_stats, ensure_corpus, previous_results, refusal
from run_table import print_table, rows_of, table_of


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
        ingest["cache_bytes"] = folder_bytes(cache)
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
            say(f"[{n:,}] serving: this code against {args.baseline_ref} (the previous store)")
            record["serve"] = run_serve(corpus, snapshot, cache, args, work)
        finally:
            record["logs"] = {p.name: p.read_text()[-3000:] for p in work.glob("*.log")}
        record["disk"] = {
            "corpus": size,
            "parse_cache": ingest["cache_bytes"],
            "snapshot": snapshot.stat().st_size,
            "search_index": folder_bytes(Path(f"{snapshot}.search")),
        }
        record["disk"]["total"] = sum(record["disk"].values())


def folder_bytes(path: Path) -> int:
    """Bytes of the files under a folder (0 when it is missing)."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


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
    serve = record.get("serve", {})
    for side in ("current", "baseline"):
        one = serve.get(side, {}).get("1", {})
        for name, error in one.get("first_calls", {}).get("errors", {}).items():
            out.append(f"{side} first call {name}: {error}")
        heavy = one.get("under_heavy", {})
        for key in ("small_errors", "heavy_errors"):
            out += [f"{side} {key.replace('_', ' ')}: {e}" for e in heavy.get(key, [])]
    return out


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
        default=RESULTS,
        help="folder for the JSON (default bench/results)",
    )
    parser.add_argument(
        "--force", action="store_true", help="run sizes even when projected not to fit"
    )
    parser.add_argument(
        "--baseline-ref",
        default="ae97e24",
        help="the commit whose store format is the baseline for start and memory (default"
        " %(default)s, main before the memory-mapped store)",
    )
    parser.add_argument(
        "--baseline-snapshot",
        type=Path,
        help="a snapshot of the same corpus already built by --baseline-ref's code (skips"
        " building it; its search index is built beside it when missing)",
    )
    parser.add_argument(
        "--starts",
        type=int,
        help="timed starts of each side per worker count, taking turns; the median is kept"
        " (default 3; quick 1)",
    )
    parser.add_argument(
        "--heavy-seconds",
        type=float,
        help="seconds of small queries under the heaviest request (default 15; quick 3)",
    )
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {
        "duration": 3 if quick else 15,
        "connections": 4 if quick else 20,
        "threads": 1 if quick else 2,
        "rounds": 20 if quick else 100,
        "warmup": 2 if quick else 5,
        "baseline_files": 2000 if quick else 0,
        "heavy_seconds": 3 if quick else 15,
        "starts": 1 if quick else 3,
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
    if args.starts < 1:
        parser.error("--starts must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    ensure_wrk()
    ensure_wrk_script()
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
            | {"baseline_files": args.baseline_files, "heavy_seconds": args.heavy_seconds}
            | {"starts": args.starts}
            | {"baseline_ref": args.baseline_ref, "baseline_snapshot": args.baseline_snapshot},
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
            except (PhaseError, ServerError, subprocess.CalledProcessError, OSError) as exc:
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
