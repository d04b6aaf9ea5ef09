"""The parse cache as a table of strings and packed records (issue 13, item 4): the same
documents and version as a plain parse, each string stored once, damage and garbage handled."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from pathlib import Path

import orjson
import pytest

from graphsvc.errors import IngestError
from graphsvc.ingest import cache as cache_module
from graphsvc.ingest import documents
from graphsvc.ingest.cache import ParseCache, cache_path_for
from graphsvc.ingest.documents import compact, read_record
from graphsvc.ingest.loader import DOCUMENT_SUFFIXES, load_corpus, scan_corpus
from tests.ingest.test_loader import doc, write


def plain_documents(root: Path) -> tuple[dict[str, object], str]:
    """Every readable document of ``root`` decoded the plain way (one JSON record a file,
    ``compact``), and the ingest version of those records."""
    documents: dict[str, object] = {}
    version = hashlib.sha256()
    strings: dict[str, str] = {}
    for path in sorted(root.rglob("*"), key=lambda p: str(p.relative_to(root))):
        if path.suffix.lower() not in DOCUMENT_SUFFIXES or not path.is_file():
            continue
        rel = str(path.relative_to(root))
        try:
            record = read_record(rel, path.read_bytes())
        except Exception:  # a rejected file: the corpus tests cover those
            continue
        blob = orjson.dumps(record)
        documents[rel] = compact(record, strings)
        version.update(rel.encode() + b"\0" + hashlib.sha256(blob).digest())
    return documents, version.hexdigest()[:16]


def test_cold_warm_and_uncached_give_the_plain_documents(news_dir: Path, tmp_path: Path) -> None:
    cold = load_corpus(news_dir, cache_dir=tmp_path)
    warm = load_corpus(news_dir, cache_dir=tmp_path)
    uncached = load_corpus(news_dir, use_cache=False, workers=1)
    assert (warm.report.parsed, cold.report.cached) == (0, 0)
    assert cold.records == warm.records == uncached.records
    assert cold.version == warm.version == uncached.version
    assert cold.report.warnings == warm.report.warnings == uncached.report.warnings
    documents, version = plain_documents(news_dir)
    rejected = {p.path for p in cold.report.rejected}
    assert dict(cold.records) == {k: v for k, v in documents.items() if k not in rejected}
    if not rejected:  # the version hashes rejections too
        assert cold.version == version


def test_each_string_is_stored_once(tmp_path: Path) -> None:
    corpus, cache = tmp_path / "c", tmp_path / "cache"
    shared = "Zqxj shared related title"
    for i in range(40):
        related = f"related:\n  - title: {shared}\n    webUrl: https://y.org/shared\n"
        write(corpus, f"{i:02}.md", doc(f"T{i}", f"https://x.org/{i}", related))
    cold = load_corpus(corpus, cache_dir=cache)
    assert all(d.related[0].title == shared for _, d in cold.records)
    raw = cache_path_for(corpus, cache).read_bytes()
    assert raw.count(shared.encode()) == 1  # 40 times in a cache of one JSON record a file


def test_the_cache_is_a_fraction_of_the_corpus(news_dir: Path, tmp_path: Path) -> None:
    load_corpus(news_dir, cache_dir=tmp_path)
    corpus_bytes = sum(p.stat().st_size for p in news_dir.rglob("*") if p.is_file())
    cached = cache_path_for(news_dir, tmp_path).stat().st_size
    assert cached < corpus_bytes * 0.2, f"{cached:,} bytes of cache for {corpus_bytes:,}"


def test_damaged_strings_empty_the_cache(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    corpus, cache = tmp_path / "c", tmp_path / "cache"
    for i in range(5):
        write(corpus, f"{i}.md", doc(f"T{i}", f"https://x.org/{i}"))
    cold = load_corpus(corpus, cache_dir=cache)
    with sqlite3.connect(cache_path_for(corpus, cache)) as db:
        (blob,) = db.execute("select texts from strings").fetchone()
        # the same strings in another order: well-formed, but only the checksum tells
        db.execute("update strings set texts=?", (blob.replace(b'"T0"', b'"T1"', 1),))
    with caplog.at_level(logging.WARNING):
        again = load_corpus(corpus, cache_dir=cache)
    assert "its strings are damaged; emptying it" in caplog.text
    assert (again.report.parsed, again.report.cached) == (5, 0)
    assert again.records == cold.records and again.version == cold.version
    assert load_corpus(corpus, cache_dir=cache).report.cached == 5  # sound again


def test_strings_no_longer_used_empty_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(cache_module, "GARBAGE_STRINGS", 3)
    corpus, cache = tmp_path / "c", tmp_path / "cache"
    for i in range(10):
        write(corpus, f"{i}.md", doc(f"T{i}", f"https://x.org/{i}"))
    load_corpus(corpus, cache_dir=cache)
    for i in range(8):  # most files gone: their strings are garbage now
        (corpus / f"{i}.md").unlink()
    with caplog.at_level(logging.WARNING):
        result = load_corpus(corpus, cache_dir=cache)
    assert [p for p, _ in result.records] == ["8.md", "9.md"]
    assert "are no longer used; emptying it" in caplog.text
    with sqlite3.connect(cache_path_for(corpus, cache)) as db:
        assert db.execute("select count(*) from strings").fetchone() == (0,)
    assert load_corpus(corpus, cache_dir=cache).report.parsed == 2  # parsed again, kept
    assert load_corpus(corpus, cache_dir=cache).report.cached == 2


def test_a_file_that_turns_bad_keeps_its_strings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A last good record's strings count as used: the cache is not emptied for them."""
    monkeypatch.setattr(cache_module, "GARBAGE_STRINGS", 0)
    corpus, cache = tmp_path / "c", tmp_path / "cache"
    path = write(corpus, "a.md", doc("Good title", "https://x.org/a"))
    load_corpus(corpus, cache_dir=cache)
    path.write_text("---\ntitle: [broken\n---\n")
    for _ in range(2):
        result = load_corpus(corpus, cache_dir=cache)
        assert dict(result.records)["a.md"].item.title == "Good title"


def test_two_ingests_at_once_never_mix_their_strings(tmp_path: Path) -> None:
    """Two ingests of one corpus at once (a server's workers) number their new strings from
    the same point: the second to store them stores nothing, so no record reads the other's."""
    corpus, cache = tmp_path / "c", tmp_path / "cache"
    for i in range(10):
        write(corpus, f"{i:02}.md", doc(f"T{i}", f"https://x.org/{i}"))
    load_corpus(corpus, cache_dir=cache, workers=1)
    for i in range(5, 10):  # new strings for the outer ingest
        write(corpus, f"{i:02}.md", doc(f"Outer title {i}", f"https://x.org/{i}"))
    inner: list[object] = []

    def meanwhile(done: int, total: int) -> None:
        if not inner:  # the outer ingest has read the cache, and stored nothing yet
            # cached for the outer ingest; parsed first by the inner one, numbering its
            # strings where the outer ingest numbers those of 05.md
            write(corpus, "00.md", doc("Inner title", "https://x.org/0"))
            inner.append(load_corpus(corpus, cache_dir=cache, workers=1))

    load_corpus(corpus, cache_dir=cache, workers=1, progress=meanwhile)
    warm = load_corpus(corpus, cache_dir=cache, workers=1)
    plain = load_corpus(corpus, use_cache=False, workers=1)
    assert dict(warm.records)["00.md"].item.title == "Inner title"
    assert warm.records == plain.records


def test_memoised_rules_give_what_fresh_ones_give(
    news_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parser's per-process memos (URLs, dates, domains, repaired text) change nothing:
    the corpus read with them emptied before each file, full, or emptied often (a small
    limit) gives the same records and rejections."""
    raws = [(str(p.relative_to(news_dir)), p.read_bytes()) for p in sorted(news_dir.rglob("*"))]
    memos = (documents._CANONICAL, documents._CLEAN, documents._DATES, documents._DOMAINS)

    def read_all(*, fresh: bool) -> list[object]:
        out: list[object] = []
        for rel, raw in raws:
            if fresh:
                for memo in memos:
                    memo.clear()
            try:
                out.append(read_record(rel, raw))
            except IngestError as exc:
                out.append((exc.reason, exc.line))
        return out

    fresh = read_all(fresh=True)
    assert read_all(fresh=False) == fresh  # every value seen before
    monkeypatch.setattr(documents, "_MEMO_LIMIT", 7)
    for memo in memos:
        memo.clear()
    assert read_all(fresh=False) == fresh
    assert max(len(memo) for memo in memos) <= 7


def test_a_cache_rewritten_while_it_is_read_is_read_as_one_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another ingest that empties the cache and fills it again, numbering strings anew,
    between this one's reading of the strings and of the records: the records read are
    still those of the strings read (one read transaction)."""
    corpus, cache = tmp_path / "c", tmp_path / "cache"
    for i in range(10):
        write(corpus, f"{i:02}.md", doc(f"T{i}", f"https://x.org/{i}"))
    cold = load_corpus(corpus, cache_dir=cache, workers=1)
    scan = scan_corpus(corpus)  # this ingest's view of the files, before they change
    stats = ParseCache.stats
    others: list[object] = []

    def another_ingest_first(self: ParseCache) -> dict[str, tuple[int, int]]:
        if not others:
            others.append(None)
            with sqlite3.connect(cache_path_for(corpus, cache)) as db:  # emptied (garbage)
                db.execute("delete from files")
                db.execute("delete from strings")
            # one more string for 00.md: every later number moves up by one
            write(corpus, "00.md", doc("T0", "https://x.org/0", "excerpt: a new excerpt\n"))
            others.append(load_corpus(corpus, cache_dir=cache, workers=1))
        return stats(self)

    monkeypatch.setattr(ParseCache, "stats", another_ingest_first)
    result = load_corpus(corpus, cache_dir=cache, workers=1, scan=scan)
    assert len(others) == 2
    # 00.md changed after this ingest's walk: whichever version it read, it read it whole
    assert result.records[1:] == cold.records[1:]
    warm = load_corpus(corpus, cache_dir=cache, workers=1)  # and stored nothing that mixes
    assert warm.records == load_corpus(corpus, use_cache=False, workers=1).records


def test_an_ingest_that_finds_the_cache_refilled_stores_nothing(tmp_path: Path) -> None:
    """Another ingest empties the cache and fills it again, with as many strings numbered
    otherwise, between this one's read and its first write: this one stores nothing (its
    records' numbers would now name the other's strings)."""
    corpus, cache = tmp_path / "c", tmp_path / "cache"
    for i in range(10):
        write(corpus, f"{i:02}.md", doc(f"T{i}", f"https://x.org/{i}"))
    load_corpus(corpus, cache_dir=cache, workers=1)
    write(corpus, "05.md", doc("Outer 5", "https://x.org/5"))  # parsed by this ingest
    others: list[object] = []

    def another_ingest_first(done: int, total: int) -> None:
        if not others:
            with sqlite3.connect(cache_path_for(corpus, cache)) as db:  # emptied (garbage)
                db.execute("delete from files")
                db.execute("delete from strings")
            # one string more at the start, one fewer at the end: as many, numbered otherwise
            write(corpus, "00.md", doc("T0", "https://x.org/0", "excerpt: E0\n"))
            write(corpus, "09.md", doc("T8", "https://x.org/9"))
            others.append(load_corpus(corpus, cache_dir=cache, workers=1))

    load_corpus(corpus, cache_dir=cache, workers=1, progress=another_ingest_first)
    warm = load_corpus(corpus, cache_dir=cache, workers=1)
    assert warm.records == load_corpus(corpus, use_cache=False, workers=1).records
    assert dict(warm.records)["05.md"].item.url == "https://x.org/5"
