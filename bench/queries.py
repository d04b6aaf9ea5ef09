"""In-process latency of the six-query mix (``bench/mix.py``), fast path and standard side by side.

    python bench/queries.py [--corpus DIR | --snapshot PATH] [--rounds N] [--warmup N]
                            [--wide-centre KEY] [--wide-rounds N] [--profile] [--freeze]

CORPUS defaults to ../shared/corpus/news (ingested with the parse cache). Each query runs
``--warmup`` times first (the first search builds the full-text index: its time is printed
apart), then the six run in turn ``--rounds`` times through ``schema.execute_sync`` of both
schemas, the fast execution path (``graphsvc.api.execution``, what the service runs) and
Strawberry's standard executor, interleaved; median, p99 and max are printed per query and
path, with the speed-up. Both paths must give the same ``data``.

Then the wide neighbourhood: depth 2, ``limit: 200``, every node's ID and title or name and
every edge's kind, source and target, around ``--wide-centre`` (a node key; by default the
topic, among the 50 largest, whose neighbourhood has the most edges). Printed: its leaf
fields, the median of each path, ``orjson.dumps`` of the same ``data`` (the cost of the
answer itself), the resolvers alone (the ``neighborhood`` resolver, called directly) and the
execution cost per leaf field, (execution - resolvers) / fields, before (standard) and
after (fast). ``--profile`` prints where the fast path's time goes (cProfile).
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

import orjson
import strawberry

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mix import Case, cases

from graphsvc.api.context import Context, encode_id
from graphsvc.api.query import Query
from graphsvc.api.schema import build_schema
from graphsvc.corpus import load_store
from graphsvc.graph import traversal
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


WIDE = """
query Wide($id: ID!) {
  neighborhood(id: $id, depth: 2, limit: 200) {
    nodes { id ... on Article { title } ... on Topic { name } ... on Provider { name } }
    edges { kind source target }
  }
}
"""


def wide_centre(store: GraphStore) -> str:
    """The topic, among the 50 largest, whose depth-2 neighbourhood (limit 200) has the most
    edges: the widest answer the limits allow, on any corpus."""
    topics = sorted(store.topics.values(), key=lambda t: (-t.article_count, t.key))[:50]
    return max(
        (t.key for t in topics),
        key=lambda k: len(traversal.neighborhood(store, k, 2, None, 200).edges),
    )


def leaf_count(value: object) -> int:
    """Leaf fields of a result's data."""
    if isinstance(value, dict):
        return sum(leaf_count(v) for v in value.values())
    if isinstance(value, list):
        return sum(leaf_count(v) for v in value)
    return 1


def median_ms(run: object, rounds: int) -> float:
    """Median milliseconds of ``rounds`` calls of ``run``."""
    assert callable(run)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e3


def wide(
    schemas: dict[str, strawberry.Schema],
    store: GraphStore,
    centre: str,
    rounds: int,
    profile: bool,
) -> None:
    """The wide neighbourhood through both paths, against orjson and the resolvers alone."""
    context = Context(store)
    case = Case("wide", WIDE, {"id": encode_id(centre)})
    data = {}
    for name, schema in schemas.items():
        result = schema.execute_sync(case.query, case.variables, context_value=context)
        if result.errors:
            raise SystemExit(f"wide: {result.errors[0].message}")
        data[name] = result.data
    if data["fast"] != data["standard"]:
        raise SystemExit("wide: the fast path's data differs from the standard path's")
    fields = leaf_count(data["fast"])
    sub = data["fast"]["neighborhood"]  # type: ignore[index]
    print(
        f"\nwide neighbourhood around {centre}: {len(sub['nodes'])} nodes,"
        f" {len(sub['edges']):,} edges, {fields:,} leaf fields ({rounds} rounds)"
    )

    class Info:
        """What the ``neighborhood`` resolver reads of its info: the context."""

        context = Context(store)

    resolvers = median_ms(
        lambda: Query.neighborhood(None, Info, case.variables["id"], 2, None, 200),  # type: ignore[arg-type]
        rounds,
    )
    encoded = median_ms(lambda: orjson.dumps(data["fast"]), rounds)
    print(f"{'path':<10}{'median ms':>11}{'× orjson':>10}{'µs/field':>10}")
    for name, schema in schemas.items():
        ms = median_ms(lambda s=schema: run_once(s, case, context), rounds)
        per_field = (ms - resolvers) * 1e3 / fields
        print(f"{name:<10}{ms:>11.2f}{ms / encoded:>10.1f}{per_field:>10.2f}")
    print(f"{'orjson':<10}{encoded:>11.2f}   (orjson.dumps of the same data)")
    print(f"{'resolvers':<10}{resolvers:>11.2f}   (the neighborhood resolver alone)")
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(rounds):
            run_once(schemas["fast"], case, context)
        profiler.disable()
        print("\nwhere the fast path's time goes (cProfile, by own time):")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(15)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT)
    parser.add_argument("--snapshot", type=Path, help="read this snapshot instead of a corpus")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument(
        "--freeze", action="store_true", help="gc.freeze() after loading (what a server may do)"
    )
    parser.add_argument("--wide-centre", help="node key of the wide neighbourhood's centre")
    parser.add_argument("--wide-rounds", type=int, default=30)
    parser.add_argument("--profile", action="store_true", help="cProfile the wide fast path")
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
    schemas = {"fast": build_schema(fast=True), "standard": build_schema(fast=False)}
    context = Context(store)
    mix = cases(store)
    for case in mix:
        answers = []
        for schema in schemas.values():
            first = run_once(schema, case, context)
            if case.name == "search" and not answers:
                print(f"first search (builds the index): {first * 1e3:,.0f} ms")
            for _ in range(args.warmup - 1):
                run_once(schema, case, context)
            answers.append(
                schema.execute_sync(
                    case.query, variable_values=case.variables, context_value=context
                ).data
            )
        if answers[0] != answers[1]:
            raise SystemExit(f"{case.name}: the fast path's data differs from the standard path's")
    times: dict[str, dict[str, list[float]]] = {
        path: {case.name: [] for case in mix} for path in schemas
    }
    started = time.perf_counter()
    paths = list(schemas.items())
    for round_ in range(args.rounds):
        for case in mix:  # alternate which path goes first (the other pays its garbage)
            for path, schema in paths if round_ % 2 else paths[::-1]:
                times[path][case.name].append(run_once(schema, case, context))
    total = time.perf_counter() - started
    print(
        f"{args.rounds} rounds of {len(mix)} queries on both paths in {total:.1f} s"
        f" (after {args.warmup} warm-up)"
    )
    print(f"{'':<15}{'fast path (ms)':^26}{'standard path (ms)':^26}")
    print(f"{'query':<15}{'median p99 max':>26}{'median p99 max':>26}{'speed-up':>10}")
    for case in mix:
        cells = []
        for path in schemas:
            values = times[path][case.name]
            cells.append(
                f"{statistics.median(values) * 1e3:>10.2f}"
                f"{percentile(values, 99) * 1e3:>8.2f}{max(values) * 1e3:>8.2f}"
            )
        speedup = statistics.median(times["standard"][case.name]) / statistics.median(
            times["fast"][case.name]
        )
        print(f"{case.name:<15}{cells[0]}{cells[1]}{speedup:>9.1f}×")
    wide(schemas, store, args.wide_centre or wide_centre(store), args.wide_rounds, args.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
