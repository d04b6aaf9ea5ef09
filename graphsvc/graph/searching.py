"""The full-text index of a snapshot: built once, on first use, and kept with the snapshot."""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator

from graphsvc.graph.search import SearchDoc, SearchHit, SearchIndex
from graphsvc.graph.store import GraphStore

_LOCK_KEY = "search-lock"
_INDEX_KEY = "search-index"


def iter_search_docs(store: GraphStore) -> Iterator[SearchDoc]:
    """Articles (titles and excerpts, stubs included), topics and providers (names)."""
    for key, article in store.articles.items():
        yield SearchDoc(key, "article", article.title, article.excerpt or "")
    for key, topic in store.topics.items():
        yield SearchDoc(key, "topic", topic.name, "")
    for key, provider in store.providers.items():
        yield SearchDoc(key, "provider", provider.name, provider.domain)


def search_index(store: GraphStore) -> SearchIndex:
    """The snapshot's index, built on first use (one build even under concurrent requests)."""
    lock = store.cache.setdefault(_LOCK_KEY, threading.Lock())
    with lock:
        index: SearchIndex | None = store.cache.get(_INDEX_KEY)
        if index is None:
            index = SearchIndex.build(iter_search_docs(store))
            store.cache[_INDEX_KEY] = index
    return index


def search(
    store: GraphStore, query: str, first: int = 10, kinds: Collection[str] | None = None
) -> list[SearchHit]:
    """Ranked hits (BM25, titles weigh more) for a plain-text query; never raises on odd input."""
    return search_index(store).search(query, first, kinds)
