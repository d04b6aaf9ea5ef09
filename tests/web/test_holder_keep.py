"""A server's first load keeps its store for the next start only once it is serving: the
write (11 s at 100k documents) never delays readiness. Reloads keep nothing."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from graphsvc import corpus as loading
from graphsvc.settings import Settings
from graphsvc.web.holder import StoreHolder
from tests.support import SEEDS


def test_the_store_is_kept_after_it_is_swapped_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    shutil.copytree(SEEDS, corpus)
    holder = StoreHolder(Settings.from_env(corpus=corpus, cache_dir=cache, watch=False))
    ready_when_kept: list[bool] = []
    real_keep = loading._keep

    def keep_and_note(store, path):  # type: ignore[no-untyped-def]
        ready_when_kept.append(holder.ready and holder.store is store)
        return real_keep(store, path)

    monkeypatch.setattr(loading, "_keep", keep_and_note)
    asyncio.run(holder.load())
    assert ready_when_kept == [True]  # written once, by then serving the very store written
    assert len(list(cache.glob("*.store"))) == 1

    (corpus / "added.md").write_text('---\ntitle: "New"\nwebUrl: "https://example.org/n"\n---\n')
    asyncio.run(holder.load())  # a reload: nothing more kept
    assert ready_when_kept == [True]
    assert holder.store.counts.articles == 22
