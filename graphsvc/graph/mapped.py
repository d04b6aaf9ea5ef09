"""A snapshot served in place: node records and adjacency read from a memory-mapped file.

``graph/snapshot.py`` maps a snapshot file and hands its arrays to the views here, so a
server neither copies the graph into Python objects at start nor keeps a private copy of it:
every worker that maps the same file shares its pages through the OS page cache.

- ``NodeTable``: every node's key by entity number (articles, then providers, then topics),
  the number of each key, and the CSR arrays of successors and predecessors (rows by entity
  number, each row in the order build.py inserted the edges, so RELATED rows are in rank order).
- ``MappedDiGraph``: a real ``networkx.DiGraph`` whose ``_node``, ``_succ`` and ``_pred`` are
  read-only mappings over those arrays. NetworkX's views and algorithms walk it as they walk
  any DiGraph; node and edge attribute dicts are build.py's shared ones.
- ``MappedArticles``: ``store.articles``, decoding one article's record (a JSON array in the
  file's record heap) when it is asked for.

The keys (a Python list and a dict) are the only per-node objects a worker builds.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, ItemsView, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import compress
from typing import Any, TypeVar, overload

import networkx as nx
import numpy as np
import orjson

from graphsvc.graph.build import EDGE_ATTRS, NODE_ATTRS
from graphsvc.identity import ARTICLE_PREFIX
from graphsvc.model import EDGE_KIND_INTO, Article, Image, NodeKind

Attrs = dict[str, Any]
_V = TypeVar("_V")

_INTO = {kind: EDGE_ATTRS[EDGE_KIND_INTO[kind]] for kind in NodeKind}  # attrs of edges into


@dataclass(frozen=True, eq=False)
class NodeTable:
    """Node keys by entity number, and the CSR adjacency of a mapped snapshot."""

    keys: list[str]  # entity number -> node key
    number: Mapping[str, int]  # node key -> entity number
    articles: int  # entity numbers [0, articles) are articles,
    providers: int  # then providers, then topics
    order: np.ndarray  # the graph's node order, as entity numbers
    succ_offsets: np.ndarray  # row i of successors: succ_nodes[succ_offsets[i]:succ_offsets[i+1]]
    succ_nodes: np.ndarray
    pred_offsets: np.ndarray
    pred_nodes: np.ndarray

    def kind(self, i: int) -> NodeKind:
        """The kind of entity number ``i``."""
        if i < self.articles:
            return NodeKind.ARTICLE
        return NodeKind.PROVIDER if i < self.articles + self.providers else NodeKind.TOPIC

    def into(self, i: int) -> Attrs:
        """The attribute dict of every edge into entity ``i``."""
        return _INTO[self.kind(i)]

    def succ_row(self, i: int) -> np.ndarray:
        return self.succ_nodes[self.succ_offsets[i] : self.succ_offsets[i + 1]]

    def pred_row(self, i: int) -> np.ndarray:
        return self.pred_nodes[self.pred_offsets[i] : self.pred_offsets[i + 1]]


class _Row(Mapping[str, Attrs]):
    """One node's successors (or predecessors): neighbour key -> edge attribute dict."""

    __slots__ = ("_attrs", "_ids", "_table")

    def __init__(self, table: NodeTable, ids: np.ndarray, attrs: Attrs | None) -> None:
        self._table, self._ids, self._attrs = table, ids, attrs  # attrs None: by the target

    def _attrs_of(self, i: int) -> Attrs:
        return self._table.into(i) if self._attrs is None else self._attrs

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[str]:
        return map(self._table.keys.__getitem__, self._ids.tolist())

    def _number(self, key: object) -> int | None:
        """The entity number of a neighbour in this row, or None."""
        i = self._table.number.get(key) if isinstance(key, str) else None
        return i if i is not None and bool((self._ids == i).any()) else None

    def __contains__(self, key: object) -> bool:
        return self._number(key) is not None

    def __getitem__(self, key: str) -> Attrs:
        i = self._number(key)
        if i is None:
            raise KeyError(key)
        return self._attrs_of(i)

    def items(self) -> ItemsView[str, Attrs]:
        return _RowItems(self)


class _RowItems(ItemsView[str, Attrs]):
    """A row's items in one pass (the mixin's would look every neighbour up again)."""

    _mapping: _Row

    def __iter__(self) -> Iterator[tuple[str, Attrs]]:
        row = self._mapping
        ids = row._ids.tolist()
        keys = map(row._table.keys.__getitem__, ids)
        if row._attrs is not None:
            attrs = row._attrs
            return ((k, attrs) for k in keys)
        return zip(keys, map(row._table.into, ids), strict=True)


class _ByNode(Mapping[str, _V]):
    """A mapping keyed by every node, in the graph's node order."""

    __slots__ = ("_table",)
    _table: NodeTable

    def __len__(self) -> int:
        return len(self._table.keys)

    def __iter__(self) -> Iterator[str]:
        return map(self._table.keys.__getitem__, self._table.order.tolist())

    def __contains__(self, key: object) -> bool:
        return key in self._table.number


class _Adjacency(_ByNode[_Row]):
    """Node key -> its row of successors (``succ``) or predecessors."""

    __slots__ = ("_succ",)

    def __init__(self, table: NodeTable, *, succ: bool) -> None:
        self._table, self._succ = table, succ

    def __getitem__(self, key: str) -> _Row:
        t = self._table
        i = t.number[key]
        if self._succ:
            return _Row(t, t.succ_row(i), None)
        return _Row(t, t.pred_row(i), t.into(i))


class _Nodes(_ByNode[Attrs]):
    """Node key -> its kind's shared attribute dict."""

    __slots__ = ()

    def __init__(self, table: NodeTable) -> None:
        self._table = table

    def __getitem__(self, key: str) -> Attrs:
        return NODE_ATTRS[self._table.kind(self._table.number[key])]


class MappedDiGraph(nx.DiGraph):  # type: ignore[misc]
    """A read-only ``networkx.DiGraph`` over a ``NodeTable`` (adding nodes or edges fails).

    Without a table it is an empty, ordinary DiGraph: NetworkX makes one of the graph's own
    class for views and copies (``subgraph_view``, ``ego_graph``, ``copy``)."""

    def __init__(self, table: NodeTable | None = None) -> None:
        super().__init__()
        self.table = table
        if table is not None:
            self._node = _Nodes(table)
            self._adj = _Adjacency(table, succ=True)  # NetworkX makes _succ the same object
            self._pred = _Adjacency(table, succ=False)

    # NetworkX wraps _succ and _pred in read-only views whose items() look every neighbour
    # up again; the mappings here are read-only already, and their items() is one pass.
    @property
    def succ(self) -> Any:
        return nx.DiGraph.succ.func(self) if self.table is None else self._succ

    @property
    def adj(self) -> Any:
        return nx.DiGraph.adj.func(self) if self.table is None else self._succ

    @property
    def pred(self) -> Any:
        return nx.DiGraph.pred.func(self) if self.table is None else self._pred

    def number_of_edges(self, u: Any = None, v: Any = None) -> int:
        if u is None and self.table is not None:
            return len(self.table.succ_nodes)
        return int(super().number_of_edges(u, v))


class MappedUrls(Mapping[str, str]):
    """``store.url_index`` of a mapped snapshot: an article's own URL names it (build.py lets
    it win over every other), so only the other URLs it was seen under are kept in a dict.

    Iteration follows the index written (``urls[i]`` is None where it is the target's own)."""

    __slots__ = ("_others", "_table", "_targets", "_urls")

    def __init__(self, table: NodeTable, urls: list[str | None], targets: list[int]) -> None:
        self._table, self._urls, self._targets = table, urls, targets
        # the other URLs and their articles' keys (None, an article's own URL, is falsy)
        named = zip(urls, map(table.keys.__getitem__, targets), strict=True)
        self._others = dict(compress(named, urls))

    def __len__(self) -> int:
        return len(self._targets)

    def __iter__(self) -> Iterator[str]:
        keys = self._table.keys
        for url, target in zip(self._urls, self._targets, strict=True):
            yield keys[target][2:] if url is None else url

    def __getitem__(self, url: str) -> str:
        key = ARTICLE_PREFIX + url
        number = self._table.number.get(key)
        if number is not None and number < self._table.articles:
            return key
        return self._others[url]

    def __contains__(self, url: object) -> bool:
        if not isinstance(url, str):
            return False
        number = self._table.number.get(ARTICLE_PREFIX + url)
        return (number is not None and number < self._table.articles) or url in self._others


#: A snapshot section as it is written: JSON bytes, an array, or a record heap.
Section = tuple[str, "bytes | bytearray | array[Any]"]


class RecordHeap(bytearray):
    """A section of JSON records, each followed by a comma (not one JSON document): record
    ``i`` is ``heap[offsets[i]:offsets[i + 1] - 1]``."""


def record_heap(records: Iterable[Any]) -> tuple[array[int], RecordHeap]:
    """The offsets and the heap of ``records`` (each JSON-encoded), grown in place."""
    offsets, heap = array("Q", [0]), RecordHeap()
    for record in records:
        heap += orjson.dumps(record)
        heap += b","
        offsets.append(len(heap))
    return offsets, heap


def heap_record(heap: memoryview | bytes, offsets: np.ndarray, i: int) -> Any:
    """Record ``i`` of a record heap."""
    return orjson.loads(heap[offsets[i] : offsets[i + 1] - 1])


def check_csr(
    offsets: np.ndarray, items: np.ndarray | memoryview | bytes, rows: int, bound: int, name: str
) -> None:
    """Raise ValueError unless ``offsets`` cut ``items`` into ``rows`` rows (from 0, never
    falling, to the end) and every item is below ``bound`` (not checked for a record heap)."""
    if len(offsets) != rows + 1 or offsets[0] != 0 or offsets[-1] != len(items):
        raise ValueError(f"the {name} arrays do not match")
    if (np.diff(offsets.astype(np.int64)) < 0).any():
        raise ValueError(f"the {name} arrays do not match")
    if isinstance(items, np.ndarray) and len(items) and int(items.max()) >= bound:
        raise ValueError(f"the {name} arrays are out of bounds")


def ends(count: int) -> set[int]:
    """The first and last of ``count`` records (none when there are none): a reader decodes
    them to check a record heap beyond its checksum."""
    return {0, count - 1} if count else set()


def is_permutation(values: np.ndarray, n: int) -> bool:
    """Whether ``values`` holds each of 0 .. n-1 once (out-of-range values checked first)."""
    if len(values) != n:
        return False
    return n == 0 or (int(values.max()) < n and bool((np.bincount(values, minlength=n) == 1).all()))


class KeySeq(Sequence[str]):
    """A sequence of keys held as numbers (a mapped array) and named on access.

    Equal to any sequence of the same keys in the same order (a tuple of a built store)."""

    __slots__ = ("_key", "_numbers")

    def __init__(self, numbers: np.ndarray, key: Callable[[int], str]) -> None:
        self._numbers, self._key = numbers, key

    def __len__(self) -> int:
        return len(self._numbers)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return list(map(self._key, self._numbers[i].tolist()))
        return self._key(int(self._numbers[i]))

    def __iter__(self) -> Iterator[str]:
        return map(self._key, self._numbers.tolist())

    def numbers_of(self, namer: object) -> np.ndarray | None:
        """The numbers, when it is ``namer`` that names them (the list whose ``__getitem__``,
        or the table whose method, makes the keys): for work on the numbers without naming a
        key. Else None."""
        return self._numbers if getattr(self._key, "__self__", None) is namer else None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


class JsonSources(Mapping[str, tuple[int, int]]):
    """``store.sources`` of a mapped snapshot (corpus path -> size and mtime), parsed from
    the file each time it is used: only a corpus server's check of a kept store and a
    snapshot write read it, and a parsed copy would cost each worker about 30 MB at 100,000
    documents. Read it whole, through ``items()``: a lookup parses the whole list."""

    __slots__ = ("_raw",)

    def __init__(self, raw: memoryview | bytes) -> None:
        self._raw = raw

    def _parsed(self) -> dict[str, tuple[int, int]]:
        return {path: (size, mtime) for path, size, mtime in orjson.loads(self._raw)}

    def __len__(self) -> int:
        return len(self._parsed())

    def __iter__(self) -> Iterator[str]:
        return iter(self._parsed())

    def __getitem__(self, path: str) -> tuple[int, int]:
        return self._parsed()[path]

    def items(self) -> ItemsView[str, tuple[int, int]]:
        return self._parsed().items()


def table_of(graph: nx.Graph) -> NodeTable | None:
    """The table a graph is read from, or None for a graph held in Python dicts."""
    return graph.table if isinstance(graph, MappedDiGraph) else None


class MappedArticles(Mapping[str, Article]):
    """``store.articles`` of a mapped snapshot: each record decoded when it is asked for.

    A record is a JSON array (``article_record``) in ``heap``, each followed by a comma:
    record ``i`` is ``heap[offsets[i]:offsets[i + 1] - 1]``. The key is the table's, so an
    article's key is its node key (one string)."""

    __slots__ = ("_heap", "_offsets", "_providers", "_table", "_topics")

    def __init__(
        self,
        table: NodeTable,
        heap: memoryview,
        offsets: np.ndarray,
        providers: Sequence[str],
        topics: Sequence[str],
    ) -> None:
        self._table, self._heap, self._offsets = table, heap, offsets
        self._providers, self._topics = providers, topics

    def __len__(self) -> int:
        return self._table.articles

    def __iter__(self) -> Iterator[str]:
        return iter(self._table.keys[: self._table.articles])

    def __contains__(self, key: object) -> bool:
        i = self._table.number.get(key) if isinstance(key, str) else None
        return i is not None and i < self._table.articles

    def __getitem__(self, key: str) -> Article:
        i = self._table.number.get(key)
        if i is None or i >= self._table.articles:
            raise KeyError(key)
        return self.record(i, self._table.keys[i])

    def key_seq(self) -> KeySeq:
        """The keys in order, each named when asked for (``list(self)`` touches them all)."""
        return KeySeq(np.arange(len(self), dtype=np.uint32), self._table.keys.__getitem__)

    def record(self, i: int, key: str) -> Article:
        """Article number ``i`` (whose key is ``key``), decoded from the heap."""
        row = heap_record(self._heap, self._offsets, i)
        return article_from_record(key, row, self._providers, self._topics)

    def decode_all(self) -> dict[str, Article]:
        """Every article, decoded in one pass (the heap is one JSON array but for its
        brackets)."""
        rows = orjson.loads(b"[" + self._heap[:-1] + b"]") if len(self) else []
        providers, topics = self._providers, self._topics
        return {
            key: article_from_record(key, row, providers, topics)
            for key, row in zip(self, rows, strict=True)
        }

    def items(self) -> ItemsView[str, Article]:
        return _ArticleItems(self)


class _ArticleItems(ItemsView[str, Article]):
    _mapping: MappedArticles

    def __iter__(self) -> Iterator[tuple[str, Article]]:
        return iter(self._mapping.decode_all().items())


def article_record(article: Article, provider: int, topics: list[int]) -> list[Any]:
    """An article as the JSON array a snapshot keeps (its key and URL come from the key)."""
    return [
        article.title,
        article.excerpt,
        article.published_at.isoformat() if article.published_at else None,
        article.type,
        article.quality,
        article.heat,
        article.published,
        article.removed,
        article.is_stub,
        provider,
        topics,
        [[i.url, i.width, i.height] for i in article.images],
        article.sources,
        None if article.urls == (article.url,) else article.urls,
    ]


def article_from_record(
    key: str, row: list[Any], providers: Sequence[str], topics: Sequence[str]
) -> Article:
    """The Article of ``article_record``'s array."""
    (title, excerpt, when, kind, quality, heat, published, removed, stub) = row[:9]
    (provider, tops, images, sources, urls) = row[9:]
    url = key[2:]
    return Article(
        key=key,
        url=url,
        title=title,
        excerpt=excerpt,
        published_at=datetime.fromisoformat(when) if when else None,
        type=kind,
        quality=quality,
        heat=heat,
        published=published,
        removed=removed,
        is_stub=stub,
        provider=providers[provider],
        topics=tuple(map(topics.__getitem__, tops)),
        images=tuple(Image(u, w, h) for u, w, h in images),
        sources=tuple(sources),
        urls=(url,) if urls is None else tuple(urls),
    )
