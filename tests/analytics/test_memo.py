"""Per-snapshot memoisation: one computation under concurrent first calls, bounded tables."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from graphsvc.graph import memo
from graphsvc.graph.store import GraphStore
from tests.analytics.analytics_support import doc, make_store


def test_concurrent_first_calls_compute_once() -> None:
    store = make_store([doc("a")])
    calls = []
    barrier = threading.Barrier(8)

    def build(_store: GraphStore) -> list[int]:
        calls.append(1)
        time.sleep(0.05)
        return [42]

    def call(_i: int) -> list[int]:
        barrier.wait()
        return memo.memoised(store, "test", build)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(call, range(8)))
    assert len(calls) == 1
    assert all(r is results[0] for r in results)
    other = make_store([doc("a")])  # a new snapshot computes its own
    assert memo.memoised(other, "test", build) == [42] and len(calls) == 2


def test_argument_tables_are_bounded() -> None:
    store = make_store([doc("a")])
    for i in range(memo.MAX_ARGUMENT_RESULTS + 10):
        assert memo.memoised_call(store, "square", i, lambda i=i: i * i) == i * i
    table = store.cache["analytics:square:table"]
    assert len(table) == memo.MAX_ARGUMENT_RESULTS
    assert 0 not in table and memo.MAX_ARGUMENT_RESULTS + 9 in table
    assert memo.memoised_call(store, "square", 3, lambda: -1) == -1  # 3 was dropped: recomputed
