"""Property: for any filter, order and page size, the pages of `articles` concatenate to exactly
the full list.

The full list is computed here by brute force over ``store.articles`` (filter every record, sort
by the documented order), sharing no code with graphsvc.graph.queries:

- PUBLISHED_AT_DESC: newest first, undated last, ties by URL ascending;
- PUBLISHED_AT_ASC: oldest first, undated last, ties by URL ascending;
- QUALITY_DESC: highest quality first, null quality last, then newest first (undated last),
  ties by URL ascending.

Filters (contract.graphql): a topic or provider the graph does not hold is an error naming
it; every topic (case-insensitive) must be carried; any provider
(domain; case and a leading ``www.`` ignored) may publish it; publishedAfter is inclusive and
publishedBefore exclusive, and an undated article passes no date bound; minQuality drops
articles below it and those without a quality; stubs only with includeStubs.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import strawberry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.api.context import Context
from graphsvc.graph.store import GraphStore
from graphsvc.model import Article

ORDERS = ("PUBLISHED_AT_DESC", "PUBLISHED_AT_ASC", "QUALITY_DESC")
QUERY = """query($filter: ArticleFilter, $order: ArticleOrder, $first: Int, $after: String) {
  articles(filter: $filter, orderBy: $order, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { url } }
  }
}"""


# The reference --------------------------------------------------------------------------------
def _date_part(a: Article, newest_first: bool) -> tuple[Any, ...]:
    if a.published_at is None:
        return (1, 0.0)
    ts = a.published_at.timestamp()
    return (0, -ts if newest_first else ts)


def sort_key(order: str, a: Article) -> tuple[Any, ...]:
    if order == "PUBLISHED_AT_DESC":
        return (*_date_part(a, True), a.url)
    if order == "PUBLISHED_AT_ASC":
        return (*_date_part(a, False), a.url)
    return (a.quality is None, -(a.quality or 0), *_date_part(a, True), a.url)


def _domain(text: str) -> str:
    d = text.strip().lower()
    return d[4:] if d.startswith("www.") else d


def passes(a: Article, flt: dict[str, Any]) -> bool:
    if a.is_stub and not flt.get("includeStubs"):
        return False
    mine = {key[2:] for key in a.topics}  # topic keys are "t:" + the folded name
    if any(t.strip().casefold() not in mine for t in flt.get("topics") or ()):
        return False
    providers = flt.get("providers")
    if providers and a.provider[2:] not in {_domain(d) for d in providers}:
        return False
    when = a.published_at
    after, before = flt.get("publishedAfter"), flt.get("publishedBefore")
    if after is not None and (when is None or when < datetime.fromisoformat(after)):
        return False
    if before is not None and (when is None or when >= datetime.fromisoformat(before)):
        return False
    minimum = flt.get("minQuality")
    return minimum is None or (a.quality is not None and a.quality >= minimum)


def unknown(store: GraphStore, flt: dict[str, Any]) -> str | None:
    """The first topic or provider of the filter that the graph does not hold."""
    topics = {key[2:] for key in store.topics}
    domains = {key[2:] for key in store.providers}
    for name in flt.get("topics") or ():
        if name.strip().casefold() not in topics:
            return str(name)
    for domain in flt.get("providers") or ():
        if _domain(domain) not in domains:
            return str(domain)
    return None


def expected(store: GraphStore, flt: dict[str, Any], order: str) -> list[str]:
    chosen = [a for a in store.articles.values() if passes(a, flt)]
    return [a.url for a in sorted(chosen, key=lambda a: sort_key(order, a))]


# Walking --------------------------------------------------------------------------------------
def walk(
    schema: strawberry.Schema, store: GraphStore, flt: dict[str, Any], order: str, first: int
) -> tuple[list[str], int]:
    """Every URL of the list, page by page, checking each page's shape on the way."""
    urls: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        result = schema.execute_sync(
            QUERY,
            variable_values={"filter": flt, "order": order, "first": first, "after": after},
            context_value=Context(store),
        )
        assert not result.errors, (flt, order, first, result.errors)
        assert result.data is not None
        conn = result.data["articles"]
        edges, info = conn["edges"], conn["pageInfo"]
        total = conn["totalCount"]
        assert len(edges) == min(first, total - len(urls))
        assert info["hasPreviousPage"] is (pages > 0 and total > 0)
        cursors = [e["cursor"] for e in edges]
        assert info["startCursor"] == (cursors[0] if cursors else None)
        assert info["endCursor"] == (cursors[-1] if cursors else None)
        urls += [e["node"]["url"] for e in edges]
        pages += 1
        assert info["hasNextPage"] is (len(urls) < total)
        if not info["hasNextPage"]:
            return urls, total
        after = info["endCursor"]


# Strategies -----------------------------------------------------------------------------------
UNKNOWN_TOPICS = ["no such topic", "azure cloud", "ai ", "ä"]
UNKNOWN_DOMAINS = ["nowhere.example", "www.", "microsoft.co"]


def _variants(base: list[str], unknown: list[str], spell: Any) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(base).flatmap(spell), st.sampled_from(unknown))


def filters(store: GraphStore) -> st.SearchStrategy[dict[str, Any]]:
    topic_names = sorted(t.name for t in store.topics.values())
    domains = sorted(p.domain for p in store.providers.values())
    dates = sorted({a.published_at for a in store.articles.values() if a.published_at})
    qualities = sorted({a.quality for a in store.articles.values() if a.quality is not None})
    topic = _variants(
        topic_names,
        UNKNOWN_TOPICS,
        lambda n: st.sampled_from([n, n.upper(), n.lower(), f"  {n} "]),
    )
    provider = _variants(
        domains,
        UNKNOWN_DOMAINS,
        lambda d: st.sampled_from([d, d.upper(), f"www.{d}", f"WWW.{d.title()}"]),
    )
    # Exact publication times hit the inclusive/exclusive boundaries; others fall between.
    instant = st.one_of(
        st.sampled_from(dates),
        st.datetimes(
            min_value=(dates[0] - timedelta(days=3)).replace(tzinfo=None),
            max_value=(dates[-1] + timedelta(days=3)).replace(tzinfo=None),
            timezones=st.just(UTC),
        ),
    )
    # The same instant written in another offset must mean the same thing.
    stamp = st.builds(
        lambda dt, hours: dt.astimezone(timezone(timedelta(hours=hours))).isoformat(),
        instant,
        st.integers(-11, 13),
    )
    quality = st.one_of(st.sampled_from(qualities), st.integers(-5, max(qualities) + 5))
    return st.fixed_dictionaries(
        {},
        optional={
            "topics": st.lists(topic, max_size=3),
            "providers": st.lists(provider, max_size=3),
            "publishedAfter": stamp,
            "publishedBefore": stamp,
            "minQuality": quality,
            "includeStubs": st.booleans(),
        },
    )


def check(
    schema: strawberry.Schema,
    store: GraphStore,
    flt: dict[str, Any],
    order: str,
    first: int,
    max_pages: int | None = None,
) -> None:
    missing = unknown(store, flt)
    if missing is not None:  # an error naming it, not an empty list
        result = schema.execute_sync(
            QUERY,
            variable_values={"filter": flt, "order": order, "first": first},
            context_value=Context(store),
        )
        assert result.data is None and result.errors, (flt, result)
        assert repr(missing) in result.errors[0].message, (flt, result.errors)
        return
    want = expected(store, flt, order)
    if max_pages is not None:  # keep big walks bounded: a larger page, still within the cap
        first = min(100, max(first, math.ceil(len(want) / max_pages)))
    got, total = walk(schema, store, flt, order, first)
    assert total == len(want)
    assert got == want, (flt, order, first)


# Properties -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seeds_filters(seeds_store: GraphStore) -> st.SearchStrategy[dict[str, Any]]:
    return filters(seeds_store)


@pytest.fixture(scope="module")
def news_filters(news_store: GraphStore) -> st.SearchStrategy[dict[str, Any]]:
    return filters(news_store)


@pytest.mark.parametrize("order", ORDERS)
def test_pages_concatenate_to_the_full_list_on_seeds(
    schema: strawberry.Schema,
    seeds_store: GraphStore,
    seeds_filters: st.SearchStrategy[dict[str, Any]],
    order: str,
) -> None:
    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(flt=seeds_filters, first=st.integers(1, 100))
    def prop(flt: dict[str, Any], first: int) -> None:
        check(schema, seeds_store, flt, order, first)

    prop()


@pytest.mark.parametrize("order", ORDERS)
def test_pages_concatenate_to_the_full_list_on_news(
    schema: strawberry.Schema,
    news_store: GraphStore,
    news_filters: st.SearchStrategy[dict[str, Any]],
    order: str,
) -> None:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(flt=news_filters, first=st.integers(1, 100))
    def prop(flt: dict[str, Any], first: int) -> None:
        check(schema, news_store, flt, order, first, max_pages=12)

    prop()


def test_the_reference_is_not_trivial(seeds_store: GraphStore) -> None:
    """The brute force itself, on hand-checked seeds facts (seeds_expected.json)."""
    assert len(expected(seeds_store, {}, "PUBLISHED_AT_DESC")) == 21
    assert len(expected(seeds_store, {"includeStubs": True}, "QUALITY_DESC")) == 27
    assert len(expected(seeds_store, {"topics": ["kubernetes"]}, "PUBLISHED_AT_ASC")) == 9
    assert len(expected(seeds_store, {"topics": ["AI", " azure "]}, "PUBLISHED_AT_ASC")) == 2
    assert len(expected(seeds_store, {"providers": ["WWW.KernelTimes.io"]}, "QUALITY_DESC")) == 5
    both = expected(
        seeds_store, {"providers": ["kerneltimes.io", "secopsreview.net"]}, "PUBLISHED_AT_DESC"
    )
    assert len(both) == 10
