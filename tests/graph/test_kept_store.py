"""The store kept between runs (graphsvc/corpus.py): an unchanged corpus is read back from the
kept snapshot, identical to a fresh build; any change, a bad kept file or no cache rebuilds."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

from graphsvc import corpus as loading
from graphsvc.corpus import load_store
from graphsvc.graph.searching import search
from tests.graph.test_snapshot import assert_identical
from tests.support import SEEDS, flip_section_byte


def kept_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.store"))


def copy_seeds(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    return corpus


def test_unchanged_corpus_reads_the_kept_store(tmp_path: Path) -> None:
    corpus, cache = copy_seeds(tmp_path), tmp_path / "cache"
    built = load_store(corpus, cache_dir=cache)
    assert built.report.parsed == built.report.files == 21
    assert len(kept_files(cache)) == 1
    again = load_store(corpus, cache_dir=cache)
    assert (again.report.parsed, again.report.cached) == (0, 21)
    fresh = load_store(corpus, use_cache=False)
    # Equal to a fresh build in everything but the counts of what was parsed this run.
    fresh.report.parsed, fresh.report.cached = 0, 21
    fresh.report.seconds = again.report.seconds
    assert_identical(fresh, again)


def test_a_changed_file_rebuilds_and_replaces_the_kept_store(tmp_path: Path) -> None:
    corpus, cache = copy_seeds(tmp_path), tmp_path / "cache"
    load_store(corpus, cache_dir=cache)
    first = kept_files(cache)
    victim = sorted(corpus.glob("*.md"))[3]
    text = victim.read_text()
    title_line = next(line for line in text.splitlines() if line.startswith("title:"))
    victim.write_text(text.replace(title_line, 'title: "A title changed since"', 1))
    os.utime(victim, ns=(10**9, 10**9))  # a different mtime even on a coarse clock
    changed = load_store(corpus, cache_dir=cache)
    assert changed.report.parsed == 1
    assert "A title changed since" in {a.title for a in changed.articles.values()}
    assert len(kept_files(cache)) == 1 and kept_files(cache) != first
    again = load_store(corpus, cache_dir=cache)
    assert again.report.parsed == 0 and again.version == changed.version
    assert "A title changed since" in {a.title for a in again.articles.values()}


def test_added_and_skipped_files_change_the_fingerprint(tmp_path: Path) -> None:
    corpus, cache = copy_seeds(tmp_path), tmp_path / "cache"
    first = load_store(corpus, cache_dir=cache)
    (corpus / "notes.json").write_text("{}")  # skipped by the walk, but reported
    second = load_store(corpus, cache_dir=cache)
    assert any("notes.json" in line for line in second.report.ignored)
    assert not any("notes.json" in line for line in first.report.ignored)


def test_a_corrupt_kept_store_is_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    corpus, cache = copy_seeds(tmp_path), tmp_path / "cache"
    built = load_store(corpus, cache_dir=cache)
    (kept,) = kept_files(cache)
    flip_section_byte(kept)
    with caplog.at_level(logging.WARNING, logger="graphsvc.corpus"):
        again = load_store(corpus, cache_dir=cache)
    assert "ignoring the kept store" in caplog.text
    assert again.version == built.version and again.counts == built.counts
    assert again.report.parsed == 0  # the parse cache still served every file
    kept_again = load_store(corpus, cache_dir=cache)  # and the store was kept again
    assert kept_again.version == built.version


def test_no_cache_keeps_nothing(tmp_path: Path) -> None:
    corpus, cache = copy_seeds(tmp_path), tmp_path / "cache"
    load_store(corpus, cache_dir=cache, use_cache=False)
    assert not cache.exists() or kept_files(cache) == []


def test_keep_false_reads_but_does_not_write(tmp_path: Path) -> None:
    corpus, cache = copy_seeds(tmp_path), tmp_path / "cache"
    load_store(corpus, cache_dir=cache, keep=False)
    assert kept_files(cache) == []
    load_store(corpus, cache_dir=cache)
    assert load_store(corpus, cache_dir=cache, keep=False).report.parsed == 0
    assert len(kept_files(cache)) == 1


def test_the_search_index_is_kept_beside_the_store(tmp_path: Path) -> None:
    corpus, cache = copy_seeds(tmp_path), tmp_path / "cache"
    first = load_store(corpus, cache_dir=cache)
    hits = [(h.key, h.snippet) for h in search(first, "azure")]
    assert hits
    (folder,) = cache.glob("*.store.search")
    (folder / "sentinel").write_text("still the same folder")
    again = load_store(corpus, cache_dir=cache)
    assert [(h.key, h.snippet) for h in search(again, "azure")] == hits
    assert (folder / "sentinel").exists()  # opened, not built again

    victim = sorted(corpus.glob("*.md"))[0]
    victim.write_text(victim.read_text().replace("title:", "title: Zyzzyva", 1))
    os.utime(victim, ns=(10**9, 10**9))
    changed = load_store(corpus, cache_dir=cache)
    assert [h.key for h in search(changed, "zyzzyva")]
    assert not folder.exists()  # the old store's index went with it
    assert len(list(cache.glob("*.store.search"))) == 1


def test_new_build_rules_build_the_store_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, cache = copy_seeds(tmp_path), tmp_path / "cache"
    load_store(corpus, cache_dir=cache)
    (old,) = kept_files(cache)
    monkeypatch.setattr(loading, "BUILD_RULES", loading.BUILD_RULES + 1)
    load_store(corpus, cache_dir=cache)
    (new,) = kept_files(cache)
    assert new != old and not old.exists()  # not read: built again, and the old one removed
