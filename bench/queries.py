"""In-process latency of the six-query mix (``bench/mix.py``) through ``schema.execute_sync``.

    python bench/queries.py [--corpus DIR | --snapshot PATH] [--rounds N] [--warmup N]

CORPUS defaults to ../shared/corpus/news (ingested with the parse cache). Each query runs
``--warmup`` times first (the first search builds the full-text index: its time is printed
apart), then the six run in turn ``--rounds`` times; median, p99 and max are printed per query.
Any GraphQL error stops the run: a fast error is not a result.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import strawberry

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mix import Case, cases

from graphsvc.api.context import Context
from graphsvc.api.schema import build_schema
from graphsvc.graph.loading import load_store
from graphsvc.graph.snapshot import read_snapshot
from graphsvc.graph.store import GraphStore

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "news"


def load(args: argparse.Namespace) -> tuple[GraphStore, str, float]:
    """The store, where it came from, and the seconds it took."""
    started = time.perf_counter()
    if args.snapshot:
        store = read_snapshot(args.snapshot)
        source = f"snapshot {args.snapshot}"
    else:
        store = load_store(args.corpus)
        source = f"corpus {args.corpus}"
    return store, source, time.perf_counter() - started


def run_once(schema: strawberry.Schema, case: Case, context: Context) -> float:
    """Seconds for one execution; raises on any GraphQL error."""
    started = time.perf_counter()
    result = schema.execute_sync(case.query, variable_values=case.variables, context_value=context)
    seconds = time.perf_counter() - started
    if result.errors:
        raise SystemExit(f"{case.name}: {result.errors[0].message}")
    return seconds


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT)
    parser.add_argument("--snapshot", type=Path, help="read this snapshot instead of a corpus")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument(
        "--freeze", action="store_true", help="gc.freeze() after loading (what a server may do)"
    )
    args = parser.parse_args(argv)
    if not args.snapshot and not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    store, source, load_seconds = load(args)
    if args.freeze:
        gc.collect()
        gc.freeze()
    counts = store.counts
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{source}: {counts.articles:,} articles, {counts.stubs:,} stubs,"
        f" {counts.edges:,} edges; loaded in {load_seconds:.2f} s; peak RSS {rss:,.0f} MiB"
    )
    schema = build_schema()
    context = Context(store)
    mix = cases(store)
    for case in mix:
        first = run_once(schema, case, context)
        if case.name == "search":
            print(f"first search (builds the index): {first * 1e3:,.0f} ms")
        for _ in range(args.warmup - 1):
            run_once(schema, case, context)
    times: dict[str, list[float]] = {case.name: [] for case in mix}
    started = time.perf_counter()
    for _ in range(args.rounds):
        for case in mix:
            times[case.name].append(run_once(schema, case, context))
    total = time.perf_counter() - started
    print(
        f"{args.rounds} rounds of {len(mix)} queries in {total:.1f} s (after {args.warmup} warm-up)"
    )
    print(f"{'query':<15}{'median ms':>11}{'p99 ms':>9}{'max ms':>9}")
    for name, values in times.items():
        print(
            f"{name:<15}{statistics.median(values) * 1e3:>11.2f}"
            f"{percentile(values, 99) * 1e3:>9.2f}{max(values) * 1e3:>9.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
