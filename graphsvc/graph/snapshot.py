"""Snapshots: a GraphStore written to one file and read back in seconds (``graphsvc build``).

A safe, versioned format, no pickle: the first line names the format version; sections of JSON
records or little-endian uint32 arrays (optionally zlib-compressed) follow; a JSON trailer lists
each section with its length and SHA-256. Reading checks all of it before use, and raises
``SnapshotError`` (a GraphsvcError) with the reason on any mismatch, so a truncated or edited
file never yields a half-built store.

The store read back is equal to the one written (records, indexes, report, version) and keeps
build.py's memory layout: one shared attribute dict per node kind and per edge kind, and every
successor and predecessor dict in its original order (RELATED edges in rank order). Strings are
shared where the builder copies them (an article's key is its node key), so a read store is a
little smaller than a built one. ``loaded_at`` is the time of reading, as after an ingest.
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
import zlib
from array import array
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Any

import networkx as nx
import orjson

from graphsvc import __version__
from graphsvc.errors import GraphsvcError
from graphsvc.graph.build import EDGE_ATTRS, NODE_ATTRS, no_gc
from graphsvc.graph.nxraw import node_dicts, pred_dicts, succ_dicts
from graphsvc.graph.store import GraphStore
from graphsvc.identity import article_key, kind_of
from graphsvc.model import (
    Article,
    EdgeKind,
    Image,
    IngestReport,
    NodeKind,
    Problem,
    Provider,
    Topic,
)

#: Bump when the layout of a snapshot changes; older files are then refused with a clear error.
#: 2: the costly analytics (centralities, the story partition) are kept in the file.
FORMAT = 2
MAGIC = b"GRAPHSVC-SNAPSHOT "
_TRAILER_SIZE = 8  # the trailer's length, a little-endian uint64, ends the file
_MAX_TRAILER = 1 << 20
_EDGE_KIND = {
    NodeKind.ARTICLE: EdgeKind.RELATED,
    NodeKind.PROVIDER: EdgeKind.PUBLISHED_BY,
    NodeKind.TOPIC: EdgeKind.TAGGED,
}  # every edge's kind follows from its target's kind; write_snapshot checks it
_ARTICLE_COLUMNS = (
    "url", "title", "excerpt", "published_at", "type", "quality", "heat", "published",
    "removed", "is_stub", "provider", "topics", "images", "sources", "urls",
)  # fmt: skip
_ARRAY_KINDS = {"I": "u32", "d": "f64"}  # section kinds of arrays, by typecode


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
    index = {a.key: i for i, a in enumerate(articles)}
    pindex = {p.key: len(articles) + i for i, p in enumerate(providers)}
    tindex = {t.key: len(articles) + len(providers) + i for i, t in enumerate(topics)}
    entity = {**index, **pindex, **tindex}
    graph = store.graph
    nodes = node_dicts(graph)
    if len(entity) != graph.number_of_nodes() or any(k not in entity for k in nodes):
        raise SnapshotError("the graph's nodes are not exactly the store's records")
    order = array("I", (entity[k] for k in nodes))
    position = {k: i for i, k in enumerate(nodes)}
    sections: list[tuple[str, bytes | array[Any]]] = [
        ("meta", _meta(store)),
        ("articles", _articles(articles, pindex, tindex, len(articles) + len(providers))),
        (
            "providers",
            orjson.dumps([[p.key, p.domain, p.name, p.article_count] for p in providers]),
        ),
        ("topics", orjson.dumps([[t.key, t.name, t.article_count] for t in topics])),
        ("graph_order", order),
        *_adjacency("succ", succ_dicts(graph), position, check=True),
        *_adjacency("pred", pred_dicts(graph), position, check=False),
        ("full_by_date", array("I", (index[k] for k in store.full_by_date))),
        ("stubs_by_date", array("I", (index[k] for k in store.stubs_by_date))),
        *_lists("topic_articles", store.topic_articles, tindex, index),
        *_lists("provider_articles", store.provider_articles, pindex, index),
        *_url_index(store, articles, index),
        *_analytics(store, articles, providers, topics, index),
    ]
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
            "sources": [[path, size, mtime] for path, (size, mtime) in store.sources.items()],
        }
    )


def _problem(p: Problem) -> list[Any]:
    return [p.path, p.reason, p.line, p.kind]


def _articles(
    articles: Sequence[Article], pindex: Mapping[str, int], tindex: Mapping[str, int], tbase: int
) -> bytes:
    """Column lists; provider and topics as indexes; ``urls`` null when it is just the URL."""
    for a in articles:
        if a.key != article_key(a.url):
            raise SnapshotError(f"article key {a.key!r} is not the key of its URL {a.url!r}")
    base = len(articles)
    return orjson.dumps(
        {
            "url": [a.url for a in articles],
            "title": [a.title for a in articles],
            "excerpt": [a.excerpt for a in articles],
            "published_at": [
                a.published_at.isoformat() if a.published_at else None for a in articles
            ],
            "type": [a.type for a in articles],
            "quality": [a.quality for a in articles],
            "heat": [a.heat for a in articles],
            "published": [a.published for a in articles],
            "removed": [a.removed for a in articles],
            "is_stub": [a.is_stub for a in articles],
            "provider": [pindex[a.provider] - base for a in articles],
            "topics": [[tindex[t] - tbase for t in a.topics] for a in articles],
            "images": [[[i.url, i.width, i.height] for i in a.images] for a in articles],
            "sources": [a.sources for a in articles],
            "urls": [None if a.urls == (a.url,) else a.urls for a in articles],
        }
    )


def _adjacency(
    name: str, adjacency: Mapping[str, Mapping[str, Any]], position: Mapping[str, int], check: bool
) -> list[tuple[str, array[int]]]:
    """CSR arrays (offsets, neighbour positions) of successor or predecessor dicts, in order."""
    offsets, neighbours = array("I", [0]), array("I")
    for key, nbrs in adjacency.items():
        if check:
            for target, data in nbrs.items():
                expected = EDGE_ATTRS[_EDGE_KIND[kind_of(target)]]
                if data is not expected and data != expected:
                    raise SnapshotError(f"edge {key} -> {target} has attributes {data!r}")
        neighbours.extend(map(position.__getitem__, nbrs))
        offsets.append(len(neighbours))
    return [(f"{name}_offsets", offsets), (f"{name}_nodes", neighbours)]


def _lists(
    name: str,
    lists: Mapping[str, Sequence[str]],
    owners: Mapping[str, int],
    index: Mapping[str, int],
) -> list[tuple[str, bytes | array[int]]]:
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
) -> list[tuple[str, bytes | array[int]]]:
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
) -> Iterator[tuple[str, bytes | array[Any]]]:
    """The costly analytics (computed now if the store has not got them yet): each ranking
    as its scores in record order (NaN for a node without one) and its order as record
    numbers; each story as its members and representative by article number."""
    from graphsvc.graph import analytics  # NumPy, SciPy and igraph: imported when needed

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
    told = [
        [[index[k] for k in story.members], index[story.representative]]
        for story in found.stories.by_key.values()
    ]
    yield "analytics", orjson.dumps({"rankings": names, "stories": [found.stories.method, told]})


def _write_section(
    fh: IO[bytes], name: str, data: bytes | array[Any], compress: bool
) -> dict[str, Any]:
    kind = "json" if isinstance(data, bytes) else _ARRAY_KINDS[data.typecode]
    if isinstance(data, array):
        if sys.byteorder == "big":  # pragma: no cover - the format is little-endian
            data = array(data.typecode, data)
            data.byteswap()
        data = data.tobytes()
    raw_length = len(data)
    if compress:
        data = zlib.compress(data, 1)
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
    """Check a snapshot without building its store: header, format, trailer and every section's
    length and SHA-256 (one section in memory at a time). Its trailer, or raise SnapshotError
    saying what is wrong."""
    path = Path(path)
    with _open(path) as fh:
        info = _trailer(fh, path)
        sections = _Sections(fh, path, info["sections"])
        try:
            for name in sections.table:
                sections.raw(name)
        except (KeyError, TypeError, ValueError, OSError) as exc:
            why = f"{type(exc).__name__}: {exc}"
            raise SnapshotError(f"snapshot {path} is corrupt ({why}): build it again") from None
        return info


def read_snapshot(path: Path | str, *, analytics: bool = True) -> GraphStore:
    """Read a snapshot back into a GraphStore, or raise SnapshotError saying what is wrong.

    ``analytics``: install the analytics the file keeps and count the rest (what a server
    needs); without, the store answers them on first use (a command that only reports)."""
    path = Path(path)
    with _open(path) as fh:
        info = _trailer(fh, path)
        sections = _Sections(fh, path, info["sections"])
        with no_gc():
            try:
                store = _rebuild(sections)
                if not analytics:
                    return store
                from graphsvc.graph.analytics import install  # NumPy, SciPy: when needed

                return install(store, _read_analytics(sections, store))
            except SnapshotError:
                raise
            except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
                why = str(exc) if isinstance(exc, _Corrupt) else f"{type(exc).__name__}: {exc}"
                raise SnapshotError(f"snapshot {path} is corrupt ({why}): build it again") from None


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
    """Reads, checks and decodes one section at a time (never the whole file at once)."""

    def __init__(self, fh: IO[bytes], path: Path, table: list[dict[str, Any]]) -> None:
        self.fh, self.path = fh, path
        try:
            self.table = {s["name"]: s for s in table}
        except (KeyError, TypeError):
            raise SnapshotError(f"snapshot {path} is corrupt (bad section table)") from None

    def raw(self, name: str) -> bytes:
        entry = self.table.get(name)
        if entry is None:
            raise SnapshotError(f"snapshot {self.path} is corrupt (section {name!r} missing)")
        self.fh.seek(entry["offset"])
        data = self.fh.read(entry["length"])
        if len(data) != entry["length"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise SnapshotError(
                f"snapshot {self.path} is corrupt (section {name!r} fails its checksum)"
            )
        if entry["zlib"]:
            try:
                data = zlib.decompress(data)
            except zlib.error:
                raise SnapshotError(f"snapshot {self.path} is corrupt (section {name!r})") from None
        return data

    def json(self, name: str) -> Any:
        try:
            return orjson.loads(self.raw(name))
        except orjson.JSONDecodeError:
            raise SnapshotError(f"snapshot {self.path} is corrupt (section {name!r})") from None

    def u32(self, name: str) -> array[int]:
        return self._array(name, "I")

    def f64(self, name: str) -> array[float]:
        return self._array(name, "d")

    def _array(self, name: str, typecode: str) -> array[Any]:
        data = self.raw(name)
        values = array(typecode)
        if len(data) % values.itemsize:
            raise SnapshotError(f"snapshot {self.path} is corrupt (section {name!r})")
        values.frombytes(data)
        if sys.byteorder == "big":  # pragma: no cover
            values.byteswap()
        return values


def _rebuild(s: _Sections) -> GraphStore:
    meta = s.json("meta")
    providers = [Provider(k, d, n, c) for k, d, n, c in s.json("providers")]
    topics = [Topic(k, n, c) for k, n, c in s.json("topics")]
    articles = _read_articles(s.json("articles"), providers, topics)
    keys = [a.key for a in articles]
    entity_keys = keys + [p.key for p in providers] + [t.key for t in topics]
    kinds = [NodeKind.ARTICLE] * len(articles) + [NodeKind.PROVIDER] * len(providers)
    kinds += [NodeKind.TOPIC] * len(topics)
    order = s.u32("graph_order")
    node_keys = [entity_keys[i] for i in order]
    node_kinds = [kinds[i] for i in order]
    graph = nx.DiGraph()
    nodes = node_dicts(graph)
    nodes.update(zip(node_keys, map(NODE_ATTRS.__getitem__, node_kinds), strict=True))
    if len(nodes) != len(entity_keys):  # a node twice (or one missing) in graph_order
        raise _Corrupt("graph nodes do not match the records")
    into = [EDGE_ATTRS[_EDGE_KIND[k]] for k in node_kinds]  # attrs of an edge into each node
    succ, pred = succ_dicts(graph), pred_dicts(graph)
    _fill(succ, node_keys, s.u32("succ_offsets"), s.u32("succ_nodes"), into, per_target=True)
    _fill(pred, node_keys, s.u32("pred_offsets"), s.u32("pred_nodes"), into, per_target=False)
    url_targets = s.u32("url_index")
    url_index = {
        (articles[t].url if u is None else u): keys[t]
        for u, t in zip(s.json("url_index_urls"), url_targets, strict=True)
    }
    report = meta["report"]
    return GraphStore(
        graph=graph,
        articles=MappingProxyType(dict(zip(keys, articles, strict=True))),
        providers=MappingProxyType({p.key: p for p in providers}),
        topics=MappingProxyType({t.key: t for t in topics}),
        url_index=MappingProxyType(url_index),
        full_by_date=tuple(map(keys.__getitem__, s.u32("full_by_date"))),
        stubs_by_date=tuple(map(keys.__getitem__, s.u32("stubs_by_date"))),
        topic_articles=_read_lists(s, "topic_articles", entity_keys, keys),
        provider_articles=_read_lists(s, "provider_articles", entity_keys, keys),
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
        sources=MappingProxyType({p: (size, mtime) for p, size, mtime in meta["sources"]}),
    )


def _read_analytics(s: _Sections, store: GraphStore) -> Results:
    from graphsvc.graph.analytics import Results, centrality, stories

    table = s.json("analytics")
    records: dict[NodeKind, list[str]] = {
        NodeKind.ARTICLE: list(store.articles),
        NodeKind.PROVIDER: list(store.providers),
        NodeKind.TOPIC: list(store.topics),
    }
    rankings = {}
    for kind, how, name in table["rankings"]:
        keys, values = records[NodeKind(kind)], s.f64(f"score:{name}")
        if len(values) != len(keys):
            raise _Corrupt(f"section 'score:{name}' does not match the records")
        scores = {k: v for k, v in zip(keys, values, strict=True) if not math.isnan(v)}
        order = [keys[i] for i in s.u32(f"order:{name}")]
        if len(order) != len(scores):
            raise _Corrupt(f"section 'order:{name}' does not match its scores")
        rankings[NodeKind(kind), centrality.Centrality(how)] = centrality.ranked(order, scores)
    method, told = table["stories"]
    keys = records[NodeKind.ARTICLE]
    found = [
        stories.summarise(store, tuple(keys[i] for i in members), keys[representative])
        for members, representative in told
    ]
    return Results(MappingProxyType(rankings), stories.assemble(str(method), found))


def _read_articles(
    cols: dict[str, list[Any]], providers: Sequence[Provider], topics: Sequence[Topic]
) -> list[Article]:
    pkeys = [p.key for p in providers]
    tkeys = [t.key for t in topics]
    out: list[Article] = []
    fromiso = datetime.fromisoformat
    for row in zip(*(cols[name] for name in _ARTICLE_COLUMNS), strict=True):
        (url, title, excerpt, when, kind, quality, heat) = row[:7]
        (published, removed, stub, prov, tops, imgs, srcs, urls) = row[7:]
        out.append(
            Article(
                key=article_key(url),
                url=url,
                title=title,
                excerpt=excerpt,
                published_at=fromiso(when) if when else None,
                type=kind,
                quality=quality,
                heat=heat,
                published=published,
                removed=removed,
                is_stub=stub,
                provider=pkeys[prov],
                topics=tuple(map(tkeys.__getitem__, tops)),
                images=tuple(Image(u, w, h) for u, w, h in imgs),
                sources=tuple(srcs),
                urls=(url,) if urls is None else tuple(urls),
            )
        )
    return out


def _fill(
    adjacency: dict[str, dict[str, Any]],
    node_keys: list[str],
    offsets: array[int],
    nodes: array[int],
    into: list[dict[str, str]],
    *,
    per_target: bool,
) -> None:
    """Successor (or predecessor) dicts from CSR arrays, in stored order, sharing attr dicts."""
    if len(offsets) != len(node_keys) + 1 or offsets[-1] != len(nodes):
        raise _Corrupt("adjacency arrays do not match the nodes")
    key_of = node_keys.__getitem__
    for i, key in enumerate(node_keys):
        chunk = nodes[offsets[i] : offsets[i + 1]]
        if per_target:  # an edge's attrs follow its target's kind
            adjacency[key] = dict(
                zip(map(key_of, chunk), map(into.__getitem__, chunk), strict=True)
            )
        else:  # every edge into this node has the same kind
            adjacency[key] = dict(zip(map(key_of, chunk), repeat(into[i]), strict=False))


def _read_lists(
    s: _Sections, name: str, entity_keys: list[str], keys: list[str]
) -> Mapping[str, tuple[str, ...]]:
    owners = s.json(f"{name}_keys")
    offsets, items = s.u32(f"{name}_offsets"), s.u32(name)
    if len(offsets) != len(owners) + 1 or offsets[-1] != len(items):
        raise _Corrupt(f"{name} arrays do not match")
    key_of = keys.__getitem__
    return MappingProxyType(
        {
            entity_keys[owner]: tuple(map(key_of, items[offsets[i] : offsets[i + 1]]))
            for i, owner in enumerate(owners)
        }
    )
