"""Per-snapshot memoisation: each analytic is computed once, on first use, under a lock.

A snapshot never changes, so a result stored in ``store.cache`` stays right for the
snapshot's life and goes away with it when a reload swaps a new one in.
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from graphsvc.graph.store import GraphStore

T = TypeVar("T")

#: Results kept per analytic that depends on request arguments (filters, windows).
MAX_ARGUMENT_RESULTS = 256

_LOCKS_LOCK = threading.Lock()
_GC_LOCK = threading.Lock()
_gc_builds = 0  # builds running now, in any thread
_gc_was_enabled = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic GC while a build runs (restored when the last running build ends).

    A snapshot holds millions of objects, and a build allocates millions more (tuples,
    dicts): each full collection would walk them all, which made the builds several times
    slower on a 100,000-article corpus. ``graph.build`` does the same while loading."""
    global _gc_builds, _gc_was_enabled
    with _GC_LOCK:
        if _gc_builds == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_builds += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_builds -= 1
            if _gc_builds == 0 and _gc_was_enabled:
                gc.enable()


def _lock(store: GraphStore, name: str) -> threading.Lock:
    """The lock of one cache entry (made once, even under concurrent requests)."""
    key = f"analytics-lock:{name}"
    lock: threading.Lock | None = store.cache.get(key)
    if lock is None:
        with _LOCKS_LOCK:
            lock = store.cache.setdefault(key, threading.Lock())
    return lock


def memoised(store: GraphStore, name: str, build: Callable[[GraphStore], T]) -> T:
    """``build(store)``, computed once per snapshot (concurrent callers wait for the first)."""
    key = f"analytics:{name}"
    value: Any = store.cache.get(key)
    if value is not None:
        return value  # type: ignore[no-any-return]
    with _lock(store, name):
        value = store.cache.get(key)
        if value is None:
            with paused_gc():
                value = build(store)
            store.cache[key] = value
    return value  # type: ignore[no-any-return]


def memoised_call(store: GraphStore, name: str, args: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` for these arguments, kept for the snapshot (the least recently used
    of more than MAX_ARGUMENT_RESULTS argument sets are dropped)."""
    table: OrderedDict[Hashable, Any] = memoised(store, f"{name}:table", lambda _s: OrderedDict())
    with _lock(store, f"{name}:table"):
        if args in table:
            table.move_to_end(args)
            return table[args]  # type: ignore[no-any-return]
    with paused_gc():
        value = compute()  # outside the lock: cheap, and two equal computations agree
    with _lock(store, f"{name}:table"):
        table[args] = value
        while len(table) > MAX_ARGUMENT_RESULTS:
            table.popitem(last=False)
    return value
