"""Snapshots: a GraphStore written to one file and read back in seconds (``graphsvc build``).

A safe, versioned format, no pickle: the first line names the format version; sections of JSON,
little-endian arrays (uint8, uint32, uint64, float64) or a heap of article records follow, each
at an offset that is a multiple of 8; a JSON trailer lists each section with its length and
SHA-256. Reading checks all of it before use, and raises ``SnapshotError`` (a GraphsvcError) with
the reason on any mismatch, so a truncated or edited file never yields a half-built store.

The file is read in place (``mmap``): the adjacency (CSR rows by entity number, in build.py's
insertion order, so RELATED rows are in rank order) and the article records stay in the file,
and graph/mapped.py serves them as a ``networkx.DiGraph`` and a mapping of articles. Workers that
map one file share its pages. Reading checks the arrays' shapes and bounds, not each record: a
record is covered by its section's checksum, and the first and last are decoded on reading.
Compressed files (``compress=True``) are inflated into memory instead.

The store read back is equal to the one written (records, indexes, report, version), with
build.py's shared attribute dicts, every successor and predecessor row in its original order,
and an article's key as its node key. ``loaded_at`` is the time of reading, as after an ingest.
"""

from __future__ import annotations

import hashlib
import math
import mmap
import operator
import os
import sys
import zlib
from array import array
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Any

import numpy as np
import orjson

from graphsvc import __version__
from graphsvc.errors import GraphsvcError
from graphsvc.graph.build import EDGE_ATTRS, no_gc
from graphsvc.graph.mapped import (
    JsonSources,
    KeySeq,
    MappedArticles,
    MappedDiGraph,
    MappedUrls,
    NodeTable,
    RecordHeap,
    Section,
    article_record,
    check_csr,
    ends,
    is_permutation,
    record_heap,
    table_of,
)
from graphsvc.graph.memo import install_memo
from graphsvc.graph.nxraw import node_dicts, pred_dicts, succ_dicts
from graphsvc.graph.queries import PLACES_MEMO, ArticleOrder, ArticlePlaces, article_places
from graphsvc.graph.store import GraphStore
from graphsvc.identity import ARTICLE_PREFIX, article_key, kind_of
from graphsvc.model import (
    EDGE_KIND_INTO,
    Article,
    IngestReport,
    NodeKind,
    Problem,
    Provider,
    Topic,
)

#: Bump when the layout of a snapshot changes; older files are then refused with a clear error.
#: 2: the costly analytics (centralities, the story partition) are kept in the file.
#: 3: read in place: sections 8-byte aligned, CSR rows by entity number, a record heap.
#: 4: the source list, stories, baskets and provider links kept as sections read on demand.
FORMAT = 4
MAGIC = b"GRAPHSVC-SNAPSHOT "
_TRAILER_SIZE = 8  # the trailer's length, a little-endian uint64, ends the file
_MAX_TRAILER = 1 << 20
_ARRAY_KINDS = {"B": "u8", "I": "u32", "Q": "u64", "d": "f64"}  # section kinds, by typecode
_DTYPES = {"u8": "<u1", "u32": "<u4", "u64": "<u8", "f64": "<f8"}
_ALIGN = 8
_HASHERS = min(4, os.cpu_count() or 1)  # threads that check a file's sections (verify_snapshot)


if TYPE_CHECKING:
    from graphsvc.graph.analytics import Results


class SnapshotError(GraphsvcError):
    """A snapshot that cannot be written or read: the message says which file and why."""


class _Corrupt(ValueError):
    """Inconsistent content found while rebuilding (read_snapshot adds the path)."""


# Writing ---------------------------------------------------------------------------------
def write_snapshot(store: GraphStore, path: Path | str, *, compress: bool = False) -> int:
    """Write ``store`` to ``path`` (atomically: a temporary file, then a rename); return bytes.

    ``compress`` zlib-compresses every section: about a third of the size, slower to read.
    """
    path = Path(path)
    with no_gc():  # millions of short-lived containers: the cyclic GC only slows this down
        return _write(store, path, compress)


def _write(store: GraphStore, path: Path, compress: bool) -> int:
    articles = list(store.articles.values())
    providers = list(store.providers.values())
    topics = list(store.topics.values())
    keys = [a.key for a in articles] + [p.key for p in providers] + [t.key for t in topics]
    entity = {k: i for i, k in enumerate(keys)}  # entity numbers: articles, providers, topics
    index = {a.key: i for i, a in enumerate(articles)}
    graph = store.graph
    nodes = node_dicts(graph)
    if len(entity) != graph.number_of_nodes() or any(k not in entity for k in nodes):
        raise SnapshotError("the graph's nodes are not exactly the store's records")
    sections = _sections(store, articles, providers, topics, keys, entity, index, nodes)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(MAGIC + str(FORMAT).encode() + b"\n")
            table = [_write_section(fh, name, data, compress) for name, data in sections]
            trailer = orjson.dumps(
                {
                    "format": FORMAT,
                    "graphsvc": __version__,
                    "version": store.version,
                    "counts": store.counts.as_dict(),
                    "sections": table,
                }
            )
            fh.write(trailer + len(trailer).to_bytes(_TRAILER_SIZE, "little"))
        os.replace(tmp, path)
    except OSError as exc:
        raise SnapshotError(f"cannot write snapshot {path}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return path.stat().st_size


def _sections(
    store: GraphStore,
    articles: list[Article],
    providers: list[Provider],
    topics: list[Topic],
    keys: list[str],
    entity: dict[str, int],
    index: dict[str, int],
    nodes: Mapping[str, Any],
) -> Iterator[Section]:
    """Every section, made as it is written (the whole file is never in memory at once)."""
    graph = store.graph
    yield "meta", _meta(store)
    yield "sources", orjson.dumps([[p, n, t] for p, (n, t) in store.sources.items()])
    yield "providers", orjson.dumps([[p.key, p.domain, p.name, p.article_count] for p in providers])
    yield "topics", orjson.dumps([[t.key, t.name, t.article_count] for t in topics])
    yield "keys", orjson.dumps(keys)
    yield from _articles(articles, entity, len(articles), len(articles) + len(providers))
    yield "graph_order", array("I", (entity[k] for k in nodes))
    yield from _adjacency("succ", succ_dicts(graph), keys, entity, check=True)
    yield from _adjacency("pred", pred_dicts(graph), keys, entity, check=False)
    yield "full_by_date", array("I", (index[k] for k in store.full_by_date))
    yield "stubs_by_date", array("I", (index[k] for k in store.stubs_by_date))
    yield from _lists("topic_articles", store.topic_articles, entity, index)
    yield from _lists("provider_articles", store.provider_articles, entity, index)
    yield from _url_index(store, articles, index)
    yield from _analytics(store, articles, providers, topics, index)


def _meta(store: GraphStore) -> bytes:
    report = store.report
    return orjson.dumps(
        {
            "version": store.version,
            "root": store.root,
            "report": {
                "files": report.files,
                "parsed": report.parsed,
                "cached": report.cached,
                "ignored": report.ignored,
                "rejected": [_problem(p) for p in report.rejected],
                "warnings": [_problem(p) for p in report.warnings],
                "seconds": report.seconds,
            },
        }
    )


def _problem(p: Problem) -> list[Any]:
    return [p.path, p.reason, p.line, p.kind]


def _articles(
    articles: Sequence[Article], entity: Mapping[str, int], pbase: int, tbase: int
) -> list[Section]:
    """The record heap (one JSON array per article, mapped.article_record, each followed by
    a comma) and its offsets."""
    for a in articles:
        if a.key != article_key(a.url):
            raise SnapshotError(f"article key {a.key!r} is not the key of its URL {a.url!r}")
    offsets, heap = record_heap(
        article_record(a, entity[a.provider] - pbase, [entity[t] - tbase for t in a.topics])
        for a in articles
    )
    return [("article_offsets", offsets), ("article_records", heap)]


def _adjacency(
    name: str,
    adjacency: Mapping[str, Mapping[str, Any]],
    keys: Sequence[str],
    entity: Mapping[str, int],
    check: bool,
) -> list[Section]:
    """CSR arrays (offsets, neighbour numbers) of successor or predecessor rows, by entity
    number, each row in its insertion order."""
    offsets, neighbours = array("Q", [0]), array("I")
    for key in keys:
        nbrs = adjacency[key]
        if check:
            for target, data in nbrs.items():
                expected = EDGE_ATTRS[EDGE_KIND_INTO[kind_of(target)]]
                if data is not expected and data != expected:
                    raise SnapshotError(f"edge {key} -> {target} has attributes {data!r}")
        neighbours.extend(map(entity.__getitem__, nbrs))
        offsets.append(len(neighbours))
    return [(f"{name}_offsets", offsets), (f"{name}_nodes", neighbours)]


def _lists(
    name: str,
    lists: Mapping[str, Sequence[str]],
    owners: Mapping[str, int],
    index: Mapping[str, int],
) -> list[Section]:
    """An index of article lists (by topic or provider) as owner ids plus CSR arrays."""
    offsets, items = array("I", [0]), array("I")
    for keys in lists.values():
        items.extend(index[k] for k in keys)
        offsets.append(len(items))
    owner_ids = [owners[k] for k in lists]
    return [
        (f"{name}_keys", orjson.dumps(owner_ids)),
        (f"{name}_offsets", offsets),
        (f"{name}", items),
    ]


def _url_index(
    store: GraphStore, articles: Sequence[Article], index: Mapping[str, int]
) -> list[Section]:
    """The URL index in order: target article ids, and each URL (null when it is the target's)."""
    targets = array("I", (index[k] for k in store.url_index.values()))
    urls = [
        None if articles[t].url == u else u for u, t in zip(store.url_index, targets, strict=True)
    ]
    return [("url_index_urls", orjson.dumps(urls)), ("url_index", targets)]


def _analytics(
    store: GraphStore,
    articles: Sequence[Article],
    providers: Sequence[Provider],
    topics: Sequence[Topic],
    index: Mapping[str, int],
) -> Iterator[Section]:
    """The analytics (computed now if the store has not got them yet): each ranking as its
    scores in record order (NaN for a node without one) and its order as record numbers; each
    story as its members and representative by article number, with its summary; the places
    of the articles in each order; and the cheap rest (graph/analytics/kept.py)."""
    from graphsvc.graph import analytics  # NumPy, SciPy and igraph: imported when needed
    from graphsvc.graph.analytics import inplace, kept

    found = analytics.results(store) or analytics.results(analytics.warm(store))
    assert found is not None  # warm computes every one
    records: dict[NodeKind, Sequence[Article | Provider | Topic]] = {
        NodeKind.ARTICLE: articles,
        NodeKind.PROVIDER: providers,
        NodeKind.TOPIC: topics,
    }
    numbers = {kind: {r.key: i for i, r in enumerate(rs)} for kind, rs in records.items()}
    names = []
    for (kind, how), ranking in found.rankings.items():
        name = f"{kind.value}:{how.value}"
        names.append([kind.value, how.value, name])
        scores, number = ranking.scores, numbers[kind]
        yield f"score:{name}", array("d", (scores.get(r.key, math.nan) for r in records[kind]))
        yield f"order:{name}", array("I", (number[k] for k in ranking.order))
    yield from inplace.story_sections(found.stories, index)
    yield from kept.sections(store)
    places = article_places(store)  # by the store's article numbers: the records' order
    if list(places.number.items())[: len(articles)] != list(index.items()):
        raise SnapshotError("the article places do not follow the records")
    for order in ArticleOrder:
        yield f"place:{order.value}", array("I", places.places[order].tolist())
    yield "article_quality", array("d", places.quality.tolist())
    yield "analytics", orjson.dumps({"rankings": names, "stories": found.stories.method})


def _write_section(
    fh: IO[bytes], name: str, data: bytes | bytearray | array[Any], compress: bool
) -> dict[str, Any]:
    if isinstance(data, RecordHeap):
        kind = "heap"
    elif isinstance(data, array):
        kind = _ARRAY_KINDS[data.typecode]
    else:
        kind = "json"
    if isinstance(data, array):
        if sys.byteorder == "big":  # pragma: no cover - the format is little-endian
            data = array(data.typecode, data)
            data.byteswap()
        data = data.tobytes()
    raw_length = len(data)
    if compress:
        data = zlib.compress(data, 1)
    fh.write(b"\0" * (-fh.tell() % _ALIGN))  # arrays are mapped in place: aligned
    offset = fh.tell()
    fh.write(data)
    return {
        "name": name,
        "kind": kind,
        "offset": offset,
        "length": len(data),
        "raw_length": raw_length,
        "zlib": compress,
        "sha256": hashlib.sha256(data).hexdigest(),
    }


# Reading ---------------------------------------------------------------------------------
def read_info(path: Path | str) -> dict[str, Any]:
    """The trailer of a snapshot: format, graphsvc and store versions, counts, sections."""
    with _open(Path(path)) as fh:
        return _trailer(fh, Path(path))


def verify_snapshot(path: Path | str) -> dict[str, Any]:
    """Check a snapshot without reading its store (what ``serve`` does before it starts):
    header, format, trailer and every section's length and SHA-256. Its trailer, with the
    file's ``identity`` (``read_snapshot``'s ``checked``), or raise SnapshotError saying what
    is wrong. The content's shapes are checked when it is read."""
    path = Path(path)
    with _mapped(path) as (info, sections), ThreadPoolExecutor(_HASHERS) as pool:
        try:  # hashlib lets go of the GIL: 0.19 -> 0.10 s at 100,000 documents on two cores
            for _ in pool.map(sections.raw, sections.table):
                pass
        except (KeyError, TypeError, ValueError, OSError) as exc:
            why = f"{type(exc).__name__}: {exc}"
            raise SnapshotError(f"snapshot {path} is corrupt ({why}): build it again") from None
        return {**info, "identity": sections.identity}


def read_snapshot(path: Path | str, *, analytics: bool = True, checked: str = "") -> GraphStore:
    """Read a snapshot back into a GraphStore, or raise SnapshotError saying what is wrong.

    ``analytics``: install the analytics the file keeps and count the rest (what a server
    needs); without, the store answers them on first use (a command that only reports).
    ``checked``: the ``identity`` that ``verify_snapshot`` gave; while the file is still that
    one (device, inode, size and mtime), its checksums are not computed again (a server's
    workers: about 0.3 s each at 100,000 documents)."""
    path = Path(path)
    with _mapped(path, checked) as (_info, sections), no_gc(), _reasons(path):
        store = _rebuild(sections)
        install_memo(store, PLACES_MEMO, _read_places(sections, store))
        if not analytics:
            return store
        from graphsvc.graph.analytics import install, kept  # NumPy, SciPy: when needed

        kept.install(store, sections)
        return install(store, _read_analytics(sections, store))


@contextmanager
def _reasons(path: Path) -> Iterator[None]:
    """Any error in a file's content as a SnapshotError that says so."""
    try:
        yield
    except SnapshotError:
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        why = str(exc) if isinstance(exc, _Corrupt) else f"{type(exc).__name__}: {exc}"
        raise SnapshotError(f"snapshot {path} is corrupt ({why}): build it again") from None


@contextmanager
def _mapped(path: Path, checked: str = "") -> Iterator[tuple[dict[str, Any], _Sections]]:
    """The trailer and the sections of a snapshot file, mapped read-only (the map lives on
    in the arrays and the record heap a store keeps); checksums are skipped when the file
    open is the one ``checked`` names."""
    with _open(path) as fh:
        info = _trailer(fh, path)
        try:
            whole = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as exc:
            raise SnapshotError(f"cannot map snapshot {path}: {exc}") from None
        st = os.fstat(fh.fileno())
    identity = f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"
    sections = _Sections(memoryview(whole), path, info["sections"], identity)
    sections.verify = identity != checked
    yield info, sections


@contextmanager
def _open(path: Path) -> Iterator[IO[bytes]]:
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise SnapshotError(f"cannot read snapshot {path}: {exc.strerror or exc}") from None
    with fh:
        first = fh.readline(64)
        if not first.startswith(MAGIC):
            raise SnapshotError(f"{path} is not a graphsvc snapshot (no {MAGIC.decode()}header)")
        found = first[len(MAGIC) :].strip().decode("ascii", "replace")
        if found != str(FORMAT):
            raise SnapshotError(
                f"snapshot {path} has format {found!r}, but this graphsvc ({__version__}) reads"
                f" format {FORMAT}: build it again with `graphsvc build`"
            )
        yield fh


def _trailer(fh: IO[bytes], path: Path) -> dict[str, Any]:
    corrupt = f"snapshot {path} is corrupt or truncated"
    size = fh.seek(0, os.SEEK_END)
    if size < _TRAILER_SIZE:
        raise SnapshotError(f"{corrupt} (no trailer)")
    fh.seek(size - _TRAILER_SIZE)
    length = int.from_bytes(fh.read(_TRAILER_SIZE), "little")
    if not 0 < length <= min(_MAX_TRAILER, size - _TRAILER_SIZE):
        raise SnapshotError(f"{corrupt} (bad trailer length)")
    fh.seek(size - _TRAILER_SIZE - length)
    try:
        info = orjson.loads(fh.read(length))
        if info["format"] != FORMAT or not isinstance(info["sections"], list):
            raise ValueError("bad trailer")
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise SnapshotError(f"{corrupt} (unreadable trailer)") from None
    return dict(info)


class _Sections:
    """Checks and decodes one section at a time, in place (arrays are views of the map)."""

    def __init__(
        self, whole: memoryview, path: Path, table: list[dict[str, Any]], identity: str
    ) -> None:
        self.whole, self.path, self.identity = whole, path, identity
        self.verify = True  # compute each section's checksum
        try:
            self.table = {s["name"]: s for s in table}
        except (KeyError, TypeError):
            raise SnapshotError(f"snapshot {path} is corrupt (bad section table)") from None

    def raw(self, name: str) -> memoryview | bytes:
        entry = self.table.get(name)
        if entry is None:
            raise SnapshotError(f"snapshot {self.path} is corrupt (section {name!r} missing)")
        offset, length = entry["offset"], entry["length"]
        data = self.whole[offset : offset + length]
        if len(data) != length or (
            self.verify and hashlib.sha256(data).hexdigest() != entry["sha256"]
        ):
            raise SnapshotError(
                f"snapshot {self.path} is corrupt (section {name!r} fails its checksum)"
            )
        if entry["zlib"]:
            try:
                return zlib.decompress(data)
            except zlib.error:
                raise SnapshotError(f"snapshot {self.path} is corrupt (section {name!r})") from None
        return data

    def json(self, name: str) -> Any:
        try:
            return orjson.loads(self.raw(name))
        except orjson.JSONDecodeError:
            raise SnapshotError(f"snapshot {self.path} is corrupt (section {name!r})") from None

    def u32(self, name: str) -> np.ndarray:
        return self._array(name, "u32")

    def u64(self, name: str) -> np.ndarray:
        return self._array(name, "u64")

    def f64(self, name: str) -> np.ndarray:
        return self._array(name, "f64")

    def _array(self, name: str, kind: str) -> np.ndarray:
        data, dtype = self.raw(name), np.dtype(_DTYPES[kind])
        if len(data) % dtype.itemsize:
            raise SnapshotError(f"snapshot {self.path} is corrupt (section {name!r})")
        return np.frombuffer(data, dtype=dtype)


def _numbers(values: np.ndarray, bound: int, name: str) -> list[int]:
    """Record numbers as a list, each checked to be below ``bound``."""
    if len(values) and values.max() >= bound:
        raise _Corrupt(f"section {name!r} is out of bounds")
    return list(values.tolist())


def _rebuild(s: _Sections) -> GraphStore:
    meta = s.json("meta")
    providers = [Provider(k, d, n, c) for k, d, n, c in s.json("providers")]
    topics = [Topic(k, n, c) for k, n, c in s.json("topics")]
    keys = s.json("keys")
    count = len(keys) - len(providers) - len(topics)
    if count < 0 or set(map(type, keys)) - {str}:
        raise _Corrupt("the keys do not match the records")
    if keys[count:] != [p.key for p in providers] + [t.key for t in topics]:
        raise _Corrupt("the keys do not match the records")
    if not all(map(operator.methodcaller("startswith", ARTICLE_PREFIX), keys[:count])):
        raise _Corrupt("an article's key is not an article key")
    number = dict(zip(keys, range(len(keys)), strict=True))
    if len(number) != len(keys):
        raise _Corrupt("a key is there twice")
    nodes = len(keys)
    order = s.u32("graph_order")
    if not is_permutation(order, nodes):
        raise _Corrupt("graph nodes do not match the records")
    table = NodeTable(
        keys=keys,
        number=MappingProxyType(number),
        articles=count,
        providers=len(providers),
        order=order,
        succ_offsets=s.u64("succ_offsets"),
        succ_nodes=s.u32("succ_nodes"),
        pred_offsets=s.u64("pred_offsets"),
        pred_nodes=s.u32("pred_nodes"),
    )
    check_csr(table.succ_offsets, table.succ_nodes, nodes, nodes, "succ")
    check_csr(table.pred_offsets, table.pred_nodes, nodes, nodes, "pred")
    heap, heap_offsets = s.raw("article_records"), s.u64("article_offsets")
    check_csr(heap_offsets, heap, count, 0, "article record")
    articles = MappedArticles(
        table, memoryview(heap), heap_offsets, [p.key for p in providers], [t.key for t in topics]
    )
    for i in ends(count):  # the ends decode (each is covered by the checksum)
        articles.record(i, keys[i])
    url_targets = _numbers(s.u32("url_index"), count, "url_index")
    url_index = MappedUrls(table, s.json("url_index_urls"), url_targets)
    report = meta["report"]
    return GraphStore(
        graph=MappedDiGraph(table),
        articles=articles,
        providers=MappingProxyType({p.key: p for p in providers}),
        topics=MappingProxyType({t.key: t for t in topics}),
        url_index=url_index,
        full_by_date=tuple(map(keys.__getitem__, _numbers(s.u32("full_by_date"), count, "full"))),
        stubs_by_date=tuple(
            map(keys.__getitem__, _numbers(s.u32("stubs_by_date"), count, "stubs"))
        ),
        topic_articles=_read_lists(s, "topic_articles", keys, count),
        provider_articles=_read_lists(s, "provider_articles", keys, count),
        report=IngestReport(
            files=report["files"],
            parsed=report["parsed"],
            cached=report["cached"],
            ignored=list(report["ignored"]),
            rejected=[Problem(*p) for p in report["rejected"]],
            warnings=[Problem(*p) for p in report["warnings"]],
            seconds=report["seconds"],
        ),
        version=meta["version"],
        loaded_at=datetime.now(UTC),
        root=meta["root"],
        sources=JsonSources(s.raw("sources")),
    )


def _read_analytics(s: _Sections, store: GraphStore) -> Results:
    from graphsvc.graph.analytics import Results, centrality, inplace

    table = s.json("analytics")
    t = _table(store)
    records: dict[NodeKind, Sequence[str]] = {
        NodeKind.ARTICLE: t.keys[: t.articles],  # article numbers are entity numbers
        NodeKind.PROVIDER: list(store.providers),
        NodeKind.TOPIC: list(store.topics),
    }
    numbers: dict[NodeKind, Mapping[str, int]] = {
        kind: dict(zip(keys, range(len(keys)), strict=True))
        for kind, keys in records.items()
        if kind is not NodeKind.ARTICLE
    }
    numbers[NodeKind.ARTICLE] = t.number
    rankings = {}
    for kind, how, name in table["rankings"]:
        keys, values = records[NodeKind(kind)], s.f64(f"score:{name}")
        if len(values) != len(keys):
            raise _Corrupt(f"section 'score:{name}' does not match the records")
        order = s.u32(f"order:{name}")
        if len(order) != len(values) - np.count_nonzero(np.isnan(values)):
            raise _Corrupt(f"section 'order:{name}' does not match its scores")
        if len(order) and (np.isnan(values[_numbers(order, len(keys), name)]).any()):
            raise _Corrupt(f"section 'order:{name}' does not match its scores")
        found = centrality.ranked_arrays(keys, numbers[NodeKind(kind)], values, order)
        rankings[NodeKind(kind), centrality.Centrality(how)] = found
    kept = inplace.read_stories(s, str(table["stories"]), t.keys, t.number, t.articles)
    return Results(MappingProxyType(rankings), kept)


def _table(store: GraphStore) -> NodeTable:
    table = table_of(store.graph)
    if table is None:  # pragma: no cover - _rebuild maps every graph it reads
        raise TypeError("not a mapped store")
    return table


def _read_places(s: _Sections, store: GraphStore) -> ArticlePlaces:
    table = _table(store)
    places = {}
    for order in ArticleOrder:
        place = s.u32(f"place:{order.value}")
        if not is_permutation(place, table.articles):
            raise _Corrupt(f"section 'place:{order.value}' is not an order of the articles")
        places[order] = place
    quality = s.f64("article_quality")
    if len(quality) != table.articles:
        raise _Corrupt("section 'article_quality' does not match the records")
    return ArticlePlaces(table.number, MappingProxyType(places), quality, table.keys)


def _read_lists(
    s: _Sections, name: str, keys: list[str], count: int
) -> Mapping[str, Sequence[str]]:
    """An index of article lists (``_lists``), each list named on access (``KeySeq``)."""
    owners = s.json(f"{name}_keys")
    offsets, items = s.u32(f"{name}_offsets"), s.u32(name)
    check_csr(offsets, items, len(owners), count, name)
    if len(owners) and (min(owners) < 0 or max(owners) >= len(keys)):
        raise _Corrupt(f"section '{name}_keys' is out of bounds")
    key_of, bounds = keys.__getitem__, offsets.tolist()
    return MappingProxyType(
        {
            keys[owner]: KeySeq(items[bounds[i] : bounds[i + 1]], key_of)
            for i, owner in enumerate(owners)
        }
    )
