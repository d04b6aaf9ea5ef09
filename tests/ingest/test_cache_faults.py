"""The parse cache under faults (issue 17, items 1, 4 and 5): damaged records and files, an
oversized file, a nearly full disk. A damaged cache costs a re-parse, never an ingest."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.ingest.cache import RESERVE_BYTES, cache_path_for
from graphsvc.ingest.loader import load_corpus
from tests.ingest.test_loader import doc, write


def small_corpus(root: Path, n: int = 5) -> Path:
    for i in range(n):
        write(root, f"{i}.md", doc(f"T{i}", f"https://x.org/{i}"))
    return root


def test_a_record_that_fails_its_checksum_is_parsed_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    corpus, cache = small_corpus(tmp_path / "c"), tmp_path / "cache"
    cold = load_corpus(corpus, cache_dir=cache)
    with sqlite3.connect(cache_path_for(corpus, cache)) as db:
        # a well-formed record, but another file's: only its checksum tells
        (other,) = db.execute("select record from files where path='0.md'").fetchone()
        db.execute("update files set record=? where path='3.md'", (other,))
        db.execute("update files set record=x'00ff' where path='4.md'")
    with caplog.at_level(logging.WARNING):
        warm = load_corpus(corpus, cache_dir=cache)
    assert (warm.report.parsed, warm.report.cached) == (2, 3)
    assert warm.records == cold.records and warm.version == cold.version
    assert "the record of 3.md is damaged" in caplog.text
    assert "the record of 4.md is damaged" in caplog.text
    assert load_corpus(corpus, cache_dir=cache).report.parsed == 0  # stored again, sound


def test_a_malformed_cache_file_is_moved_aside_and_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    corpus, cache = small_corpus(tmp_path / "c"), tmp_path / "cache"
    load_corpus(corpus, cache_dir=cache)
    path = cache_path_for(corpus, cache)
    path.write_bytes(b"this is not an SQLite database" * 200)
    with caplog.at_level(logging.WARNING):
        rebuilt = load_corpus(corpus, cache_dir=cache)
    assert rebuilt.report.parsed == 5 and len(rebuilt.records) == 5
    assert "was damaged; moved it to" in caplog.text
    aside = path.with_name(f"{path.name}.damaged")
    assert aside.read_bytes().startswith(b"this is not an SQLite database")
    assert load_corpus(corpus, cache_dir=cache).report.cached == 5  # a cache again


def test_an_oversized_file_keeps_its_last_good_version(tmp_path: Path) -> None:
    corpus, cache = small_corpus(tmp_path / "c"), tmp_path / "cache"
    cold = load_corpus(corpus, cache_dir=cache, max_file_bytes=4000)
    big = corpus / "2.md"
    with big.open("a") as fh:
        fh.write("x" * 5000)
    for _ in range(2):  # the first time, and again with the cache as it was left
        result = load_corpus(corpus, cache_dir=cache, max_file_bytes=4000)
        assert dict(result.records)["2.md"] == dict(cold.records)["2.md"]
        (problem,) = result.report.rejected
        assert problem.path == "2.md"
        assert "over the limit of 4,000" in problem.reason
        assert "its last good version is kept" in problem.reason
        assert result.version != cold.version
    big.unlink()  # a deleted file is gone for real
    assert [p for p, _ in load_corpus(corpus, cache_dir=cache).records] == [
        "0.md",
        "1.md",
        "3.md",
        "4.md",
    ]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs a little over the cache's reserve: too small for the real corpus's cache and
    its write-ahead log together (mounting needs root)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    size = RESERVE_BYTES + 4 * 1024 * 1024
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_on_a_nearly_full_disk_the_cache_leaves_its_reserve(
    news_dir: Path, small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lowest = [shutil.disk_usage(small_disk).free]
    done = threading.Event()

    def watch_free_space() -> None:
        while not done.wait(0.002):
            lowest[0] = min(lowest[0], shutil.disk_usage(small_disk).free)

    sampler = threading.Thread(target=watch_free_space)
    sampler.start()
    try:
        with caplog.at_level(logging.WARNING):
            result = load_corpus(news_dir, cache_dir=small_disk, workers=1)
    finally:
        done.set()
        sampler.join()
    assert len(result.records) + len(result.report.rejected) == result.report.files  # all read
    assert "nearly full" in caplog.text
    # The cache's log never took the disk's last bytes (before: 0 bytes were left at the
    # commit, when the whole log is copied into the database file).
    assert lowest[0] >= RESERVE_BYTES * 3 // 4, f"{lowest[0]:,} bytes were left"
    again = load_corpus(news_dir, cache_dir=small_disk, workers=1)
    assert again.report.cached > 0 and again.records == result.records
