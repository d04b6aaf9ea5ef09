"""Per-snapshot memoisation: each analytic (and every other per-snapshot value: the search
index, the count orders, the playground's examples) is computed once, on first use, under a
lock. The one way into ``store.cache``.

A snapshot never changes, so a result stored in ``store.cache`` stays right for the
snapshot's life and goes away with it when a reload swaps a new one in.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from graphsvc.graph.store import GraphStore

T = TypeVar("T")

#: Results kept per analytic that depends on request arguments (filters, windows).
MAX_ARGUMENT_RESULTS = 256

_LOCKS_LOCK = threading.Lock()


def _lock(store: GraphStore, name: str) -> threading.Lock:
    """The lock of one cache entry (made once, even under concurrent requests)."""
    key = f"analytics-lock:{name}"
    lock: threading.Lock | None = store.cache.get(key)
    if lock is None:
        with _LOCKS_LOCK:
            lock = store.cache.setdefault(key, threading.Lock())
    return lock


def memo_value(store: GraphStore, name: str) -> Any:
    """What ``memoised`` keeps under ``name`` for this snapshot, or None before it ran."""
    return store.cache.get(f"analytics:{name}")


def install_memo(store: GraphStore, name: str, value: object) -> None:
    """Keep ``value`` as what ``memoised(store, name, ...)`` gives (a result computed
    elsewhere, such as one read from a snapshot file)."""
    with _lock(store, name):
        store.cache[f"analytics:{name}"] = value


def forget(store: GraphStore, name: str, then: Callable[[], object] | None = None) -> None:
    """Drop what is kept under ``name`` (an intermediate no request needs, a damaged index),
    and run ``then`` before a new value can be computed (under the same lock)."""
    with _lock(store, name):
        store.cache.pop(f"analytics:{name}", None)
        if then is not None:
            then()


def memoised(store: GraphStore, name: str, build: Callable[[GraphStore], T]) -> T:
    """``build(store)``, computed once per snapshot (concurrent callers wait for the first)."""
    key = f"analytics:{name}"
    value: Any = store.cache.get(key)
    if value is not None:
        return value  # type: ignore[no-any-return]
    with _lock(store, name):
        value = store.cache.get(key)
        if value is None:
            value = build(store)
            store.cache[key] = value
    return value  # type: ignore[no-any-return]


def install_call(store: GraphStore, name: str, args: Hashable, value: object) -> None:
    """Keep ``value`` as what ``memoised_call(store, name, args, ...)`` gives."""
    table: OrderedDict[Hashable, Any] = memoised(store, f"{name}:table", lambda _s: OrderedDict())
    with _lock(store, f"{name}:table"):
        table[args] = value


def memoised_call(store: GraphStore, name: str, args: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` for these arguments, kept for the snapshot (the least recently used
    of more than MAX_ARGUMENT_RESULTS argument sets are dropped)."""
    table: OrderedDict[Hashable, Any] = memoised(store, f"{name}:table", lambda _s: OrderedDict())
    with _lock(store, f"{name}:table"):
        if args in table:
            table.move_to_end(args)
            return table[args]  # type: ignore[no-any-return]
    value = compute()  # outside the lock, so other arguments never wait; equal results agree
    with _lock(store, f"{name}:table"):
        table[args] = value
        while len(table) > MAX_ARGUMENT_RESULTS:
            table.popitem(last=False)
    return value
