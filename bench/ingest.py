"""Cold and warm ingest of a corpus against a plain ``frontmatter.load()`` loop, same run.

    python bench/ingest.py [CORPUS] [--repeat N] [--cold-only]

CORPUS defaults to ../shared/corpus/news. Cold: an empty parse cache (every file parsed, on
every core, the store built and kept). Warm: the second run, which finds nothing changed and
reads the kept store back. Warm from the parse cache alone: the kept store deleted, so every
record is read from the cache and merged again (what a reload after an edit does).
The baseline reads the same files with python-frontmatter's default YAML handler (PyYAML).
Also printed: the parse cache's size against the corpus's (the target is under 20%), and the
CPU time per document, in one process, of the ``frontmatter.load`` loop, of graphsvc's parser
alone (split and YAML) and of all a parse worker does (parse, normalise, pack the record).

``--cold-only``: each run is one cold ingest and build in a fresh child process (no store
kept, no analytics: what ``graphsvc ingest --no-cache`` does before writing the store), with
its wall time, the CPU time of the main process and of the parse workers, and the peak RSS of
each (``ru_maxrss``); no baseline, no warm runs. For large corpora (a 30k or 100k ``synth.py``
corpus), where the baseline alone takes minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import frontmatter

from graphsvc.corpus import load_store
from graphsvc.ingest.cache import cache_path_for
from graphsvc.ingest.documents import parse_frontmatter
from graphsvc.ingest.loader import DOCUMENT_SUFFIXES, parse_file

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "news"


def plain_loop(corpus: Path) -> float:
    """Seconds for ``frontmatter.load`` over every document, in one process."""
    files = sorted(p for p in corpus.rglob("*") if p.suffix in {".md", ".markdown", ".txt"})
    started = time.perf_counter()
    for path in files:
        frontmatter.load(path)
    return time.perf_counter() - started


def per_document(corpus: Path) -> tuple[float, float, float]:
    """CPU milliseconds per document (the best of three passes) of the ``frontmatter.load``
    loop, of the parser alone and of a parse worker's whole work."""
    files = sorted(str(p) for p in corpus.rglob("*") if p.suffix.lower() in DOCUMENT_SUFFIXES)

    def parse_only(path: str) -> None:
        with open(path, "rb") as fh, contextlib.suppress(Exception):  # a rejected file too
            parse_frontmatter(path, fh.read())

    def best(one: Callable[[str], object]) -> float:
        times = []
        for _ in range(3):
            started = time.process_time()
            for path in files:
                one(path)
            times.append(time.process_time() - started)
        return min(times) / len(files) * 1000

    return best(frontmatter.load), best(parse_only), best(lambda path: parse_file(path, path))


def graphsvc_runs(corpus: Path) -> tuple[float, float, float, int, int]:
    """Seconds for a cold ingest, a warm one (the kept store read back), a warm one from the
    parse cache alone (kept store deleted: every record decoded and merged again), the
    article count and the parse cache's bytes."""
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        load_store(corpus, cache_dir=Path(cache))
        cold = time.perf_counter() - started
        cache_bytes = cache_path_for(corpus, Path(cache)).stat().st_size
        started = time.perf_counter()
        store = load_store(corpus, cache_dir=Path(cache))
        warm = time.perf_counter() - started
        for kept in Path(cache).glob("*.store"):
            kept.unlink()
        started = time.perf_counter()
        load_store(corpus, cache_dir=Path(cache), keep=False)
        records = time.perf_counter() - started
    return cold, warm, records, store.counts.articles, cache_bytes


_COLD_CHILD = """
import json, resource, sys, tempfile, time
from pathlib import Path
from graphsvc.corpus import load_store
with tempfile.TemporaryDirectory() as cache:
    started, cpu = time.perf_counter(), time.process_time()
    store = load_store(Path(sys.argv[1]), cache_dir=Path(cache), keep=False, analytics=False)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
children = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "wall": wall, "main_cpu": cpu, "workers_cpu": children.ru_utime + children.ru_stime,
    "main_peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "worker_peak_mib": children.ru_maxrss / 1024, "articles": store.counts.articles,
    "version": store.version,
}))
"""


def cold_run(corpus: Path) -> dict[str, float]:
    """One cold ingest and build in a fresh child process: its figures (``--cold-only``)."""
    out = subprocess.run(
        [sys.executable, "-c", _COLD_CHILD, str(corpus)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(out.splitlines()[-1]))


def cold_only(corpus: Path, repeat: int) -> None:
    """``--cold-only``: cold runs in fresh children, then their medians."""
    runs = []
    for i in range(repeat):
        run = cold_run(corpus)
        runs.append(run)
        load = os.getloadavg()[0]
        print(
            f"run {i + 1}: cold {run['wall']:.2f}s  main CPU {run['main_cpu']:.2f}s"
            f"  workers CPU {run['workers_cpu']:.2f}s  peak RSS main {run['main_peak_mib']:,.0f}"
            f" MiB, a worker {run['worker_peak_mib']:,.0f} MiB  (load average {load:.2f})"
        )
    n = runs[0]["articles"]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k != "version"}
    per_doc = 1000 / max(1, n)
    print(
        f"median of {repeat}: cold {med['wall']:.2f}s, CPU per article: main"
        f" {med['main_cpu'] * per_doc:.3f} ms, workers {med['workers_cpu'] * per_doc:.3f} ms;"
        f" peak RSS main {med['main_peak_mib']:,.0f} MiB ({n:,} articles, version"
        f" {runs[0]['version']})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; medians reported")
    parser.add_argument(
        "--cold-only", action="store_true", help="only cold runs, each in a fresh child"
    )
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"no corpus at {args.corpus}")
    if args.cold_only:
        cold_only(args.corpus, args.repeat)
        return
    colds, warms, records_runs, bases = [], [], [], []
    for i in range(args.repeat):
        base = plain_loop(args.corpus)
        cold, warm, records, articles, cache_bytes = graphsvc_runs(args.corpus)
        bases.append(base)
        colds.append(cold)
        warms.append(warm)
        records_runs.append(records)
        print(
            f"run {i + 1}: frontmatter.load loop {base:.2f}s  cold {cold:.2f}s  warm {warm:.2f}s"
            f"  warm from the parse cache alone {records:.2f}s"
        )
    base, cold, warm, records = (statistics.median(x) for x in (bases, colds, warms, records_runs))
    corpus_bytes = sum(p.stat().st_size for p in args.corpus.rglob("*") if p.is_file())
    print(f"\ncorpus: {args.corpus} ({articles:,} articles, {corpus_bytes:,} bytes)")
    print(f"parse cache: {cache_bytes:,} bytes, {cache_bytes / corpus_bytes:.1%} of the corpus")
    print(f"baseline frontmatter.load loop: {base:6.2f} s")
    loop, parser, worker = per_document(args.corpus)
    print(f"CPU per document: frontmatter.load {loop:.3f} ms, graphsvc's parser {parser:.3f} ms,")
    print(f"  a parse worker's whole work {worker:.3f} ms ({worker - parser:.3f} ms beyond it)")
    print(f"graphsvc cold ingest:           {cold:6.2f} s   {base / cold:5.1f}x faster")
    print(f"graphsvc warm ingest:           {warm:6.2f} s   {base / warm:5.1f}x faster")
    print(f"  from the parse cache alone:   {records:6.2f} s   {base / records:5.1f}x faster")


if __name__ == "__main__":
    main()
