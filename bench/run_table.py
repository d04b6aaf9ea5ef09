"""The scale benchmark's table: one row per figure, with its baseline and target."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lib.reports import GIB, MIB

if TYPE_CHECKING:
    pass

from run_http import SMALL

#: The targets of the scale issue, by the largest size each applies to (a run of N documents
#: is held to the first row whose size is at least N; beyond the last one, nothing is marked).
TARGETS: tuple[tuple[int, dict[str, float]], ...] = (
    (
        100_000,
        {
            "build_seconds": 60,
            "build_peak": 3 * GIB,
            "ready_seconds": 2,
            "rss_one": 600e6,
            "pss_extra": 150e6,
            "first_call_ms": 100,
            "small_p99_ms": 100,
        },
    ),
    (
        1_000_000,
        {
            "build_seconds": 15 * 60,
            "build_peak": 16 * GIB,
            "ready_seconds": 10,
            "rss_one": 3 * GIB,
            "pss_extra": 300e6,
            "first_call_ms": 100,
            "small_p99_ms": 100,
        },
    ),
)
CACHE_SHARE = 0.2  # the parse cache is under this share of the corpus's size
IN_PROCESS_P99_MS = 20.0  # each query of the mix, in-process (the issue asks it at 1M)


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
    goals = next((g for size, g in TARGETS if n <= size), None)
    rows: list[Row] = []

    def goal(
        key: str, value: float | None, show: Callable[[float], str]
    ) -> tuple[str, bool | None]:
        """The target for this size ("< " the bound, and met?); none beyond the largest size."""
        if goals is None:
            return "", None
        return f"< {show(goals[key])}", None if value is None else value < goals[key]

    ingest = record.get("ingest", {})
    base = ingest.get("baseline", {})
    plain = base.get("seconds")
    plain_label = f"{_s(plain)} frontmatter loop" + (" (scaled)" if base.get("scaled") else "")
    for key, label in (("cold", "cold ingest"), ("warm", "warm ingest")):
        if key in ingest:
            secs = ingest[key]["seconds"]
            rows.append(Row(label, _s(secs), plain_label, _ratio(secs, plain)))
    if "cold" in ingest and "snapshot_seconds" in ingest.get("warm", {}):
        secs = ingest["cold"]["seconds"] + ingest["warm"]["snapshot_seconds"]
        t, ok = goal("build_seconds", secs, _at_most("s"))
        rows.append(
            Row("cold ingest + snapshot write", _s(secs), plain_label, _ratio(secs, plain), t, ok)
        )
    store = record.get("store", {})
    if store:
        secs = store["read_seconds"]
        rows.append(Row("snapshot read, in-process", _s(secs), plain_label, _ratio(secs, plain)))
    http = record.get("http", {})
    for workers, h in http.items():
        g, f = h["graphsvc"]["ready_seconds"], h["floor"]["ready_seconds"]
        rows.append(
            Row(f"warm start → /readyz 200, {workers}w", _s(g), f"{_s(f)} floor", _ratio(g, f))
        )
    plain_peak = base.get("peak_rss_tree")
    for key, label in (
        ("cold", "peak RSS, cold ingest"),
        ("warm", "peak RSS, warm ingest + snapshot write"),
    ):
        if key in ingest:
            peak = ingest[key]["peak_rss_tree"]
            t, ok = goal("build_peak", peak, _b)
            rows.append(
                Row(label, _b(peak), f"{_b(plain_peak)} loop", _ratio(peak, plain_peak), t, ok)
            )
    if store:
        peak = store["peak_rss_read"]
        rows.append(Row("peak RSS, snapshot read", _b(peak)))
    for workers, h in http.items():
        g, f = h["graphsvc"]["rss_after"], h["floor"]["rss_after"]
        rows.append(
            Row(f"RSS serving after wrk, {workers}w", _b(g), f"{_b(f)} floor", _ratio(g, f))
        )
    rows += serve_rows(record, goal)
    cache = ingest.get("cache_bytes")
    corpus = record.get("corpus", {}).get("bytes")
    if cache is not None and corpus:
        share = cache / corpus
        rows.append(
            Row(
                "parse cache on disk",
                _b(cache),
                f"{_b(corpus)} corpus",
                share,
                f"< {CACHE_SHARE:.0%} of the corpus",
                share < CACHE_SHARE,
            )
        )
    disk = record.get("disk")
    if disk:
        rows.append(
            Row(
                "disk needed: corpus + cache + snapshot + index",
                _b(disk["total"]),
                " + ".join(
                    _b(disk[k]) for k in ("corpus", "parse_cache", "snapshot", "search_index")
                ),
            )
        )
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
            t, ok = f"p99 < {IN_PROCESS_P99_MS:.0f} ms", gq["p99_ms"] < IN_PROCESS_P99_MS
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


def _ms(x: float | None) -> str:
    return "—" if x is None else f"{x:,.1f} ms"


def _at_most(unit: str) -> Callable[[float], str]:
    return lambda x: f"{x:g} {unit}"


Goal = Callable[[str, float | None, Callable[[float], str]], tuple[str, bool | None]]


def _mb(x: float) -> str:
    return f"{x / 1e6:,.0f} MB"


def _each(m: dict[str, Any]) -> str:
    """Each worker's RSS, PSS and USS."""
    return "; ".join(
        f"{k} " + " + ".join(_b(x) for x in m[f"worker_{k.lower()}"]) for k in ("RSS", "PSS", "USS")
    )


def serve_rows(record: dict[str, Any], goal: Goal) -> list[Row]:
    """Serving from the snapshot, this code against the baseline commit's (the previous store
    format): start, memory per worker, first analytics calls, a small query under load."""
    serve = record.get("serve")
    if not serve:
        return []
    cur, old = serve.get("current", {}), serve.get("baseline", {})
    ref = f"baseline {serve.get('baseline_commit', serve['baseline_ref'])[:7]}"
    rows: list[Row] = []
    cb, bb = record.get("store", {}).get("snapshot_bytes"), serve["baseline_build"]
    rows.append(
        Row(
            "snapshot file",
            _b(cb),
            f"{_b(bb.get('snapshot_bytes'))} {ref}",
            _ratio(cb, bb.get("snapshot_bytes")),
        )
    )
    for workers in sorted(set(cur) & set(old) - {"first_start_seconds"}):
        g, b = cur[workers]["ready_seconds"], old[workers]["ready_seconds"]
        t, ok = goal("ready_seconds", g, _at_most("s"))
        rows.append(
            Row(
                f"ready from snapshot (launch → /readyz 200), {workers}w",
                _s(g),
                f"{_s(b)} {ref}",
                _ratio(g, b),
                t,
                ok,
            )
        )
    one = [side.get("1", {}).get("memory_ready") for side in (cur, old)]
    if one[0] and one[1]:
        g, b = one[0]["rss_tree"], one[1]["rss_tree"]
        t, ok = goal("rss_one", g, _mb)
        rows.append(Row("RSS, one worker, at ready", _b(g), f"{_b(b)} {ref}", _ratio(g, b), t, ok))
    two = [side.get("2", {}).get("memory_ready") for side in (cur, old)]
    if two[0] and two[1] and two[0]["worker_pss"] and two[1]["worker_pss"]:
        g, b = max(two[0]["worker_pss"]), max(two[1]["worker_pss"])
        t, ok = goal("pss_extra", g, _mb)
        rows.append(
            Row("each worker of 2: PSS (largest)", _b(g), f"{_b(b)} {ref}", _ratio(g, b), t, ok)
        )

        rows.append(Row("each of 2 workers", _each(two[0]), f"{_each(two[1])} {ref}"))
    used = [side.get("2", {}).get("memory_after") for side in (cur, old)]
    if used[0] and used[1] and used[0]["worker_pss"] and used[1]["worker_pss"]:
        g, b = max(used[0]["worker_pss"]), max(used[1]["worker_pss"])
        t, ok = goal("pss_extra", g, _mb)
        rows.append(
            Row(
                "each worker of 2 after 3 rounds of analytics: PSS (largest)",
                _b(g),
                f"{_b(b)} {ref}",
                _ratio(g, b),
                t,
                ok,
            )
        )
        rows.append(Row("each of 2 workers, after", _each(used[0]), f"{_each(used[1])} {ref}"))
    if one[0] and one[1] and two[0] and two[1]:
        g = two[0]["pss_tree"] - one[0]["pss_tree"]
        b = two[1]["pss_tree"] - one[1]["pss_tree"]
        rows.append(
            Row(
                "PSS of the 2-worker tree − the 1-worker tree (+ supervisor)",
                _b(g),
                f"{_b(b)} {ref}",
                _ratio(g, b),
            )
        )
        rows.append(
            Row(
                "2 workers, whole tree (RSS / PSS)",
                f"{_b(two[0]['rss_tree'])} / {_b(two[0]['pss_tree'])}",
                f"{_b(two[1]['rss_tree'])} / {_b(two[1]['pss_tree'])} {ref}",
            )
        )
    calls = [side.get("1", {}).get("first_calls") for side in (cur, old)]
    if calls[0] and calls[1]:
        g, b = calls[0]["slowest_seconds"] * 1e3, calls[1]["slowest_seconds"] * 1e3
        t, ok = goal("first_call_ms", g, _at_most("ms"))
        rows.append(
            Row(
                f"first analytics call, slowest of {len(calls[0]['seconds'])}",
                f"{_ms(g)} {calls[0]['slowest']}",
                f"{_ms(b)} {calls[1]['slowest']} {ref}",
                _ratio(g, b),
                t,
                ok,
            )
        )
    heavy = [side.get("1", {}).get("under_heavy") for side in (cur, old)]
    if heavy[0] and heavy[1]:

        def text(h: dict[str, Any]) -> str:
            return (
                f"p50 {_ms(h['small_p50_ms'])} p99 {_ms(h['small_p99_ms'])}"
                f" ({h['small_during_heavy']} during {h['heavy_overlapped']} heavy)"
            )

        g = heavy[0]["small_p99_ms"]
        t, ok = goal("small_p99_ms", g, _at_most("ms"))
        t = t and f"p99 {t}"
        rows.append(
            Row(
                "{ stats { articles } } while the heaviest request runs",
                text(heavy[0]),
                f"{text(heavy[1])} {ref}",
                _ratio(g, heavy[1]["small_p99_ms"]),
                t,
                ok,
            )
        )
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
