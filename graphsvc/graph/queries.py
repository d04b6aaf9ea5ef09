"""Lookups, filters, orders and keyset pagination over a GraphStore: plain data in and out.

A cursor holds the sort key of an item and its node key, never an offset, so that paging on
after a reload neither skips nor repeats: the next page starts after that position in the new
snapshot's order, wherever the item now sits.
"""

from __future__ import annotations

import base64
import binascii
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import orjson

from graphsvc.errors import GraphsvcError
from graphsvc.graph.memo import memoised
from graphsvc.graph.store import GraphStore
from graphsvc.identity import canonical_url, normalize_domain, provider_key, topic_fold, topic_key
from graphsvc.model import Article

#: The largest page any list field gives; asking for more is an error, not a truncation.
MAX_PAGE = 100

SortKey = tuple[Any, ...]


class QueryError(GraphsvcError):
    """A query argument that cannot be answered: the message says what to change."""


class ArticleOrder(StrEnum):
    """Orders of article lists."""

    PUBLISHED_AT_DESC = "PUBLISHED_AT_DESC"
    PUBLISHED_AT_ASC = "PUBLISHED_AT_ASC"
    QUALITY_DESC = "QUALITY_DESC"


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """Which articles a list holds (the contract's ArticleFilter)."""

    topics: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    topic_keys: tuple[str, ...] = ()  # topics by node key (a topic's own list), with ``topics``
    published_after: datetime | None = None
    published_before: datetime | None = None
    min_quality: int | None = None
    include_stubs: bool = False


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a keyset-paginated list."""

    keys: list[str]
    cursors: list[str]
    has_next: bool
    has_previous: bool
    total: int


# Lookups -----------------------------------------------------------------------------
def find_article(store: GraphStore, url: str) -> str | None:
    """The key of the article with this URL (any of its URLs, canonicalised first)."""
    try:
        canonical = canonical_url(url)
    except ValueError:
        return None
    return store.url_index.get(canonical)


def find_topic(store: GraphStore, name: str) -> str | None:
    """The key of a topic by name, case-insensitive: its identity (the raw spelling, trimmed and
    case-folded), or else its display name (a spelling such as ``Q&amp;A`` is shown, and so
    asked for, as ``Q&A``)."""
    fold = topic_fold(name)
    key = topic_key(fold)
    if key in store.topics:
        return key
    return _display_names(store).get(fold)


def _display_names(store: GraphStore) -> dict[str, str]:
    """Folded display name -> topic key, made once per snapshot (two topics shown alike, such
    as ``Q&amp;A`` and ``Q&#38;A``: the first in key order; the other keeps its own name)."""
    return memoised(store, "topic-display-names", _fold_display_names)


def _fold_display_names(store: GraphStore) -> dict[str, str]:
    names: dict[str, str] = {}
    for key in sorted(store.topics):
        names.setdefault(topic_fold(store.topics[key].name), key)
    return names


def find_provider(store: GraphStore, domain: str) -> str | None:
    """The key of a provider by domain (``www.`` and case ignored)."""
    key = provider_key(normalize_domain(domain))
    return key if key in store.providers else None


def check_filter(store: GraphStore, flt: ArticleFilter) -> None:
    """Raise QueryError naming the first topic or provider of the filter that this graph does
    not hold (as ``topic(name:)`` and ``provider(domain:)`` do), rather than match nothing."""
    for name in flt.topics:
        if find_topic(store, name) is None:
            raise QueryError(f"no topic named {name[:200]!r} in the filter's topics")
    for domain in flt.providers:
        if find_provider(store, domain) is None:
            raise QueryError(f"no provider with domain {domain[:200]!r} in the filter's providers")


# Orders ------------------------------------------------------------------------------
def date_desc(article: Article) -> SortKey:
    """Newest first, undated last, ties by key."""
    if article.published_at is None:
        return (1, 0.0, article.key)
    return (0, -article.published_at.timestamp(), article.key)


def date_asc(article: Article) -> SortKey:
    """Oldest first, undated last, ties by key."""
    if article.published_at is None:
        return (1, 0.0, article.key)
    return (0, article.published_at.timestamp(), article.key)


def quality_desc(article: Article) -> SortKey:
    """Highest quality first, no quality last, then newest first."""
    quality = article.quality
    return (quality is None, -(quality or 0), *date_desc(article))


SORT_KEYS: dict[ArticleOrder, Callable[[Article], SortKey]] = {
    ArticleOrder.PUBLISHED_AT_DESC: date_desc,
    ArticleOrder.PUBLISHED_AT_ASC: date_asc,
    ArticleOrder.QUALITY_DESC: quality_desc,
}

PLACES_MEMO = "article-places"


@dataclass(frozen=True, slots=True, eq=False)
class ArticlePlaces:
    """Each article's (stubs too) place in every article order, and its quality (NaN for
    none), by article number: lists are sorted and ``minQuality`` is tested with these,
    without reading each article's record (a mapped snapshot decodes a record per read)."""

    number: Mapping[str, int]  # article key -> article number
    places: Mapping[ArticleOrder, Any]  # NumPy int arrays: position in the order of all articles
    quality: Any  # NumPy float array
    keys: Sequence[str]  # article number -> key (a mapped store's: every node's)


def build_article_places(store: GraphStore) -> ArticlePlaces:
    """Sort every article once per order (computed before a snapshot is served)."""
    import numpy as np

    from graphsvc.graph.mapped import table_of  # here: mapped imports build, which imports us

    keys, articles = list(store.articles), store.articles
    records = [articles[k] for k in keys]
    table = table_of(store.graph)
    number: Mapping[str, int] = (
        dict(zip(keys, range(len(keys)), strict=True)) if table is None else table.number
    )
    places = {}
    for order, sort_key in SORT_KEYS.items():
        ranked = sorted(range(len(keys)), key=lambda i: sort_key(records[i]))
        place = np.empty(len(keys), dtype=np.int64)
        place[ranked] = np.arange(len(keys))
        places[order] = place
    quality = np.array([np.nan if a.quality is None else a.quality for a in records], dtype=float)
    return ArticlePlaces(number, MappingProxyType(places), quality, keys)


def article_places(store: GraphStore) -> ArticlePlaces:
    """The snapshot's article places (made once; kept in snapshot files)."""
    return memoised(store, PLACES_MEMO, build_article_places)


def article_numbers(store: GraphStore, keys: Sequence[str]) -> Any:
    """The article numbers of ``keys`` (a NumPy int64 array): read off a ``KeySeq`` of the
    store's own keys, else looked up key by key. (Named one by one, a big topic's keys are
    each touched: in a forked worker, a private copy of their pages.)"""
    import numpy as np

    from graphsvc.graph.mapped import KeySeq  # here: mapped imports build, then us

    found = article_places(store)
    if isinstance(keys, KeySeq) and (numbers := keys.numbers_of(found.keys)) is not None:
        return numbers.astype(np.int64)
    return np.fromiter(map(found.number.__getitem__, keys), dtype=np.int64, count=len(keys))


def all_articles(store: GraphStore, order: ArticleOrder, stubs: bool) -> Sequence[str]:
    """Every full article (and every stub, with ``stubs``) in an order: the places inverted,
    once per snapshot and order, not a sort of every key on each request (0.9 s at 100k)."""

    def invert(_s: GraphStore) -> Sequence[str]:
        import numpy as np

        from graphsvc.graph.mapped import KeySeq  # here: mapped imports build, then us

        found = article_places(store)
        place = found.places[order]
        numbers = np.empty(len(place), dtype=np.uint32)
        numbers[place] = np.arange(len(place), dtype=np.uint32)
        if not stubs:
            numbers = numbers[memoised(store, "full-articles", _full)[numbers]]
        return KeySeq(numbers, found.keys.__getitem__)

    return memoised(store, f"all-articles:{order.value}:{stubs}", invert)


def _full(store: GraphStore) -> Any:
    """Whether each article (by number) is a full one (made once)."""
    import numpy as np

    full = np.zeros(len(article_places(store).quality), dtype=bool)  # a value per article
    full[article_numbers(store, store.full_by_date)] = True
    return full


def sort_articles(store: GraphStore, keys: Sequence[str], order: ArticleOrder) -> list[str]:
    """``sorted(keys)`` in an article order (by ``SORT_KEYS``), read off the places."""
    import numpy as np

    numbers = article_numbers(store, keys)
    return [keys[i] for i in np.argsort(article_places(store).places[order][numbers]).tolist()]


# Filters -----------------------------------------------------------------------------
def filter_articles(
    store: GraphStore,
    flt: ArticleFilter | None = None,
    order: ArticleOrder = ArticleOrder.PUBLISHED_AT_DESC,
) -> Sequence[str]:
    """Keys of the articles that pass the filter, in the order asked.

    Starts from the smallest index that applies (a topic's or providers' article lists,
    newest first) rather than from every node, and takes a date range out of it by binary
    search; unknown topics or providers match nothing. ``minQuality`` alone is a scan.
    """
    flt = flt or ArticleFilter()
    if flt in _EVERY:  # no filter but stubs or not: an order made once per snapshot
        if not flt.include_stubs and order is ArticleOrder.PUBLISHED_AT_DESC:
            return store.full_by_date
        return all_articles(store, order, flt.include_stubs)
    candidates = _candidates(store, flt)
    after, before = _utc(flt.published_after), _utc(flt.published_before)
    min_quality = flt.min_quality
    if after or before:
        candidates = _date_range(store, candidates, after, before)
    if min_quality is not None:
        candidates = _of_quality(store, candidates, min_quality)
    if order is ArticleOrder.PUBLISHED_AT_DESC:
        return candidates
    return sort_articles(store, candidates, order)


_EVERY = (ArticleFilter(), ArticleFilter(include_stubs=True))


def _of_quality(store: GraphStore, keys: Sequence[str], min_quality: int) -> list[str]:
    """The keys of articles of at least this quality, in their order."""
    import numpy as np

    found = article_places(store)
    numbers = np.fromiter(map(found.number.__getitem__, keys), dtype=np.int64, count=len(keys))
    with np.errstate(invalid="ignore"):  # NaN (no quality) passes no test
        keep = found.quality[numbers] >= min_quality
    return [keys[i] for i in np.flatnonzero(keep).tolist()]


def _utc(moment: datetime | None) -> datetime | None:
    """Filter times without a zone are UTC, as document times are (docs/data-model.md#values)."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _candidates(store: GraphStore, flt: ArticleFilter) -> Sequence[str]:
    """Index lists newest first: topic intersection, provider union, or all."""
    if flt.topics or flt.topic_keys:
        keys_of_topics = [find_topic(store, name) for name in flt.topics] + list(flt.topic_keys)
        lists = [store.topic_articles.get(key, ()) if key else () for key in keys_of_topics]
        lists.sort(key=len)
        if len(lists) == 1 and not flt.providers:
            return lists[0]  # the index itself: a page is a slice of it
        others = [frozenset(keys) for keys in lists[1:]]
        base = [k for k in lists[0] if all(k in other for other in others)]
        if flt.providers:
            wanted = {provider_key(normalize_domain(d)) for d in flt.providers}
            base = [k for k in base if store.articles[k].provider in wanted]
        return base
    if flt.providers:
        keys: set[str] = set()
        for domain in flt.providers:
            key = provider_key(normalize_domain(domain))
            keys.update(store.provider_articles.get(key, ()))
            if flt.include_stubs:  # every article that names the provider: stubs too
                keys.update(store.graph.pred.get(key, ()))
        return sort_articles(store, list(keys), ArticleOrder.PUBLISHED_AT_DESC)
    if flt.include_stubs:
        return all_articles(store, ArticleOrder.PUBLISHED_AT_DESC, True)
    return store.full_by_date


def _passes(
    article: Article, after: datetime | None, before: datetime | None, min_quality: int | None
) -> bool:
    published = article.published_at
    if after is not None and (published is None or published < after):
        return False
    if before is not None and (published is None or published >= before):
        return False
    return min_quality is None or (article.quality is not None and article.quality >= min_quality)


_LAST = "\U0010ffff"  # sorts after every node key


def _date_range(
    store: GraphStore, keys: Sequence[str], after: datetime | None, before: datetime | None
) -> Sequence[str]:
    """The slice of a newest-first list (undated last) published in [after, before): two
    binary searches, not a scan. The searches compare float timestamps; the slice's ends are
    then moved by the exact datetime test, so rounding can neither drop nor add an article."""
    articles = store.articles

    def sort_key(key: str) -> SortKey:
        return date_desc(articles[key])

    def inside(key: str) -> bool:
        return _passes(articles[key], after, before, None)

    start = (
        0 if before is None else bisect_right(keys, (0, -before.timestamp(), _LAST), key=sort_key)
    )
    end = (
        bisect_left(keys, (1, 0.0, ""), key=sort_key)  # every dated article
        if after is None
        else bisect_right(keys, (0, -after.timestamp(), _LAST), key=sort_key)
    )
    while start > 0 and inside(keys[start - 1]):
        start -= 1
    while start < end and not inside(keys[start]):
        start += 1
    while end < len(keys) and inside(keys[end]):
        end += 1
    while end > start and not inside(keys[end - 1]):
        end -= 1
    return keys[start:end]


# Pagination --------------------------------------------------------------------------
def encode_cursor(kind: str, sort_key: SortKey) -> str:
    """An opaque cursor: the list kind and the item's sort key."""
    return base64.urlsafe_b64encode(orjson.dumps([kind, list(sort_key)])).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str) -> SortKey:
    """The sort key inside a cursor, checked to belong to a list of this kind."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        got_kind, key = payload
        if got_kind != kind or not isinstance(key, list) or not key:
            raise ValueError
        if not all(v is None or isinstance(v, bool | int | float | str) for v in key):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError, UnicodeError):
        raise QueryError(
            f"invalid cursor {cursor[:40]!r}: pass an endCursor from this same list"
            f" (a {kind} list) as `after`"
        ) from None
    return tuple(key)


def check_first(first: int, cap: int = MAX_PAGE) -> None:
    """``first`` must be 0..cap: a larger page is an error, never a silent truncation."""
    if first < 0:
        raise QueryError(f"`first` must be 0 or more (got {first})")
    if first > cap:
        raise QueryError(f"`first` is {first:,}, over the limit of {cap}: page with `after`")


def paginate(
    keys: Sequence[str],
    sort_key: Callable[[str], SortKey],
    kind: str,
    first: int,
    after: str | None,
    cap: int = MAX_PAGE,
) -> Page:
    """A page of ``keys`` (sorted by ``sort_key``): the ``first`` items after the cursor."""
    check_first(first, cap)
    start = 0
    if after:
        position = decode_cursor(after, kind)
        try:
            start = bisect_right(keys, position, key=sort_key)
        except TypeError:  # a forged key of the right list kind but the wrong shape
            raise QueryError(
                f"invalid cursor {after[:40]!r}: pass an endCursor from this same list as `after`"
            ) from None
    chunk = list(keys[start : start + first])
    return Page(
        keys=chunk,
        cursors=[encode_cursor(kind, sort_key(k)) for k in chunk],
        has_next=start + first < len(keys),
        has_previous=start > 0,
        total=len(keys),
    )


def article_sort_key(store: GraphStore, order: ArticleOrder) -> Callable[[str], SortKey]:
    """The sort key of an article key in this order."""
    fn = SORT_KEYS[order]
    articles = store.articles
    return lambda key: fn(articles[key])


def count_order(store: GraphStore, kind: str) -> tuple[list[str], Callable[[str], SortKey]]:
    """Topics or providers by article count, most first, ties by key."""
    nodes = store.topics if kind == "topic" else store.providers
    order = memoised(
        store, f"order:{kind}", lambda _s: sorted(nodes, key=lambda k: (-nodes[k].article_count, k))
    )
    return order, lambda k: (-nodes[k].article_count, k)


def related_keys(
    store: GraphStore, key: str, direction: str
) -> tuple[list[str], Callable[[str], SortKey]]:
    """Related articles of one article: OUT in rank order, IN by key, BOTH the OUT list then
    the IN-only articles."""
    out = store.related_out(key)
    rank = {k: i for i, k in enumerate(out, start=1)}
    if direction == "OUT":
        return out, lambda k: (rank[k], k)
    incoming = store.related_in(key)
    if direction == "IN":
        return incoming, lambda k: (k,)
    both = out + [k for k in incoming if k not in rank]
    return both, lambda k: (0, rank[k], k) if k in rank else (1, 0, k)
