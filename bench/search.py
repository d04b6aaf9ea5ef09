"""Benchmark full-text search over the real news corpus: tantivy (graphsvc) vs SQLite FTS5.

Usage: ``python bench/search.py [CORPUS_DIR] [--queries N] [--rounds R] [--builds B] [--threads T]``
(CORPUS_DIR defaults to ``../shared/corpus/news`` beside the repo). graphsvc's SearchIndex
(tantivy) is measured against an FTS5 index with the same behaviour, kept here for comparison.
"""

from __future__ import annotations

import argparse
import html
import os
import random
import re
import sqlite3
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any, Protocol

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graphsvc.graph.search import (  # noqa: E402
    BODY_WEIGHT,
    MAX_FIRST,
    MAX_QUERY_CHARS,
    MAX_QUERY_TERMS,
    MIN_PREFIX_CHARS,
    TITLE_WEIGHT,
    SearchDoc,
    SearchHit,
    SearchIndex,
)

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "news"


class Engine(Protocol):
    """What the benchmark needs of an index."""

    def search(
        self, query: str, first: int = 10, kinds: Sequence[str] | None = None
    ) -> list[SearchHit]: ...

    def __len__(self) -> int: ...


# --------------------------------------------------------------------------- corpus


def _load_yaml() -> tuple[str, Callable[[str], Any]]:
    """Pick the fastest YAML parser installed: yaml-rs, else PyYAML's C (or pure) loader."""
    try:
        import yaml_rs  # type: ignore[import-not-found, unused-ignore]

        return "yaml_rs", yaml_rs.loads
    except ImportError:
        import yaml  # type: ignore[import-untyped, unused-ignore]

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return "PyYAML", lambda text: yaml.load(text, Loader=loader)


def read_frontmatter(path: Path, parse: Callable[[str], Any]) -> dict[str, Any] | None:
    """The YAML between the first two ``---`` lines of a file, or None."""
    lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    fences = [i for i, line in enumerate(lines) if line.rstrip() == "---"][:2]
    if len(fences) < 2:
        return None
    try:
        data = parse("\n".join(lines[fences[0] + 1 : fences[1]]))
    except Exception:  # a benchmark skips bad files
        return None
    return data if isinstance(data, dict) else None


def _text(value: object) -> str:
    return "" if value is None else str(value)


def load_docs(corpus: Path) -> tuple[list[SearchDoc], dict[str, int]]:
    """Every document and related item as an article text, plus topics and providers.

    Repeated URLs get a ``#n`` suffix so that all ~45k texts are indexed (a stand-in for a
    bigger corpus); topics and providers are deduplicated like the graph does.
    """
    parser, parse = _load_yaml()
    started = time.perf_counter()
    docs: list[SearchDoc] = []
    seen: dict[str, int] = {}
    topics: dict[str, str] = {}
    providers: dict[str, str] = {}
    files = 0

    def add_article(item: dict[str, Any]) -> None:
        url = _text(item.get("webUrl") or item.get("originalUrl")).strip()
        if not url:
            return
        key = f"a:{url}"
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}#{seen[key]}"
        docs.append(SearchDoc(key, "article", _text(item.get("title")), _text(item.get("excerpt"))))
        provider = item.get("provider")
        if isinstance(provider, dict):
            domain = _text(provider.get("domain")).strip().lower().removeprefix("www.")
            if domain:
                providers.setdefault(domain, _text(provider.get("name")) or domain)

    for path in sorted(corpus.rglob("*.md")):
        data = read_frontmatter(path, parse)
        if data is None:
            continue
        files += 1
        add_article(data)
        raw_topics = data.get("topics") or []
        for topic in [raw_topics] if isinstance(raw_topics, str) else raw_topics:
            if isinstance(topic, str) and topic.strip():
                topics.setdefault(topic.strip().casefold(), topic.strip())
        for item in data.get("related") or []:
            if isinstance(item, dict):
                add_article(item)
    docs += [SearchDoc(f"t:{key}", "topic", name, "") for key, name in topics.items()]
    docs += [SearchDoc(f"p:{key}", "provider", name, "") for key, name in providers.items()]
    stats = {
        "files": files,
        "articles": sum(1 for d in docs if d.kind == "article"),
        "topics": len(topics),
        "providers": len(providers),
    }
    print(f"corpus: {corpus} ({parser}, read in {time.perf_counter() - started:.2f} s)")
    return docs, stats


def make_queries(docs: Sequence[SearchDoc], count: int, seed: int) -> list[str]:
    """Queries from real title words: one word, two adjacent words, or a word prefix (typing)."""
    rng = random.Random(seed)
    titles = [d.title for d in docs if d.kind == "article" and d.title]
    queries: list[str] = []
    while len(queries) < count:
        words = [w.lower() for w in _WORD_RE.findall(rng.choice(titles)) if len(w) >= 3]
        if not words:
            continue
        i = rng.randrange(len(words))
        match len(queries) % 3:
            case 0:
                queries.append(words[i])
            case 1 if i + 1 < len(words):
                queries.append(f"{words[i]} {words[i + 1]}")
            case _:
                queries.append(words[i][: rng.randint(2, max(2, min(5, len(words[i]))))])
    return queries


# --------------------------------------------------------------------------- FTS5

_OPEN, _CLOSE = "\ue000", "\ue001"  # hit sentinels, swapped for <mark> after HTML escaping
_SCRUB = {ord(_OPEN): None, ord(_CLOSE): None, 0: " "}
_WORD_RE = re.compile(r"[^\W_]+")  # close to FTS5 unicode61 token characters (L*, N*, Co)


class Fts5Index:
    """The same interface as graphsvc's SearchIndex, on SQLite FTS5 (in memory), for comparison.

    Same behaviour: words quoted (no FTS5 syntax gets through), all required then any,
    last word a prefix while being typed, title weighted, one lock around the connection.
    """

    def __init__(self, docs: Iterable[SearchDoc]) -> None:
        by_key = {doc.key: doc for doc in docs}
        conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        conn.execute(
            "CREATE VIRTUAL TABLE docs USING fts5("
            "title, body, kind UNINDEXED, tokenize='unicode61 remove_diacritics 2')"
        )
        conn.execute(
            "INSERT INTO docs(docs, rank) VALUES('rank', ?)",
            (f"bm25({TITLE_WEIGHT}, {BODY_WEIGHT})",),
        )
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO docs(rowid, title, body, kind) VALUES (?, ?, ?, ?)",
            (
                (i, d.title.translate(_SCRUB), d.body.translate(_SCRUB), d.kind)
                for i, d in enumerate(by_key.values())
            ),
        )
        conn.execute("COMMIT")
        conn.execute("INSERT INTO docs(docs) VALUES('optimize')")
        self._conn = conn
        self._keys = list(by_key)
        self._kinds = frozenset(d.kind for d in by_key.values())
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._keys)

    def search(
        self, query: str, first: int = 10, kinds: Sequence[str] | None = None
    ) -> list[SearchHit]:
        limit = int(max(0, min(first, MAX_FIRST)))
        text = query[:MAX_QUERY_CHARS].encode("utf-8", "replace").decode("utf-8")
        words = _WORD_RE.findall(text)
        wanted = self._kinds if kinds is None else self._kinds.intersection(kinds)
        if not words or not limit or not wanted:
            return []
        is_prefix = (
            len(words) <= MAX_QUERY_TERMS
            and text.endswith(words[-1])
            and len(words[-1]) >= MIN_PREFIX_CHARS
        )
        quoted = [f'"{w}"' for w in words[:MAX_QUERY_TERMS]]
        if is_prefix:
            quoted[-1] += "*"
        hits = self._run(" ".join(quoted), wanted, limit)
        if not hits and len(quoted) > 1:
            hits = self._run(" OR ".join(quoted), wanted, limit)
        return hits

    def _run(self, expression: str, kinds: frozenset[str], limit: int) -> list[SearchHit]:
        sql = (
            f"SELECT rowid, rank, kind, snippet(docs, -1, '{_OPEN}', '{_CLOSE}', '…', 32)"
            " FROM docs WHERE docs MATCH ?"
        )
        params: list[str | int] = [expression]
        if kinds != self._kinds:
            sql += f" AND kind IN ({', '.join('?' * len(kinds))})"
            params += sorted(kinds)
        params.append(limit)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY rank LIMIT ?", params).fetchall()
        return [
            SearchHit(
                self._keys[rowid],
                kind,
                -rank,
                html.escape(snippet).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>"),
            )
            for rowid, rank, kind, snippet in rows
        ]


# --------------------------------------------------------------------------- timing


@dataclass
class Result:
    """Measured figures of one engine."""

    name: str
    docs: int
    build_s: list[float]
    query_ns: list[int]
    threaded_qps: float
    single_qps: float
    sample: dict[str, list[str]]

    @property
    def median_ns(self) -> float:
        return statistics.median(self.query_ns)

    @property
    def p99_ns(self) -> int:
        ordered = sorted(self.query_ns)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]

    def line(self) -> str:
        return (
            f"{self.name:8} docs={self.docs}  build median {statistics.median(self.build_s):.3f} s"
            f" (min {min(self.build_s):.3f})  query median {self.median_ns / 1e3:7.1f} µs"
            f"  p99 {self.p99_ns / 1e3:8.1f} µs  max {max(self.query_ns) / 1e3:8.1f} µs"
            f"  1 thread {self.single_qps:5.0f} q/s, threaded {self.threaded_qps:5.0f} q/s"
        )


def measure(
    name: str,
    build: Callable[[list[SearchDoc]], Engine],
    docs: list[SearchDoc],
    queries: list[str],
    rounds: int,
    builds: int,
    threads: int,
) -> Result:
    """Build ``builds`` times, then time every query ``rounds`` times after a warm-up round."""
    build_s = []
    engine: Engine | None = None
    for _ in range(builds):
        engine = None  # free the previous index before timing the next build
        started = time.perf_counter()
        engine = build(docs)
        build_s.append(time.perf_counter() - started)
    assert engine is not None
    sample = {q: [h.key for h in engine.search(q)] for q in queries}  # warm-up
    query_ns: list[int] = []
    started = time.perf_counter()
    for _ in range(rounds):
        for q in queries:
            t0 = time.perf_counter_ns()
            engine.search(q)
            query_ns.append(time.perf_counter_ns() - t0)
    single_qps = len(query_ns) / (time.perf_counter() - started)
    work = queries * rounds
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(engine.search, work, chunksize=16))
    threaded_qps = len(work) / (time.perf_counter() - started)
    return Result(name, len(engine), build_s, query_ns, threaded_qps, single_qps, sample)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print one line per engine plus the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--builds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus folder not found: {args.corpus}", file=sys.stderr)
        return 2
    docs, stats = load_docs(args.corpus)
    print(", ".join(f"{k}={v}" for k, v in stats.items()), f"texts={len(docs)}")
    queries = make_queries(docs, args.queries, args.seed)
    print(f"{len(queries)} queries x {args.rounds} rounds, first=10, e.g. {queries[:6]}")

    engines: list[tuple[str, Callable[[list[SearchDoc]], Engine]]] = [
        ("tantivy", SearchIndex.build),
        ("fts5", Fts5Index),
    ]
    results = [
        measure(name, build, docs, queries, args.rounds, args.builds, args.threads)
        for name, build in engines
    ]
    print(
        f"python {sys.version.split()[0]}, tantivy {version('tantivy')},"
        f" sqlite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs,"
        f" threaded run with {args.threads} threads"
    )
    for result in results:
        print(result.line())
    base, other = results
    overlap = [
        len(set(base.sample[q]) & set(other.sample[q]))
        / max(1, len(base.sample[q]), len(other.sample[q]))
        for q in queries
    ]
    print(
        f"ratio {other.name}/{base.name}:"
        f" build x{statistics.median(other.build_s) / statistics.median(base.build_s):.2f},"
        f" query median x{other.median_ns / base.median_ns:.2f},"
        f" p99 x{other.p99_ns / base.p99_ns:.2f},"
        f" threaded q/s x{other.threaded_qps / base.threaded_qps:.2f};"
        f" mean top-10 overlap {statistics.mean(overlap):.0%}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
