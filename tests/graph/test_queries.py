"""Filters, orders, keyset pagination and related lists (graph.queries) on a tiny hand-made corpus.

Six documents and two stubs, written into a temporary folder; every expected value below is
worked out by hand from the table in ``CORPUS``'s comment, not from graphsvc's output.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from graphsvc.corpus import load_store
from graphsvc.graph.queries import (
    MAX_PAGE,
    ArticleFilter,
    ArticleOrder,
    QueryError,
    article_sort_key,
    count_order,
    decode_cursor,
    encode_cursor,
    filter_articles,
    find_article,
    find_provider,
    find_topic,
    paginate,
    related_keys,
)
from graphsvc.graph.store import GraphStore

# The corpus (URLs https://n.example/aN; stubs https://stub.example/sN):
#
#   key  published (UTC)       quality provider       topics     related (in rank order)
#   a1   2021-01-10 00:00      80      alpha.example  AI, Cloud  a2, a3, s1
#   a2   2021-01-20 00:00      80      alpha.example  AI         a1, s2
#   a3   2021-01-20 00:00      80      beta.example   Cloud      a4
#   a4   (none)                (none)  beta.example   AI, Cloud  -
#   a5   2021-01-31 22:00 (written 2021-02-01T00:00:00+02:00)
#                              20      gamma.example  Cloud      s1
#   a6   2021-01-15 12:00      (none)  alpha.example  -          -
#   s1   2021-01-05 00:00      10      stub.example   (stub: listed by a1 and a5)
#   s2   (none)                90      alpha.example  (stub: listed by a2)
#
# Orders of the six full articles:
#   PUBLISHED_AT_DESC  a5 a2 a3 a6 a1 a4   (a2/a3 same time: URL ascending; a4 undated: last)
#   PUBLISHED_AT_ASC   a1 a6 a2 a3 a5 a4
#   QUALITY_DESC       a2 a3 a1 a5 a6 a4   (80 80 80 20, then no quality: a6 dated before a4)
# With the stubs:
#   PUBLISHED_AT_DESC  a5 a2 a3 a6 a1 s1 a4 s2   (undated a4 < s2 by URL)
#   PUBLISHED_AT_ASC   s1 a1 a6 a2 a3 a5 a4 s2
#   QUALITY_DESC       s2 a2 a3 a1 a5 s1 a6 a4

N, S = "https://n.example/", "https://stub.example/"


def key(name: str) -> str:
    return "a:" + (S if name.startswith("s") else N) + name


def keys(names: str) -> list[str]:
    return [key(n) for n in names.split()]


STUB_S1 = {"url": S + "s1", "date": "2021-01-05T00:00:00Z", "quality": 10, "domain": "stub.example"}
STUB_S2 = {"url": S + "s2", "quality": 90, "domain": "alpha.example"}
CORPUS: dict[str, dict[str, Any]] = {
    "a1": {
        "date": "2021-01-10T00:00:00Z",
        "quality": 80,
        "domain": "alpha.example",
        "topics": ["AI", "Cloud"],
        "related": [{"url": N + "a2"}, {"url": N + "a3"}, STUB_S1],
    },
    "a2": {
        "date": "2021-01-20T00:00:00Z",
        "quality": 80,
        "domain": "alpha.example",
        "topics": ["AI"],
        "related": [{"url": N + "a1"}, STUB_S2],
    },
    "a3": {
        "date": "2021-01-20T00:00:00Z",
        "quality": 80,
        "domain": "beta.example",
        "topics": ["Cloud"],
        "related": [{"url": N + "a4"}],
    },
    "a4": {"domain": "beta.example", "topics": ["AI", "Cloud"]},
    "a5": {
        "date": "2021-02-01T00:00:00+02:00",
        "quality": 20,
        "domain": "gamma.example",
        "topics": ["Cloud"],
        "related": [STUB_S1],
    },
    "a6": {"date": "2021-01-15T12:00:00Z", "domain": "alpha.example"},
}


def _fields(spec: dict[str, Any], indent: str) -> list[str]:
    lines = []
    if "date" in spec:
        lines.append(f"{indent}publishedDateTime: {spec['date']}")
    if "quality" in spec:
        lines.append(f"{indent}quality: {spec['quality']}")
    lines += [f"{indent}provider:", f"{indent}  domain: {spec['domain']}"]
    return lines


def write_corpus(root: Path) -> None:
    for name, spec in CORPUS.items():
        lines = ["---", f'title: "Article {name}"', f'webUrl: "{N}{name}"', *_fields(spec, "")]
        if spec.get("topics"):
            lines += ["topics:", *(f"  - {t}" for t in spec["topics"])]
        if spec.get("related"):
            lines.append("related:")
            for item in spec["related"]:
                lines += [f'  - webUrl: "{item["url"]}"', f'    title: "Item {item["url"]}"']
                if "domain" in item:
                    lines += _fields(item, "    ")
        (root / f"{name}.md").write_text("\n".join([*lines, "---", ""]), encoding="utf-8")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    root = tmp_path_factory.mktemp("queries-corpus")
    write_corpus(root)
    built = load_store(root, cache_dir=tmp_path_factory.mktemp("queries-cache"))
    assert not built.report.rejected
    assert (built.counts.articles, built.counts.stubs) == (6, 2)
    return built


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


DESC, ASC, QUALITY = (
    ArticleOrder.PUBLISHED_AT_DESC,
    ArticleOrder.PUBLISHED_AT_ASC,
    ArticleOrder.QUALITY_DESC,
)


# Orders ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("order", "full", "with_stubs"),
    [
        (DESC, "a5 a2 a3 a6 a1 a4", "a5 a2 a3 a6 a1 s1 a4 s2"),
        (ASC, "a1 a6 a2 a3 a5 a4", "s1 a1 a6 a2 a3 a5 a4 s2"),
        (QUALITY, "a2 a3 a1 a5 a6 a4", "s2 a2 a3 a1 a5 s1 a6 a4"),
    ],
)
def test_orders(store: GraphStore, order: ArticleOrder, full: str, with_stubs: str) -> None:
    assert list(filter_articles(store, None, order)) == keys(full)
    assert list(filter_articles(store, ArticleFilter(), order)) == keys(full)
    assert list(filter_articles(store, ArticleFilter(include_stubs=True), order)) == keys(
        with_stubs
    )


def test_the_default_order_is_newest_first(store: GraphStore) -> None:
    assert list(filter_articles(store)) == keys("a5 a2 a3 a6 a1 a4")


# Filters ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("flt", "want"),
    [
        # Topics: the article carries every one (intersection), names case-insensitive.
        (ArticleFilter(topics=("AI",)), "a2 a1 a4"),
        (ArticleFilter(topics=("cloud",)), "a5 a3 a1 a4"),
        (ArticleFilter(topics=(" ai ", "CLOUD")), "a1 a4"),
        (ArticleFilter(topics=("AI", "AI")), "a2 a1 a4"),
        (ArticleFilter(topics=("AI", "no such topic")), ""),
        (ArticleFilter(topics=("no such topic",)), ""),
        (ArticleFilter(topics=("AI",), include_stubs=True), "a2 a1 a4"),  # stubs: no topics
        # Providers: any of them (union); domains normalised.
        (ArticleFilter(providers=("alpha.example", "beta.example")), "a2 a3 a6 a1 a4"),
        (ArticleFilter(providers=("WWW.Gamma.Example",)), "a5"),
        (ArticleFilter(providers=("nowhere.example",)), ""),
        (ArticleFilter(providers=("stub.example",)), ""),
        (ArticleFilter(providers=("stub.example",), include_stubs=True), "s1"),
        (ArticleFilter(providers=("alpha.example",), include_stubs=True), "a2 a6 a1 s2"),
        (ArticleFilter(topics=("Cloud",), providers=("beta.example", "gamma.example")), "a5 a3 a4"),
        (ArticleFilter(topics=("AI",), providers=("gamma.example",)), ""),
        # minQuality: at least; no quality never passes.
        (ArticleFilter(min_quality=80), "a2 a3 a1"),
        (ArticleFilter(min_quality=81), ""),
        (ArticleFilter(min_quality=81, include_stubs=True), "s2"),
        (ArticleFilter(min_quality=20), "a5 a2 a3 a1"),
        (ArticleFilter(min_quality=-10), "a5 a2 a3 a1"),
        (ArticleFilter(min_quality=10, include_stubs=True), "a5 a2 a3 a1 s1 s2"),
    ],
)
def test_filters(store: GraphStore, flt: ArticleFilter, want: str) -> None:
    assert list(filter_articles(store, flt)) == keys(want)


@pytest.mark.parametrize(
    ("after", "before", "stubs", "want"),
    [
        # publishedAfter is inclusive: a2 and a3 are at exactly 2021-01-20 00:00.
        (utc(2021, 1, 20), None, False, "a5 a2 a3"),
        (utc(2021, 1, 20, 0, 0, 1), None, False, "a5"),
        # publishedBefore is exclusive.
        (None, utc(2021, 1, 20), False, "a6 a1"),
        (None, utc(2021, 1, 20, 0, 0, 1), False, "a2 a3 a6 a1"),
        # Both: [a6's time, a5's time) holds a2, a3 and a6, not a5.
        (utc(2021, 1, 15, 12), utc(2021, 1, 31, 22), False, "a2 a3 a6"),
        (utc(2021, 1, 15, 12), utc(2021, 1, 31, 22, 0, 1), False, "a5 a2 a3 a6"),
        # a5 was written with +02:00; the same instant in another offset is the same bound.
        (datetime(2021, 2, 1, tzinfo=timezone(timedelta(hours=2))), None, False, "a5"),
        (datetime(2021, 1, 31, 17, tzinfo=timezone(timedelta(hours=-5))), None, False, "a5"),
        # Undated articles (a4, s2) pass no date bound, however wide.
        (utc(1900, 1, 1), None, True, "a5 a2 a3 a6 a1 s1"),
        (None, utc(2100, 1, 1), True, "a5 a2 a3 a6 a1 s1"),
        (None, utc(2021, 1, 10), True, "s1"),
        # An empty range.
        (utc(2021, 1, 20), utc(2021, 1, 20), False, ""),
    ],
)
def test_date_ranges(
    store: GraphStore, after: datetime | None, before: datetime | None, stubs: bool, want: str
) -> None:
    flt = ArticleFilter(published_after=after, published_before=before, include_stubs=stubs)
    assert list(filter_articles(store, flt)) == keys(want)


@pytest.mark.parametrize(
    ("order", "want"),
    [
        # Cloud: a1 a3 a4 a5.
        (DESC, "a5 a3 a1 a4"),
        (ASC, "a1 a3 a5 a4"),
        # a3 and a1 both 80: a3 is newer; then a5 (20); a4 has no quality.
        (QUALITY, "a3 a1 a5 a4"),
    ],
)
def test_a_filter_in_each_order(store: GraphStore, order: ArticleOrder, want: str) -> None:
    assert list(filter_articles(store, ArticleFilter(topics=("Cloud",)), order)) == keys(want)


def test_lookups(store: GraphStore) -> None:
    assert find_article(store, "HTTPS://N.Example/a1/?utm_source=x#top") == key("a1")
    assert find_article(store, S + "s2") == key("s2")
    assert find_article(store, "https://n.example/a7") is None
    assert find_topic(store, "  cLoUd ") == "t:cloud"
    assert find_topic(store, "clouds") is None
    assert find_provider(store, "WWW.Alpha.Example") == "p:alpha.example"
    assert find_provider(store, "example") is None


def test_count_order(store: GraphStore) -> None:
    # Cloud 4 (a1 a3 a4 a5), AI 3 (a1 a2 a4); alpha 3, beta 2, gamma 1, stub.example 0.
    topics, topic_key = count_order(store, "topic")
    assert topics == ["t:cloud", "t:ai"]
    assert topic_key("t:cloud") < topic_key("t:ai")
    providers, _ = count_order(store, "provider")
    assert providers == [
        "p:alpha.example",
        "p:beta.example",
        "p:gamma.example",
        "p:stub.example",
    ]


# Pagination ------------------------------------------------------------------------------
KIND = "articles:PUBLISHED_AT_DESC"


def page(store: GraphStore, items: list[str], first: int, after: str | None = None) -> Any:
    return paginate(items, article_sort_key(store, DESC), KIND, first, after)


def test_paging_through_a_list(store: GraphStore) -> None:
    items = keys("a5 a2 a3 a6 a1 a4")
    one = page(store, items, 2)
    assert (one.keys, one.has_next, one.has_previous, one.total) == (keys("a5 a2"), True, False, 6)
    assert len(one.cursors) == 2
    two = page(store, items, 2, one.cursors[-1])
    assert (two.keys, two.has_next, two.has_previous) == (keys("a3 a6"), True, True)
    three = page(store, items, 2, two.cursors[-1])
    assert (three.keys, three.has_next, three.has_previous) == (keys("a1 a4"), False, True)
    # After the last item: an empty page, nothing next.
    four = page(store, items, 2, three.cursors[-1])
    assert (four.keys, four.cursors, four.has_next, four.has_previous, four.total) == (
        [],
        [],
        False,
        True,
        6,
    )


def test_every_cursor_resumes_right_after_its_item(store: GraphStore) -> None:
    for order in ArticleOrder:
        items = list(filter_articles(store, ArticleFilter(include_stubs=True), order))
        sort_key = article_sort_key(store, order)
        kind = f"articles:{order.value}"
        everything = paginate(items, sort_key, kind, 100, None)
        assert everything.keys == items and not everything.has_next
        for i, cursor in enumerate(everything.cursors):
            rest = paginate(items, sort_key, kind, 3, cursor)
            assert rest.keys == items[i + 1 : i + 4], (order, i)
            assert rest.has_next is (i + 4 < len(items))
            assert rest.has_previous is True


def test_first_zero(store: GraphStore) -> None:
    items = keys("a5 a2 a3 a6 a1 a4")
    zero = page(store, items, 0)
    assert (zero.keys, zero.cursors, zero.has_next, zero.has_previous, zero.total) == (
        [],
        [],
        True,  # six items follow
        False,
        6,
    )
    last = page(store, items, 6).cursors[-1]
    assert page(store, items, 0, last).has_next is False
    assert page(store, [], 0).has_next is False
    empty = page(store, [], 5)
    assert (empty.keys, empty.has_next, empty.has_previous, empty.total) == ([], False, False, 0)


def test_page_size_bounds(store: GraphStore) -> None:
    items = keys("a5 a2 a3 a6 a1 a4")
    assert page(store, items, MAX_PAGE).keys == items
    with pytest.raises(QueryError, match="101"):
        page(store, items, MAX_PAGE + 1)
    with pytest.raises(QueryError, match="-1"):
        page(store, items, -1)
    with pytest.raises(QueryError, match="over the limit of 3"):
        paginate(items, article_sort_key(store, DESC), KIND, 4, None, cap=3)


def test_a_cursor_outlives_its_item(store: GraphStore) -> None:
    """Keyset, not offset: with a3 gone, a3's cursor still resumes after a3's position."""
    full = keys("a5 a2 a3 a6 a1 a4")
    cursor = page(store, full, 3).cursors[-1]  # a3's
    without = [k for k in full if k != key("a3")]
    assert page(store, without, 2, cursor).keys == keys("a6 a1")
    # And items before the cursor that are new to the list are not repeated or shown.
    assert page(store, keys("a5 a2 a6 a1 a4"), 10, cursor).keys == keys("a6 a1 a4")


def test_cursor_round_trip() -> None:
    sort_key = (0, -1610064000.5, "a:https://n.example/a1")
    assert decode_cursor(encode_cursor("k", sort_key), "k") == sort_key
    cursor = encode_cursor("k", (1, 0.0, "x"))
    assert "=" not in cursor and cursor.isascii()


def _forge(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "",
        "!!!!",
        "☃",
        "YQ",  # base64 of "a": not JSON
        _forge({"kind": "k"}),  # not a pair
        _forge(["k", 1, 2]),  # three items
        _forge(["k", 5]),  # the key is not a list
        _forge(["other", [0, 1.0, "a:x"]]),  # another list's cursor
        _forge([["k"], [0]]),
    ],
)
def test_decode_cursor_errors(cursor: str) -> None:
    with pytest.raises(QueryError, match="invalid cursor"):
        decode_cursor(cursor, "k")


def test_a_cursor_of_another_list_kind_is_refused(store: GraphStore) -> None:
    items = keys("a5 a2 a3")
    topic_cursor = encode_cursor("topics", (-4, "t:cloud"))
    with pytest.raises(QueryError, match="invalid cursor"):
        page(store, items, 2, topic_cursor)
    quality_cursor = encode_cursor("articles:QUALITY_DESC", (False, -80, 0, -1.0, "a:x"))
    with pytest.raises(QueryError, match="articles:PUBLISHED_AT_DESC"):
        page(store, items, 2, quality_cursor)


@pytest.mark.parametrize("sort_key", [["x"], [None, None, None], [0, "x", 1], [{"a": 1}]])
def test_a_forged_sort_key_is_a_query_error(store: GraphStore, sort_key: list[Any]) -> None:
    with pytest.raises(QueryError, match="invalid cursor"):
        page(store, keys("a5 a2 a3"), 2, _forge([KIND, sort_key]))


# Related lists ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("article", "direction", "want"),
    [
        ("a1", "OUT", "a2 a3 s1"),  # rank order
        ("a1", "IN", "a2"),
        ("a1", "BOTH", "a2 a3 s1"),  # a2 is in both: listed once, at its OUT rank
        ("a2", "OUT", "a1 s2"),
        ("a2", "IN", "a1"),
        ("a2", "BOTH", "a1 s2"),
        ("a3", "OUT", "a4"),
        ("a3", "IN", "a1"),
        ("a3", "BOTH", "a4 a1"),  # the OUT list, then the IN-only articles
        ("a4", "OUT", ""),
        ("a4", "IN", "a3"),
        ("s1", "OUT", ""),
        ("s1", "IN", "a1 a5"),  # by key
        ("s1", "BOTH", "a1 a5"),
        ("a6", "BOTH", ""),
    ],
)
def test_related_keys(store: GraphStore, article: str, direction: str, want: str) -> None:
    items, sort_key = related_keys(store, key(article), direction)
    assert items == keys(want)
    # The sort key agrees with the list, so paging one item at a time walks it exactly.
    walked: list[str] = []
    after = None
    while True:
        one = paginate(items, sort_key, f"related:{direction}", 1, after)
        walked += one.keys
        if not one.has_next:
            break
        after = one.cursors[-1]
    assert walked == items


def test_related_keys_of_an_unknown_article(store: GraphStore) -> None:
    for direction in ("OUT", "IN", "BOTH"):
        assert related_keys(store, "a:https://n.example/nope", direction)[0] == []
