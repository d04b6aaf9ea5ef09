"""The RELATED edges of a snapshot as arrays of article numbers, read off the store once.

Several whole-graph analytics walk every RELATED edge (PageRank, betweenness, degree, the
story graph, provider links and baskets): at 100,000 documents that is 3.1 M edges, and each
walk in Python took seconds. They share these arrays instead, made in one pass while a
snapshot is built, and work on them with NumPy. Articles are numbered in key order, so
sorting numbers sorts keys, and the graphs built from the arrays are those of the Python
code they replace, edge order included.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import repeat
from types import MappingProxyType

import numpy as np

from graphsvc.graph.mapped import NodeTable, table_of
from graphsvc.graph.memo import memoised
from graphsvc.graph.store import GraphStore

MEMO_NAME = "related-arrays"


@dataclass(frozen=True, slots=True, eq=False)
class Related:
    """Every article (stubs too) by number, the RELATED edges, and each article's provider."""

    nodes: tuple[str, ...]  # article number -> key, in key order
    number: Mapping[str, int]
    src: np.ndarray  # int64: the full articles' related lists, sources in key order, each by rank
    dst: np.ndarray
    full: np.ndarray  # bool per article: a full article (not a stub)
    providers: tuple[str, ...]  # provider number -> key, in key order
    provider: np.ndarray  # int64 per article: its provider's number


def build_related(store: GraphStore) -> Related:
    """Number the articles and providers and gather the RELATED edges."""
    nodes = tuple(sorted(store.articles))
    number = {key: i for i, key in enumerate(nodes)}
    sources = sorted(store.full_by_date)
    table = table_of(store.graph)
    if table is None:
        src, dst = _edges(store, sources, number)
    else:
        src, dst = _mapped_edges(table, sources, number)
    providers = tuple(sorted(store.providers))
    provider_number = {key: i for i, key in enumerate(providers)}
    articles = store.articles
    return Related(
        nodes=nodes,
        number=MappingProxyType(number),
        src=src,
        dst=dst,
        full=np.fromiter((not articles[k].is_stub for k in nodes), dtype=bool, count=len(nodes)),
        providers=providers,
        provider=np.fromiter(
            (provider_number[articles[k].provider] for k in nodes), dtype=np.int64, count=len(nodes)
        ),
    )


def _edges(
    store: GraphStore, sources: list[str], number: Mapping[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Each source's related list, by rank, as article numbers."""
    src: array[int] = array("q")
    dst: array[int] = array("q")
    for key in sources:
        targets = [number[t] for t in store.related_out(key)]
        src.extend(repeat(number[key], len(targets)))
        dst.extend(targets)
    return np.frombuffer(src, dtype=np.int64), np.frombuffer(dst, dtype=np.int64)


def _mapped_edges(
    table: NodeTable, sources: list[str], number: Mapping[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """``_edges`` read straight off a mapped snapshot's successor rows (a row's articles are
    its related list in rank order; article entity numbers come first)."""
    count = table.articles
    renumber = np.fromiter((number[k] for k in table.keys[:count]), np.int64, count)
    rows = np.fromiter((table.number[k] for k in sources), np.int64, len(sources))
    starts = table.succ_offsets[rows].astype(np.int64)
    lengths = table.succ_offsets[rows + 1].astype(np.int64) - starts
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    targets = table.succ_nodes[np.arange(int(lengths.sum()), dtype=np.int64) + shift]
    keep = targets < count
    src = np.repeat(renumber[rows], lengths)[keep]
    return src, renumber[targets[keep].astype(np.int64)]


def related_arrays(store: GraphStore) -> Related:
    """The snapshot's RELATED arrays (made once; ``precompute.warm`` drops them when done)."""
    return memoised(store, MEMO_NAME, build_related)


def undirected_pairs(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Each undirected edge once, as (smaller, larger) rows in sorted order; no self-loops."""
    if len(src) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.unique(np.stack([np.minimum(src, dst), np.maximum(src, dst)], axis=1), axis=0)
    return np.asarray(pairs[pairs[:, 0] != pairs[:, 1]])
