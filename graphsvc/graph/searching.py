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
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import overload

from graphsvc.errors import GraphsvcError
from graphsvc.graph.mapped import MappedArticles
from graphsvc.graph.memo import forget, install_memo, memo_value, memoised
from graphsvc.graph.search import SearchDoc, SearchHit, SearchIndex
from graphsvc.graph.store import GraphStore

log = logging.getLogger(__name__)

_INDEX = "search-index"  # the memo names (graph/memo.py)
_PATH = "search-path"


class StoreDocs(Sequence[SearchDoc]):
    """``iter_search_docs`` of a store by position, each made when it is asked for: an index
    opened from its folder reads only its hits' documents (at 100,000 documents, holding them
    all took seconds to make at each start and hundreds of megabytes per worker)."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        articles = store.articles
        # Named on access: a list would touch every key, which in a forked worker copies the
        # pages of all of them (about 50 MB at 100,000 documents).
        self._articles: Sequence[str] = (
            articles.key_seq() if isinstance(articles, MappedArticles) else list(articles)
        )
        self._topics = list(store.topics)
        self._providers = list(store.providers)

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds among the documents."""
        counts = {"article": self._articles, "topic": self._topics, "provider": self._providers}
        return frozenset(kind for kind, keys in counts.items() if keys)

    def __len__(self) -> int:
        return len(self._articles) + len(self._topics) + len(self._providers)

    @overload
    def __getitem__(self, position: int) -> SearchDoc: ...
    @overload
    def __getitem__(self, position: slice) -> Sequence[SearchDoc]: ...

    def __getitem__(self, position: int | slice) -> SearchDoc | Sequence[SearchDoc]:
        if isinstance(position, slice):
            return [self[i] for i in range(len(self))[position]]
        if position < 0:
            position += len(self)
        store = self._store
        if 0 <= position < len(self._articles):
            article = store.articles[self._articles[position]]
            return SearchDoc(article.key, "article", article.title, article.excerpt or "")
        position -= len(self._articles)
        if 0 <= position < len(self._topics):
            topic = store.topics[self._topics[position]]
            return SearchDoc(topic.key, "topic", topic.name, "")
        position -= len(self._topics)
        if 0 <= position < len(self._providers):
            provider = store.providers[self._providers[position]]
            return SearchDoc(provider.key, "provider", provider.name, provider.domain)
        raise IndexError(position)


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
    install_memo(store, _PATH, path)


def search_index(store: GraphStore) -> SearchIndex:
    """The snapshot's index, built on first use (one build even under concurrent requests)."""
    return memoised(store, _INDEX, _first_index)


def _first_index(store: GraphStore) -> SearchIndex:
    path: Path | None = memo_value(store, _PATH)
    if path is None:
        return SearchIndex.build(iter_search_docs(store))
    return _open_or_build(store, path)


def _open_or_build(store: GraphStore, path: Path) -> SearchIndex:
    """The index kept at ``path``, else one built there (in a temporary folder, then renamed,
    so a reader never sees half an index); in memory when the folder cannot be written."""
    docs = StoreDocs(store)
    if path.exists():
        try:
            return SearchIndex.open(path, docs, store.version, docs.kinds)
        except ValueError as exc:
            log.warning("%s; building it again", exc)
        except BaseException as exc:  # a tantivy panic: that index is no good either
            if not is_panic(exc):
                raise
            log.warning("the search index at %s failed to open (%s); building it again", path, exc)
        shutil.rmtree(path, ignore_errors=True)
    building = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        shutil.rmtree(building, ignore_errors=True)
        SearchIndex.build(docs, building, store.version)
        try:
            os.rename(building, path)
        except OSError:  # another process kept it first: use theirs
            shutil.rmtree(building, ignore_errors=True)
        return SearchIndex.open(path, docs, store.version, docs.kinds)
    except (OSError, ValueError) as exc:
        log.warning("cannot keep the search index at %s (%s); building it in memory", path, exc)
        shutil.rmtree(building, ignore_errors=True)
        return SearchIndex.build(docs)


class SearchFailed(GraphsvcError):
    """The search index failed (damaged under a running service); it is built again."""


def search(
    store: GraphStore, query: str, first: int = 10, kinds: Collection[str] | None = None
) -> list[SearchHit]:
    """Ranked hits (BM25, titles weigh more) for a plain-text query; never raises on odd input.

    The boundary of tantivy: its errors (ValueError) and panics (``PanicException``, a
    BaseException that would escape every ``except Exception``) mean a damaged index; they
    become SearchFailed, and the index is dropped so that the next search builds it again."""
    try:
        return search_index(store).search(query, first, kinds)
    except SearchFailed:
        raise
    except BaseException as exc:
        if not (is_panic(exc) or isinstance(exc, ValueError)):
            raise
        log.error("search failed (%s: %s); the index is built again", type(exc).__name__, exc)
        _discard(store)
        raise SearchFailed("search failed: the search index is damaged; try again") from None


def is_panic(exc: BaseException) -> bool:
    """Whether an exception is a Rust panic surfacing in Python (pyo3's PanicException)."""
    return type(exc).__name__ == "PanicException"


def _discard(store: GraphStore) -> None:
    """Forget the store's index, and remove its kept copy: the next use builds it again."""
    path: Path | None = memo_value(store, _PATH)
    if path is not None:
        forget(store, _INDEX, then=lambda: shutil.rmtree(path, ignore_errors=True))
    else:
        forget(store, _INDEX)
