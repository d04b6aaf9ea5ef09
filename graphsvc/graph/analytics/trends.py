"""Trends: article counts of a topic or provider over time, and which ones are rising.

Counts are of full articles by ``publishedAt`` (UTC). Undated articles have no place on a
time axis: a trend leaves them out and reports how many there are, so that the counts of
the whole range plus ``undated`` give the node's ``articleCount``.

Rising is a z-score: the count of the latest window minus the mean of the ``baseline``
windows before it, over their standard deviation (population, floored at one article so
that a node whose baseline never varied does not score infinity from one extra article).
A ratio, (count + 1) / (mean + 1), is given beside it.
"""

from __future__ import annotations

import statistics
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from graphsvc.graph.memo import install_call, memoised, memoised_call
from graphsvc.graph.queries import QueryError
from graphsvc.graph.store import GraphStore

#: The most buckets one trend gives; more is an error saying to pick a bigger bucket.
MAX_BUCKETS = 1000
MAX_WINDOW_DAYS = 366
MAX_BASELINE_WINDOWS = 104
#: The smallest standard deviation a z-score divides by (in articles per window).
MIN_STD = 1.0


class Bucket(StrEnum):
    """Sizes of trend buckets: UTC days, ISO weeks (from Monday) and calendar months."""

    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


@dataclass(frozen=True, slots=True)
class Timelines:
    """Sorted publication times (POSIX seconds) of each topic's and provider's articles
    (an ``array('d')`` each: one object per node, not one per article)."""

    times: Mapping[str, Sequence[float]]
    undated: Mapping[str, int]
    first: datetime | None  # the snapshot's oldest dated full article
    last: datetime | None  # and its newest


@dataclass(slots=True)  # not frozen: a DAY trend makes hundreds, and frozen init is slow
class TrendPoint:
    """The articles published in one bucket (within the trend's range)."""

    start: datetime
    end: datetime
    count: int


@dataclass(frozen=True, slots=True)
class Trend:
    """Counts per bucket of one node, empty buckets included."""

    key: str
    bucket: Bucket
    start: datetime | None
    end: datetime | None
    points: tuple[TrendPoint, ...]
    undated: int

    @property
    def total(self) -> int:
        """Articles counted in the range."""
        return sum(p.count for p in self.points)


@dataclass(frozen=True, slots=True)
class TrendScore:
    """How far one node's latest window stands above its baseline."""

    key: str
    count: int
    mean: float
    std: float
    score: float  # z-score
    ratio: float


@dataclass(frozen=True, slots=True)
class Trending:
    """Nodes ranked by z-score (then count, then key), with the windows compared."""

    window_start: datetime
    window_end: datetime
    baseline_start: datetime
    scores: tuple[TrendScore, ...]


def build_timelines(store: GraphStore) -> Timelines:
    """Index every topic's and provider's full articles by publication time."""
    times: dict[str, list[float]] = {}
    undated: dict[str, int] = {}
    first: datetime | None = None
    last: datetime | None = None
    for key in store.full_by_date:
        article = store.articles[key]
        when = article.published_at
        for node in (*article.topics, article.provider):
            if when is None:
                undated[node] = undated.get(node, 0) + 1
            else:
                times.setdefault(node, []).append(when.timestamp())
        if when is not None:
            first = when if first is None or when < first else first
            last = when if last is None or when > last else last
    return Timelines(
        MappingProxyType({k: array("d", sorted(v)) for k, v in times.items()}),
        MappingProxyType(undated),
        first,
        last,
    )


TIMELINES_MEMO = "timelines"


def timelines(store: GraphStore) -> Timelines:
    """The snapshot's timelines (built once, on first use)."""
    return memoised(store, TIMELINES_MEMO, build_timelines)


def as_utc(when: datetime) -> datetime:
    """Naive times are taken as UTC, like the corpus's own."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def bucket_start(when: datetime, bucket: Bucket) -> datetime:
    """The start of the bucket holding ``when``.

    >>> bucket_start(datetime(2021, 3, 10, 8, tzinfo=UTC), Bucket.WEEK).isoformat()
    '2021-03-08T00:00:00+00:00'
    """
    day = as_utc(when).replace(hour=0, minute=0, second=0, microsecond=0)
    if bucket is Bucket.DAY:
        return day
    if bucket is Bucket.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_start(start: datetime, bucket: Bucket) -> datetime:
    """The start of the bucket after the one starting at ``start``."""
    if bucket is Bucket.DAY:
        return start + timedelta(days=1)
    if bucket is Bucket.WEEK:
        return start + timedelta(days=7)
    if start.month == 12:
        return start.replace(year=start.year + 1, month=1)
    return start.replace(month=start.month + 1)


def iter_buckets(start: datetime, end: datetime, bucket: Bucket) -> Iterator[datetime]:
    """Starts of the buckets that meet [start, end)."""
    current = bucket_start(start, bucket)
    while current < end:
        yield current
        current = next_start(current, bucket)


def count_between(times: Sequence[float], start: float, end: float) -> int:
    """How many sorted times fall in [start, end)."""
    return bisect_left(times, end) - bisect_left(times, start)


def trend(
    store: GraphStore,
    key: str,
    bucket: Bucket = Bucket.MONTH,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Trend:
    """Counts per bucket over [start, end) (by default the snapshot's whole dated range).

    Buckets are whole days, weeks or months; the first and last count only the part
    inside the range."""
    if start is not None and end is not None and as_utc(start) >= as_utc(end):
        raise QueryError("`from` must be before `to`")
    args = (key, bucket, start and as_utc(start), end and as_utc(end))
    return memoised_call(store, "trend", args, lambda: _trend(store, key, bucket, start, end))


def _trend(
    store: GraphStore, key: str, bucket: Bucket, start: datetime | None, end: datetime | None
) -> Trend:
    index = timelines(store)
    lo = as_utc(start) if start else index.first and bucket_start(index.first, bucket)
    hi = as_utc(end) if end else index.last and next_start(bucket_start(index.last, bucket), bucket)
    undated = index.undated.get(key, 0)
    if lo is None or hi is None or lo >= hi:
        return Trend(key, bucket, lo, hi, (), undated)
    bounds, cuts = memoised_call(
        store, "trend-buckets", (bucket, lo, hi), lambda: _bounds(lo, hi, bucket)
    )
    times = index.times.get(key, ())
    counts = [0] * (len(bounds) - 1)
    for when in times[bisect_left(times, cuts[0]) : bisect_left(times, cuts[-1])]:
        counts[bisect_right(cuts, when) - 1] += 1
    points = tuple(TrendPoint(bounds[i], bounds[i + 1], n) for i, n in enumerate(counts))
    return Trend(key, bucket, lo, hi, points, undated)


def _bounds(
    lo: datetime, hi: datetime, bucket: Bucket
) -> tuple[tuple[datetime, ...], tuple[float, ...]]:
    """Bucket starts with the end of the last bucket, and the instants that cut [lo, hi)."""
    bounds: list[datetime] = []
    for start in iter_buckets(lo, hi, bucket):
        bounds.append(start)
        if len(bounds) > MAX_BUCKETS:
            raise QueryError(
                f"that range holds over {MAX_BUCKETS:,} {bucket.value.lower()} buckets:"
                " pick a bigger bucket or a narrower `from`/`to`"
            )
    bounds.append(next_start(bounds[-1], bucket))
    cuts = [lo.timestamp(), *(b.timestamp() for b in bounds[1:-1]), hi.timestamp()]
    return tuple(bounds), tuple(cuts)


def z_score(count: int, baseline: list[int]) -> tuple[float, float, float]:
    """(mean, std, z) of a count against baseline counts; std is floored at MIN_STD.

    >>> [round(x, 4) for x in z_score(9, [1, 3, 5])]
    [3.0, 1.633, 3.6742]
    """
    mean = statistics.fmean(baseline)
    std = statistics.pstdev(baseline, mean)
    return mean, std, (count - mean) / max(std, MIN_STD)


def trending(
    store: GraphStore,
    kind: str,
    window_days: int = 7,
    baseline: int = 8,
    at: datetime | None = None,
) -> Trending:
    """Topics (kind "topic") or providers ranked by the z-score of the window ending at ``at``.

    ``at`` defaults to the midnight (UTC) after the snapshot's newest article, so that an
    archive ranks what was rising when it ends rather than now."""
    if not 1 <= window_days <= MAX_WINDOW_DAYS:
        raise QueryError(f"`window` is {window_days} days: pick 1 to {MAX_WINDOW_DAYS}")
    if not 1 <= baseline <= MAX_BASELINE_WINDOWS:
        raise QueryError(f"`baseline` is {baseline} windows: pick 1 to {MAX_BASELINE_WINDOWS}")
    index = timelines(store)
    if at is None:
        newest = index.last or datetime(1970, 1, 1, tzinfo=UTC)
        end = bucket_start(newest, Bucket.DAY) + timedelta(days=1)
    else:
        end = as_utc(at)
    args = (kind, window_days, baseline, end)
    return memoised_call(
        store, TRENDING_MEMO, args, lambda: _rank(store, kind, window_days, baseline, end)
    )


#: The name trending lists are kept under (by their arguments: kind, window, baseline, end).
TRENDING_MEMO = "trending"


def keep_trending(
    store: GraphStore, kind: str, window_days: int, baseline: int, found: Trending
) -> None:
    """Keep a trending list read from a snapshot file as what ``trending`` gives for these
    arguments (its window ends at ``found.window_end``)."""
    install_call(store, TRENDING_MEMO, (kind, window_days, baseline, found.window_end), found)


def _rank(store: GraphStore, kind: str, window_days: int, baseline: int, end: datetime) -> Trending:
    nodes = store.topics if kind == "topic" else store.providers
    index = timelines(store)
    step = timedelta(days=window_days)
    edges = [(end - i * step).timestamp() for i in range(baseline + 2)]  # edges[0] is `end`
    scores = []
    for key, node in nodes.items():
        if node.article_count == 0:
            continue
        times = index.times.get(key, ())
        count = count_between(times, edges[1], edges[0])
        past = [count_between(times, edges[i + 1], edges[i]) for i in range(1, baseline + 1)]
        mean, std, z = z_score(count, past)
        scores.append(TrendScore(key, count, mean, std, z, (count + 1) / (mean + 1)))
    scores.sort(key=lambda s: (-s.score, -s.count, s.key))
    return Trending(end - step, end, end - (baseline + 1) * step, tuple(scores))
