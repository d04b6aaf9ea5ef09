"""What killed writes leave in the cache folder is removed at the next start (issue 17,
item 5): a kept store's temporary file, a search index half built. A write under way in a
running process (another worker's) is left alone."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from graphsvc.corpus import load_store
from tests.support import SEEDS


def test_stale_writes_are_removed_at_start(tmp_path: Path) -> None:
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    shutil.copytree(SEEDS, corpus)
    load_store(corpus, cache_dir=cache)
    (kept,) = cache.glob("*.store")
    gone = subprocess.Popen(["true"])
    gone.wait()  # a process that no longer runs, as a killed writer
    stale_store = kept.with_name(f".{kept.name}.{gone.pid}.tmp")  # as graph/snapshot.py names it
    stale_store.write_bytes(b"half a store")
    stale_index = kept.with_name(f".{kept.name}.search.{gone.pid}.140000")  # as searching.py
    stale_index.mkdir()
    (stale_index / "meta.json").write_text("{}")
    running = kept.with_name(f".{kept.name}.{os.getpid()}.tmp")
    running.write_bytes(b"a write under way")

    load_store(corpus, cache_dir=cache)
    assert not stale_store.exists() and not stale_index.exists()
    assert running.read_bytes() == b"a write under way"
