"""The scale benchmark's table: one row per figure, with its baseline and target."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lib.reports import GIB, MIB

if TYPE_CHECKING:
    pass

from run_http import SMALL

TARGET_SIZE = 100_000  # the targets are stated for corpora up to this size


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
