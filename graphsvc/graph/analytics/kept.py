"""The cheap analytics in a snapshot file: written with the store, installed when it is read.

Reading a snapshot in place (graph/mapped.py) decodes an article only when it is asked for,
and the analytics below need a field of every article (its topics, provider and date): counting
them again after each read cost a server most of its start and, through the garbage it left,
hundreds of megabytes. So the file keeps them, as JSON sections and NumPy arrays:

- the timelines (each node's sorted times as one float array, in CSR form);
- every provider's topic mix, the unfiltered facets and the facet columns, the default
  trending lists;
- both kinds of co-occurrence baskets (both sparse matrices' arrays, used in place) and the
  pair counts among their most frequent nodes;
- provider links (graph/analytics/inplace.py, which also keeps the stories).

``sections`` writes them; ``install`` puts them into a read store's memo (graph/memo.py)
before ``precompute.warm`` runs, which then finds them there and computes only the rest
(the co-occurrence graphs and count orders, cut from these in milliseconds)."""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from datetime import datetime
from types import MappingProxyType
from typing import Any, Protocol

import numpy as np
import orjson
import scipy.sparse as sp

from graphsvc.graph.analytics import cooccurrence, facets, inplace, providers, trends
from graphsvc.graph.mapped import Section, check_csr
from graphsvc.graph.memo import install_call, install_memo
from graphsvc.graph.queries import ArticleFilter
from graphsvc.graph.store import GraphStore


class Sections(Protocol):
    """What ``install`` reads a snapshot's sections through (graph/snapshot.py)."""

    def json(self, name: str) -> Any: ...
    def raw(self, name: str) -> memoryview | bytes: ...
    def u32(self, name: str) -> np.ndarray: ...
    def u64(self, name: str) -> np.ndarray: ...
    def f64(self, name: str) -> np.ndarray: ...


# Writing ---------------------------------------------------------------------------------
def sections(store: GraphStore) -> Iterator[Section]:
    """The kept analytics of ``store`` (computed already: ``precompute.warm`` ran)."""
    lines = trends.timelines(store)
    offsets, times = array("Q", [0]), array("d")
    for values in lines.times.values():
        times.extend(values)
        offsets.append(len(times))
    yield "timeline_offsets", offsets
    yield "timeline_times", times
    yield (
        "kept",
        orjson.dumps(
            {
                "timelines": [
                    list(lines.times),
                    list(lines.undated.items()),
                    inplace.iso(lines.first),
                    inplace.iso(lines.last),
                ],
                "mix": [
                    [p, [[s.key, s.count, s.share] for s in shares]]
                    for p, shares in providers.topic_mixes(store).items()
                ],
                "facets": _facets(facets.facets(store)),
                "baskets": {
                    kind.value: cooccurrence.baskets_of(store, kind).keys
                    for kind in cooccurrence.CoKind
                },
                "facet_names": _facet_names(facets.facet_columns(store)),
                "trending": [
                    _trending(trends.trending(store, kind, days, back))
                    for kind, days, back in _TRENDING
                ],
                "top_pairs": {
                    kind.value: _top_pairs(cooccurrence.top_pairs(store, kind))
                    for kind in cooccurrence.CoKind
                },
            }
        ),
    )
    columns = facets.facet_columns(store)
    for name in _FACET_ARRAYS:
        values = getattr(columns, name).tolist()
        yield f"facet:{name}", array("Q" if name == "topic_offsets" else "I", values)
    numbers = {p: i for i, p in enumerate(store.providers)}
    yield from inplace.link_sections(providers.provider_links(store), numbers)
    for kind in cooccurrence.CoKind:
        found = cooccurrence.baskets_of(store, kind)
        name = f"baskets:{kind.value}"
        yield f"{name}:shape", array("Q", found.incidence.shape)
        yield f"{name}:ones", array("I", [1]) * found.incidence.nnz
        for part, matrix in (("rows", found.incidence), ("columns", found.by_node)):
            yield f"{name}:{part}:indptr", array("I", matrix.indptr.tolist())
            yield f"{name}:{part}:indices", array("I", matrix.indices.tolist())


#: The trending lists kept: (kind, window days, baseline windows), as a request asks for
#: them by default (ending at the midnight after the newest article: their window_end).
_TRENDING = (("topic", 7, 8), ("provider", 7, 8))


def _trending(found: trends.Trending) -> list[Any]:
    return [
        inplace.iso(found.window_start),
        inplace.iso(found.window_end),
        inplace.iso(found.baseline_start),
        [[t.key, t.count, t.mean, t.std, t.score, t.ratio] for t in found.scores],
    ]


_FACET_NAMES = ("providers", "months", "types", "topics")
_FACET_ARRAYS = ("provider", "month", "type", "topic_offsets", "topic_items")


def _facet_names(columns: facets.FacetColumns) -> list[Any]:
    return [getattr(columns, name) for name in _FACET_NAMES]


def _top_pairs(found: cooccurrence.TopPairs) -> list[Any]:
    return [found.ranked, [[a, b, n] for (a, b), n in found.pairs.items()]]


def _facets(found: facets.Facets) -> list[Any]:
    return [found.total, found.topics, found.providers, found.months, found.types]


# Reading ---------------------------------------------------------------------------------
def install(store: GraphStore, s: Sections) -> None:
    """Put the kept analytics of a snapshot's sections into ``store``'s memo."""
    kept = s.json("kept")
    nodes, undated, first, last = kept["timelines"]
    offsets, times = s.u64("timeline_offsets"), s.f64("timeline_times")
    if len(offsets) != len(nodes) + 1 or int(offsets[-1]) != len(times):
        raise ValueError("the timelines' arrays do not match their nodes")
    bounds = offsets.tolist()
    lines = trends.Timelines(
        MappingProxyType(
            {k: array("d", times[bounds[i] : bounds[i + 1]]) for i, k in enumerate(nodes)}
        ),
        MappingProxyType(dict(undated)),
        inplace.from_iso(first),
        inplace.from_iso(last),
    )
    install_memo(store, trends.TIMELINES_MEMO, lines)
    install_memo(store, providers.LINKS_MEMO, inplace.read_links(s, list(store.providers)))
    mix = {p: tuple(providers.Share(t, n, share) for t, n, share in s_) for p, s_ in kept["mix"]}
    install_memo(store, providers.MIX_MEMO, MappingProxyType(mix))
    total, topics, by_provider, months, types = kept["facets"]
    unfiltered = facets.Facets(
        total=total,
        topics=tuple((k, n) for k, n in topics),
        providers=tuple((k, n) for k, n in by_provider),
        months=tuple((k, n) for k, n in months),
        types=tuple((k, n) for k, n in types),
    )
    install_call(store, facets.MEMO_NAME, ArticleFilter(), unfiltered)
    for (kind, days, back), found in zip(_TRENDING, kept["trending"], strict=True):
        start, end, baseline, scores = found
        trends.keep_trending(
            store,
            kind,
            days,
            back,
            trends.Trending(
                datetime.fromisoformat(start),
                datetime.fromisoformat(end),
                datetime.fromisoformat(baseline),
                tuple(trends.TrendScore(*score) for score in scores),
            ),
        )
    columns = _read_columns(s, kept["facet_names"], len(store.articles))
    install_memo(store, facets.COLUMNS_MEMO, columns)
    for kind in cooccurrence.CoKind:
        keys = tuple(kept["baskets"][kind.value])
        baskets = _read_baskets(s, kind, keys)
        install_memo(store, cooccurrence.baskets_memo(kind), baskets)
        ranked, pairs = kept["top_pairs"][kind.value]
        count = len(keys)
        if sorted(ranked) != list(range(count)) or any(
            not 0 <= a < b < count or n < 1 for a, b, n in pairs
        ):
            raise ValueError(f"the {kind.value} top pairs do not match the baskets")
        top = cooccurrence.TopPairs(
            tuple(ranked), MappingProxyType({(a, b): n for a, b, n in pairs})
        )
        install_memo(store, cooccurrence.top_pairs_memo(kind), top)


def _read_columns(s: Sections, names: list[Any], articles: int) -> facets.FacetColumns:
    """The facet columns, checked: a value per article, each naming one of its names."""
    providers, months, types, topics = (tuple(n) for n in names)
    arrays = {
        name: s.u64(f"facet:{name}") if name == "topic_offsets" else s.u32(f"facet:{name}")
        for name in _FACET_ARRAYS
    }
    for name, bound in (("provider", providers), ("month", months), ("type", types)):
        values = arrays[name]
        if len(values) != articles or (articles and int(values.max()) >= len(bound)):
            raise ValueError(f"the facet column {name!r} does not match the articles")
    check_csr(arrays["topic_offsets"], arrays["topic_items"], articles, len(topics), "facet topic")
    return facets.FacetColumns(providers, months, types, topics, **arrays)


def _read_baskets(
    s: Sections, kind: cooccurrence.CoKind, keys: tuple[str, ...]
) -> cooccurrence.Baskets:
    """A kind's baskets, their matrices over the file's arrays: int32 indexes and values
    (every one 1), as SciPy keeps them, so that it copies none (a negative index, from a
    number of 2**31 or more, fails the format check)."""
    name = f"baskets:{kind.value}"
    shape = s.u64(f"{name}:shape").tolist()
    ones = s.u32(f"{name}:ones").view(np.int32)
    if len(shape) != 2 or shape[1] != len(keys) or (len(ones) and ones.max() != 1):
        raise ValueError(f"the {kind.value} baskets' arrays do not match")
    matrices = []
    for part, cls in (("rows", sp.csr_array), ("columns", sp.csc_array)):
        indptr = s.u32(f"{name}:{part}:indptr").view(np.int32)
        indices = s.u32(f"{name}:{part}:indices").view(np.int32)
        if len(indices) != len(ones):
            raise ValueError(f"the {kind.value} baskets' arrays do not match")
        matrix = cls((ones, indices, indptr), shape=(shape[0], shape[1]), copy=False)
        matrix.check_format(full_check=True)
        matrices.append(matrix)
    incidence, by_node = matrices
    numbers = MappingProxyType({k: i for i, k in enumerate(keys)})
    return cooccurrence.Baskets(keys, numbers, incidence, by_node)
