"""A date range is taken out of the newest-first indexes by binary search (queries._date_range);
on the real corpus, for random ranges (bounds often exactly on an article's time, or a
microsecond either side of it) and any topic or provider, the answer must equal a plain scan
that applies the rule of docs/data-model.md#orders-and-filters (after <= publishedAt < before; undated never passes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.graph.queries import ArticleFilter, ArticleOrder, filter_articles
from graphsvc.graph.store import GraphStore

ANY = datetime(2000, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)


def scan(store: GraphStore, flt: ArticleFilter) -> list[str]:
    """Every article that passes, newest first (undated last, ties by key), by brute force."""
    topics = [t.strip().casefold() for t in flt.topics]
    providers = [p.casefold().removeprefix("www.") for p in flt.providers]
    passed = []
    for key, article in store.articles.items():
        if article.is_stub and not flt.include_stubs:
            continue
        names = {store.topics[t].key.removeprefix("t:") for t in article.topics}
        if not all(t in names for t in topics):
            continue
        if providers and article.provider.removeprefix("p:") not in providers:
            continue
        when = article.published_at
        if when is None:
            continue
        if flt.published_after and when < flt.published_after:
            continue
        if flt.published_before and when >= flt.published_before:
            continue
        passed.append(key)
    return sorted(passed, key=lambda k: (-store.articles[k].published_at.timestamp(), k))  # type: ignore[union-attr]


@st.composite
def filters(draw: st.DrawFn, store: GraphStore) -> ArticleFilter:
    """A range with bounds on or next to an anchor article's time, and that article's topic
    or provider (or none), so that the bounds fall inside the lists being cut."""
    dated = sorted(k for k, a in store.articles.items() if a.published_at)
    anchor = store.articles[draw(st.sampled_from(dated))]
    assert anchor.published_at is not None

    def bound() -> datetime | None:
        kind = draw(st.sampled_from(["none", "exact", "near", "any"]))
        if kind == "none":
            return None
        if kind == "any":
            low, high = (t.replace(tzinfo=None) for t in ANY)
            return draw(st.datetimes(low, high, timezones=st.just(UTC)))
        if kind == "near":
            return anchor.published_at + timedelta(microseconds=draw(st.sampled_from([-1, 1])))
        return anchor.published_at

    after, before = bound(), bound()
    topics = [store.topics[t].name for t in anchor.topics]
    topic = draw(st.sampled_from([None, *topics]))
    provider = draw(st.sampled_from([None, anchor.provider.removeprefix("p:")]))
    return ArticleFilter(
        topics=(topic,) if topic else (),
        providers=(provider,) if provider else (),
        published_after=after,
        published_before=before,
        include_stubs=anchor.is_stub or draw(st.booleans()),
    )


def test_date_ranges_equal_a_scan(news_store: GraphStore) -> None:
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def check(data: st.DataObject) -> None:
        flt = data.draw(filters(news_store))
        if flt.published_after is None and flt.published_before is None:
            return
        assert list(filter_articles(news_store, flt, ArticleOrder.PUBLISHED_AT_DESC)) == scan(
            news_store, flt
        )

    check()
