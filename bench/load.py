"""Load test over HTTP with wrk, then reload under load: figures for the README, checks for CI.

    python bench/load.py [--corpus DIR] [--duration 30] [--connections 20] [--workers 1,2]
                         [--cache on,off] [--no-load] [--no-reload] [--smoke] [--out bench/results]

Every phase runs twice: with the per-snapshot response cache on (the default) and off
(``GRAPHSVC_RESPONSE_CACHE_BYTES=0``). With it on, the figures are what clients repeating
their queries see; with it off, they are the GraphQL engine's own work on every request.

1. **Load**, once per ``--workers`` value and cache setting: ``graphsvc serve CORPUS --workers
   N`` as a child process, then wrk (installed by ``scripts/install.sh --dev``) with
   ``../shared/tools/wrk-post.lua`` wrapped by a small generated script that rotates the lines of
   a body file (each thread from its own place) and checks every response body (200, ``data``,
   no ``errors``). The body file (``realistic_mix``, 400 lines, about 350 distinct bodies, seeded)
   is drawn from the corpus: 120 article pages (different URLs), 40 topic pages (topics weighted
   by size), 40 provider pages, 20 copies of the topic and provider lists, 60 depth-2
   neighbourhoods and 60 shortest paths (different seeds and endpoints), 60 one- or two-word
   searches (title words in 2 titles to 2.5% of them). A wrk warm-up (3 s; 2 s with ``--smoke``)
   precedes each measured run; its responses are checked too. Recorded: req/s, p50/p90/p99/max
   latency, socket errors, non-2xx, GraphQL errors, the response cache's hit rate during the run
   (from ``/readyz``, every worker's counters summed), and the RSS of the server's process tree
   (every process, /proc VmRSS summed) after the warm-up and after the run.
2. **Reload under load**: the same on a temporary copy of the corpus with the watcher on. While
   wrk runs, a third of the files are rewritten in waves (edits, adds, deletes, and a few files
   turned malformed), and a checker loop asks for counts that must agree inside one response
   (one snapshot). Each check's body is distinct (a numbered alias), so no check is answered
   from the response cache; the checker counts the snapshot versions it saw. Once the server
   has settled, its graph must equal a fresh ingest (a new server with an empty parse cache) of
   the final folder in which the malformed files are their last good (original) versions.

**Memory must stay flat.** Load phases: RSS after the run minus RSS after the warm-up must stay
under ``max(64 MiB, 25% of the RSS after the warm-up)``. Reload phase: the start is no fair
reference (the old snapshot and the parse pool's work come and go), so the RSS after the run is
compared with a *fresh snapshot*: that fresh-ingest server (started like the reloaded one, cold
parse cache and watcher on, then given the same warm-up); it must exceed that by less than
``max(64 MiB, 25%)`` of it. With ``--smoke`` (a shared, noisy CI machine, seconds of load) the
tolerance is ``max(256 MiB, 50%)``: it catches a runaway, not a slow leak.

``--smoke`` is the CI version (tests/web/test_load_smoke.py): 5 s at 4 connections per load
phase, 8 s of reload (the same third of the files, in 3 waves instead of 6, 2 of them turned
malformed instead of 5). It prints the same table; the exit status is 1 when any phase saw a
socket error, a non-2xx, a GraphQL error, memory growth over the tolerance or (reload) an
inconsistency, a checker that saw under two snapshot versions, or a final graph unequal to a
fresh ingest, or could not finish (the other phases still run). Progress goes to stderr, results
to ``bench/results/load-*.json`` (git-ignored). The full run (defaults) takes about 6 minutes,
the smoke run 2 to 4.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # when imported by tests

from lib.reports import RESULTS, say, write_result
from lib.wrk import ensure_wrk
from load_mix import describe_mix, realistic_mix
from load_phase import cache_label, memory_check, run_load
from reload_phase import run_reload

from graphsvc.corpus import load_store
from graphsvc.ingest.cache import default_cache_dir

REPO = Path(__file__).resolve().parents[1]
NEWS = REPO.parent / "shared" / "corpus" / "news"
MIB = 1024 * 1024


def failures_of(phase: str, r: dict[str, Any]) -> list[str]:
    out = [
        f"{phase}: {r[k]} {k}" for k in ("socket_errors", "non_2xx", "graphql_errors") if r.get(k)
    ]
    for name in ("warmup", "fresh_warmup"):
        bad = {k: v for k, v in (r.get(name) or {}).items() if k != "requests" and k != "rps" and v}
        if bad:
            out.append(f"{phase}: {name.replace('_', ' ')}: {bad}")
    memory = r.get("memory")
    if memory and not memory["ok"]:
        out.append(
            f"{phase}: memory grew {memory['growth'] / MIB:.0f} MiB over the RSS"
            f" {memory['reference']}"
            f" ({memory['before'] / MIB:.0f} -> {memory['after'] / MIB:.0f} MiB), limit"
            f" {memory['limit'] / MIB:.0f} MiB = {memory['tolerance']}"
        )
    if r.get("checker_failure_count"):
        bad_count = r["checker_failure_count"]
        out.append(f"{phase}: {bad_count} inconsistent responses: {r['checker_failures'][:3]}")
    if "versions_seen" in r and r.get("reloads") and r["versions_seen"] < 2:
        out.append(
            f"{phase}: the checks saw {r['versions_seen']} snapshot version(s) across"
            f" {r['reloads']} reloads: they did not run on the snapshots being served"
        )
    if r.get("difference_count"):
        out.append(f"{phase}: final graph differs from a fresh ingest: {r['differences'][:5]}")
    return out


def print_table(results: dict[str, dict[str, Any]]) -> None:
    header = (
        f"{'phase':<22}{'hits':>6}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'requests':>10}{'sock err':>9}{'non-2xx':>8}{'gql err':>8}"
        f"{'RSS ref':>9}{'RSS after':>11}{'growth/limit':>14}"
    )
    print(header)
    print("-" * len(header))
    for phase, r in results.items():
        rate = r.get("cache_hit_rate")
        hits = "-" if not r["cache"] else "?" if rate is None else f"{rate:.0%}"
        m = r["memory"]
        verdict = f"{m['growth'] / MIB:.0f}/{m['limit'] / MIB:.0f}{'' if m['ok'] else ' FAIL'}"
        print(
            f"{phase:<22}{hits:>6}{r['rps']:>9.1f}{r['p50_ms']:>9.2f}{r['p90_ms']:>9.2f}"
            f"{r['p99_ms']:>9.2f}{r['max_ms']:>9.1f}{r['requests']:>10}{r['socket_errors']:>9}"
            f"{r['non_2xx']:>8}{r['graphql_errors']:>8}{m['before'] / MIB:>7.0f}Mi"
            f"{m['after'] / MIB:>9.0f}Mi{verdict:>14}"
        )
    print(
        "\nhits: response cache hit rate during the run (- off). RSS ref: after the warm-up"
        " (load), a fresh server on the final folder (reload). growth/limit in MiB."
    )
    for phase, r in results.items():
        if "plan" not in r:
            continue
        print(
            f"\n{phase}: {r['plan']} of {r['files_before']} files ({r['files_after']} after);"
            f" {r['reloads']} reloads; {r['checker_responses']} checks, each a distinct body,"
            f" saw {r['versions_seen']} snapshot versions ({r['checker_failure_count']} bad)"
            f" + {r['checked']} wrk responses checked; RSS {r['rss_before'] / MIB:.0f} MiB"
            f" before the load; settled {r['settle_seconds']} s after the load; final graph vs"
            f" fresh ingest: {r['difference_count']} differences; rejected {r['final_rejected']}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=NEWS)
    parser.add_argument("--duration", type=int, default=30, help="seconds of wrk per load phase")
    parser.add_argument(
        "--reload-duration", type=int, default=30, help="seconds of wrk while rewriting"
    )
    parser.add_argument("--warmup", type=int, default=3, help="seconds of wrk before measuring")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument(
        "--cache", default="on,off", help="response cache settings to run: on, off or on,off"
    )
    parser.add_argument("--no-reload", dest="reload", action="store_false")
    parser.add_argument("--no-load", dest="load", action="store_false")
    parser.add_argument(
        "--smoke", action="store_true", help="5 s at 4 connections per phase, 8 s of reload (CI)"
    )
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument(
        "--cache-dir", type=Path, default=None, help="parse cache (default: the usual)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.smoke:
        args.duration, args.reload_duration, args.connections, args.threads = 5, 8, 4, 1
        args.warmup = 2
    settings = [s.strip() for s in args.cache.split(",") if s.strip()]
    if not settings or set(settings) - {"on", "off"}:
        parser.error("--cache takes on, off or on,off")
    caches = [s == "on" for s in settings]
    args.cache_dir = args.cache_dir or default_cache_dir()
    ensure_wrk()
    if not args.corpus.is_dir():
        raise SystemExit(f"no corpus at {args.corpus}")
    started = time.monotonic()
    say(f"loading {args.corpus}")
    store = load_store(args.corpus, cache_dir=args.cache_dir)
    mix = realistic_mix(store, args.seed)
    results: dict[str, dict[str, Any]] = {}
    broken: list[str] = []  # phases that could not finish
    with tempfile.TemporaryDirectory(prefix="graphsvc-load-") as tmp:
        work = Path(tmp)
        phases: list[tuple[str, Any]] = []
        if args.load:
            for workers in (int(w) for w in args.workers.split(",")):
                for cache in caches:
                    label = f"{workers} worker{'s' if workers > 1 else ''}, {cache_label(cache)}"
                    phases.append(
                        (
                            label,
                            lambda w=workers, c=cache: run_load(args.corpus, mix, w, c, args, work),
                        )
                    )
        if args.reload:
            for cache in caches:
                phases.append(
                    (
                        f"reload, {cache_label(cache)}",
                        lambda c=cache: run_reload(args.corpus, store, mix, c, args, work),
                    )
                )
        for label, run in phases:
            try:
                results[label] = run()
            except Exception as exc:  # one phase's failure must not hide the others' figures
                say(f"{label}: {type(exc).__name__}: {exc}")
                broken.append(f"{label}: did not finish: {type(exc).__name__}: {exc}")
        logs = {p.name: p.read_text()[-3000:] for p in work.glob("*.log")}
    print_table(results)
    failures = broken + [f for phase, r in results.items() for f in failures_of(phase, r)]
    record = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "corpus": str(args.corpus),
        "smoke": args.smoke,
        "duration": args.duration,
        "reload_duration": args.reload_duration,
        "warmup": args.warmup,
        "connections": args.connections,
        "threads": args.threads,
        "mix": describe_mix(mix),
        "memory_tolerance": memory_check(0, 0, args.smoke)["tolerance"],
        "cpus": os.cpu_count(),
        "loadavg": os.getloadavg(),
        "seconds": round(time.monotonic() - started, 1),
        "results": results,
        "failures": failures,
        "server_logs": logs if failures else {},
    }
    path = write_result(args.out, "load-smoke" if args.smoke else "load", record)
    print(f"\nwritten {path} ({record['seconds']:.0f} s)")
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    # SIGTERM (a test's hang guard, a cancelled job) unwinds like Ctrl-C: the finally blocks
    # stop the servers, which run in sessions of their own and would otherwise outlive this.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    sys.exit(main())
