"""Time and peak memory of exporting a synthetic graph in every format, against NetworkX.

    python bench/export.py [N] [--corpus DIR] [--formats graphml,gexf,...] [--no-tracemalloc]

N (default 100,000) documents come from ``bench/synth.py`` (written once into ``--corpus``,
default ``/tmp/graphsvc-bench-export-N``, and parsed as ingest parses them; see
``read_corpus``), or, without that script, from a simple in-memory generator. The store is
loaded once; each export then runs in a forked child, so that its memory is its own. Two
figures per run: the peak of Python allocations (tracemalloc, in a second child, since tracing
slows the run) and the growth of the child's peak RSS (VmHWM reset through
/proc/self/clear_refs). Output goes to a byte counter, not a disk. The baselines are
``networkx.write_graphml`` of the same graph: as the store holds it (the ``kind`` attribute
only), and as an attributed copy with graphsvc's flattened attributes (what exporting through
NetworkX takes; building the copy is counted), with its lxml writer (the default where lxml is
installed) and its ElementTree writer.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx

from graphsvc.errors import IngestError
from graphsvc.export import FORMATS, select
from graphsvc.export.fields import FIELD_TYPES, flat, node_values
from graphsvc.graph.build import build_store
from graphsvc.graph.store import GraphStore
from graphsvc.ingest.documents import build_record, compact, item_of, parse_frontmatter
from graphsvc.model import Document, IngestReport

SYNTH = Path(__file__).resolve().parent / "synth.py"


class Sink:
    """A binary file that only counts what it is given."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        """Nothing to flush."""


# The graph ---------------------------------------------------------------------------
def load(n: int, corpus: Path) -> GraphStore:
    """The store of N synthetic documents (bench/synth.py's corpus, or in-memory records)."""
    if not SYNTH.is_file():
        print(f"(no {SYNTH.name}: building {n:,} records in memory)")
        return build_store(memory_records(n), IngestReport(), version="memory")
    if not (corpus / ".complete").is_file():
        print(f"writing {n:,} documents into {corpus} with {SYNTH.name} …", flush=True)
        subprocess.run([sys.executable, str(SYNTH), str(n), str(corpus)], check=True)
        (corpus / ".complete").write_text(str(n))
    return build_store(read_corpus(corpus), IngestReport(), version=f"synth-{n}")


def read_corpus(root: Path) -> Iterator[tuple[str, Document]]:
    """The corpus's records, parsed as graphsvc.ingest parses them and held as its loader
    holds them (related items as ``Item`` tuples of shared strings, ``documents.compact``),
    without the parse cache and the process pool: the export is what is timed here."""
    strings: dict[str, str] = {}
    for path in sorted(root.rglob("*.md")):
        rel = path.relative_to(root).as_posix()
        try:
            record = build_record(rel, parse_frontmatter(rel, path.read_bytes()))
        except IngestError:
            continue
        record["warnings"] = []
        yield rel, compact(record, strings)


def memory_records(n: int, seed: int = 1) -> Iterator[tuple[str, Document]]:
    """Records shaped like graphsvc.ingest's: about 31 related items each, a quarter of them
    other documents and the rest stubs, as shared ``Item`` tuples, so memory stays small."""
    rng = random.Random(seed)
    providers = [f"site{i}.example" for i in range(400)]
    topics = [f"Topic {i}" for i in range(20)]

    def item(url: str, i: int) -> dict[str, Any]:
        return {
            "url": url,
            "urls": [url],
            "title": f"Article number {i} about things",
            "excerpt": "An excerpt of moderate length, to weigh like a real one does. " * 2,
            "published_at": f"20{19 + i % 4}-0{1 + i % 9}-1{i % 10}T12:00:00+00:00",
            "type": "article",
            "quality": i % 100,
            "heat": i % 50,
            "published": True,
            "provider": {"domain": providers[i % len(providers)], "name": f"Site {i % 400}"},
            "images": [[f"https://img.example/{i}.jpg", 640, 480]],
        }

    docs = [item(f"https://news.example/a/{i}", i) for i in range(n)]
    stubs = [item(f"https://stub.example/s/{i}", n + i) for i in range(n // 2)]
    as_item = {fields["url"]: item_of(fields) for fields in (*docs, *stubs)}
    for i, doc in enumerate(docs):
        related = {}
        for _ in range(31):
            pool = docs if rng.random() < 0.26 else stubs
            target = pool[rng.randrange(len(pool))]
            if target is not doc:
                related[target["url"]] = target
        record = Document(
            as_item[doc["url"]],
            topics=tuple(rng.sample(topics, 2)),
            related=tuple(as_item[url] for url in related),
        )
        yield f"{i:07d}.md", record


def attributed_copy(store: GraphStore) -> nx.DiGraph:
    """The graph with graphsvc's flattened attributes on every node and edge."""
    graph = nx.DiGraph()
    for key in store.graph:
        values = node_values(store, key)
        graph.add_node(key, **{k: flat(FIELD_TYPES[k], v) for k, v in values.items()})
    for source, target, kind, rank in select(store).edges():
        attrs: dict[str, Any] = {"kind": kind.value}
        if rank is not None:
            attrs["rank"] = rank
        graph.add_edge(source, target, **attrs)
    return graph


# Runs ----------------------------------------------------------------------------------
def jobs(store: GraphStore, etree: bool) -> dict[str, Callable[[Sink], None]]:
    """Every measured export, writing into a Sink."""

    def ours(name: str) -> Callable[[Sink], None]:
        def run(sink: Sink) -> None:
            for chunk in FORMATS[name].generate(select(store), None):
                sink.write(chunk)

        return run

    def nx_plain(sink: Sink) -> None:
        nx.write_graphml(store.graph, sink)

    def nx_attributed(sink: Sink) -> None:
        nx.write_graphml(attributed_copy(store), sink)

    def nx_etree(sink: Sink) -> None:  # what write_graphml is where lxml is not installed
        nx.write_graphml_xml(attributed_copy(store), sink)

    out: dict[str, Callable[[Sink], None]] = {name: ours(name) for name in FORMATS}
    out["nx.write_graphml (kind only)"] = nx_plain
    out["nx.write_graphml (attributed copy)"] = nx_attributed
    if etree:
        out["nx.write_graphml_xml (attr. copy)"] = nx_etree
    return out


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def in_child(fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run fn in a forked child and return its JSON-able result."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        try:
            payload = json.dumps(fn())
        except BaseException as exc:  # report, never fall back into the parent's code
            payload = json.dumps({"error": repr(exc)})
        os.write(write_end, payload.encode())
        os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    return json.loads(b"".join(chunks))  # type: ignore[no-any-return]


def timed(job: Callable[[Sink], None]) -> dict[str, Any]:
    """Seconds, output bytes and peak-RSS growth of one run (in a child)."""
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    before = _rss_kib("VmRSS")
    sink = Sink()
    started = time.perf_counter()
    job(sink)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "bytes": sink.size, "rss_mib": (_rss_kib("VmHWM") - before) / 1024}


def traced(job: Callable[[Sink], None]) -> dict[str, Any]:
    """Peak of Python allocations during one run (in a child)."""
    tracemalloc.start()
    job(Sink())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"traced_mib": peak / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument(
        "--formats", default="", help="comma-separated run names (or their starts), in order"
    )
    parser.add_argument("--no-tracemalloc", action="store_true")
    parser.add_argument(
        "--etree",
        action="store_true",
        help="also run NetworkX's ElementTree writer (default only up to 20,000 documents:"
        " it holds the whole document, about 2 GiB per million edges)",
    )
    args = parser.parse_args()
    corpus = args.corpus or Path(f"/tmp/graphsvc-bench-export-{args.n}")
    started = time.perf_counter()
    gc.disable()
    store = load(args.n, corpus)
    gc.enable()
    gc.freeze()  # the store is long-lived: keep the children from scanning (and copying) it
    counts = store.counts
    print(
        f"store: {counts.articles:,} articles, {counts.stubs:,} stubs, {counts.providers:,}"
        f" providers, {counts.topics:,} topics, {counts.edges:,} edges"
        f" (loaded in {time.perf_counter() - started:.1f} s,"
        f" RSS {_rss_kib('VmRSS') / 1024:,.0f} MiB)"
    )
    print(f"networkx {nx.__version__}, write_graphml = {nx.write_graphml.__name__}\n")
    wanted = [w.strip() for w in args.formats.split(",") if w.strip()]
    header = (
        f"{'run':36} {'seconds':>8} {'output MiB':>11} {'peak RSS +MiB':>14} {'traced MiB':>11}"
    )
    print(header)
    print("-" * len(header))
    runs = jobs(store, args.etree or args.n <= 20_000)
    names = [n for w in wanted for n in runs if n.startswith(w)] if wanted else list(runs)
    for name in dict.fromkeys(names):  # in the order asked, once each
        job = runs[name]
        result = in_child(lambda job=job: timed(job))  # type: ignore[misc]
        if "error" in result:
            print(f"{name:36} failed: {result['error']}")
            continue
        traced_mib = "-"
        if not args.no_tracemalloc:
            peak = in_child(lambda job=job: traced(job))  # type: ignore[misc]
            traced_mib = f"{peak.get('traced_mib', float('nan')):,.1f}"
        print(
            f"{name:36} {result['seconds']:8.1f} {result['bytes'] / 2**20:11,.1f}"
            f" {result['rss_mib']:14,.1f} {traced_mib:>11}",
            flush=True,
        )


if __name__ == "__main__":
    main()
