"""The full-text index of a snapshot: built once, on first use, and kept with the snapshot.

A store read from a file (a kept store, or ``graphsvc build``'s snapshot) may be given a folder
beside that file for its index (``keep_index_at``): the first use then opens the index found
there, or builds it there for the next start, instead of building it in memory every time.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Collection, Iterator
from pathlib import Path

from graphsvc.graph.search import SearchDoc, SearchHit, SearchIndex
from graphsvc.graph.store import GraphStore

log = logging.getLogger(__name__)

_LOCK_KEY = "search-lock"
_INDEX_KEY = "search-index"
_PATH_KEY = "search-path"


def iter_search_docs(store: GraphStore) -> Iterator[SearchDoc]:
    """Articles (titles and excerpts, stubs included), topics and providers (names)."""
    for key, article in store.articles.items():
        yield SearchDoc(key, "article", article.title, article.excerpt or "")
    for key, topic in store.topics.items():
        yield SearchDoc(key, "topic", topic.name, "")
    for key, provider in store.providers.items():
        yield SearchDoc(key, "provider", provider.name, provider.domain)


def index_path_for(snapshot: Path) -> Path:
    """The folder of the search index kept beside a snapshot file."""
    return snapshot.with_name(snapshot.name + ".search")


def keep_index_at(store: GraphStore, path: Path) -> None:
    """Open the store's index from ``path`` (or build it there) on first use."""
    store.cache[_PATH_KEY] = path


def search_index(store: GraphStore) -> SearchIndex:
    """The snapshot's index, built on first use (one build even under concurrent requests)."""
    lock = store.cache.setdefault(_LOCK_KEY, threading.Lock())
    with lock:
        index: SearchIndex | None = store.cache.get(_INDEX_KEY)
        if index is None:
            path: Path | None = store.cache.get(_PATH_KEY)
            if path is None:
                index = SearchIndex.build(iter_search_docs(store))
            else:
                index = _open_or_build(store, path)
            store.cache[_INDEX_KEY] = index
    return index


def _open_or_build(store: GraphStore, path: Path) -> SearchIndex:
    """The index kept at ``path``, else one built there (in a temporary folder, then renamed,
    so a reader never sees half an index); in memory when the folder cannot be written."""
    docs = list(iter_search_docs(store))
    if path.exists():
        try:
            return SearchIndex.open(path, docs, store.version)
        except ValueError as exc:
            log.warning("%s; building it again", exc)
            shutil.rmtree(path, ignore_errors=True)
    building = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        shutil.rmtree(building, ignore_errors=True)
        SearchIndex.build(docs, building, store.version)
        try:
            os.rename(building, path)
        except OSError:  # another process kept it first: use theirs
            shutil.rmtree(building, ignore_errors=True)
        return SearchIndex.open(path, docs, store.version)
    except (OSError, ValueError) as exc:
        log.warning("cannot keep the search index at %s (%s); building it in memory", path, exc)
        shutil.rmtree(building, ignore_errors=True)
        return SearchIndex.build(docs)


def search(
    store: GraphStore, query: str, first: int = 10, kinds: Collection[str] | None = None
) -> list[SearchHit]:
    """Ranked hits (BM25, titles weigh more) for a plain-text query; never raises on odd input."""
    return search_index(store).search(query, first, kinds)
