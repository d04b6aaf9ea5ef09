"""Facets on a hand-built corpus: counts by topic, provider, month and type, by hand."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import strawberry

from graphsvc.graph.analytics.facets import Facets, count_facets, facets
from graphsvc.graph.queries import ArticleFilter, filter_articles
from graphsvc.graph.snapshot import read_snapshot, write_snapshot
from graphsvc.graph.store import GraphStore
from graphsvc.identity import provider_key, topic_key
from tests.analytics.analytics_support import doc, make_store, run

DOCS = [
    doc("a", when="2021-01-31T23:59:00Z", provider="p.org", topics=["X", "Y"]),
    doc("b", when="2021-02-01T00:00:00Z", provider="p.org", topics=["X"], type="video"),
    doc("c", when="2021-03-15T00:00:00Z", provider="q.org", topics=["Y"], related=[("s", "r.org")]),
    doc("d", when=None, provider="q.org", topics=["X"], type=None),
]
X, Y = topic_key("x"), topic_key("y")
P, Q, R = provider_key("p.org"), provider_key("q.org"), provider_key("r.org")


def test_facets_by_hand() -> None:
    found = facets(make_store(DOCS))
    assert found.total == 4
    assert found.topics == ((X, 3), (Y, 2))
    assert found.providers == ((P, 2), (Q, 2))  # a tie: by key
    assert found.months == (("2021-01", 1), ("2021-02", 1), ("2021-03", 1), (None, 1))
    assert found.types == (("article", 2), ("video", 1), (None, 1))


def test_facets_of_a_filter() -> None:
    store = make_store(DOCS)
    found = facets(store, ArticleFilter(topics=("x",)))
    assert found.total == 3
    assert found.topics == ((X, 3), (Y, 1))
    assert found.providers == ((P, 2), (Q, 1))
    with_stubs = count_facets(store, ArticleFilter(include_stubs=True))
    assert with_stubs.total == 5 and (R, 1) in with_stubs.providers
    assert facets(store, ArticleFilter(topics=("nothing",))).total == 0


def test_facets_through_graphql(analytics_schema: strawberry.Schema) -> None:
    data = run(
        analytics_schema,
        make_store(DOCS),
        """{ facets(filter: {providers: ["q.org"]}, first: 1) { totalCount
              topics { value label count } providers { value label count }
              months { value label count } types { value label count } } }""",
    )["facets"]
    assert data["totalCount"] == 2
    assert data["topics"] == [{"value": "X", "label": "X", "count": 1}]  # first: 1 (X, Y tie)
    assert data["providers"] == [{"value": "q.org", "label": "Q.ORG", "count": 2}]
    assert data["months"] == [
        {"value": "2021-03", "label": "2021-03", "count": 1},
        {"value": None, "label": "undated", "count": 1},
    ]
    assert data["types"] == [{"value": "article", "label": "article", "count": 1}]


def _by_records(store: GraphStore, flt: ArticleFilter) -> Facets:
    """The facets of a filter counted from each article's decoded record (what count_facets
    did before the facet columns), as the reference."""
    topics: Counter[str] = Counter()
    providers: Counter[str] = Counter()
    months: Counter[str | None] = Counter()
    types: Counter[str | None] = Counter()
    keys = list(filter_articles(store, flt))
    for key in keys:
        article = store.articles[key]
        topics.update(article.topics)
        providers[article.provider] += 1
        when = article.published_at
        months[None if when is None else f"{when.year:04d}-{when.month:02d}"] += 1
        types[article.type] += 1
    return Facets(
        total=len(keys),
        topics=tuple(sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))),
        providers=tuple(sorted(providers.items(), key=lambda kv: (-kv[1], kv[0]))),
        months=tuple(sorted(months.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))),
        types=tuple(sorted(types.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))),
    )


@pytest.mark.corpus
def test_facets_of_filters_match_the_records(news_store: GraphStore, tmp_path: Path) -> None:
    """Facets are counted from columns (a snapshot keeps them): under every kind of filter,
    on the built store and on one read back from a file, they equal a count of the records."""
    write_snapshot(news_store, tmp_path / "news.snap")
    read = read_snapshot(tmp_path / "news.snap")
    biggest = max(news_store.topic_articles, key=lambda k: len(news_store.topic_articles[k]))
    provider = max(news_store.provider_articles, key=lambda k: len(news_store.provider_articles[k]))
    filters = [
        ArticleFilter(),
        ArticleFilter(include_stubs=True),
        ArticleFilter(topic_keys=(biggest,)),
        ArticleFilter(providers=(provider.removeprefix("p:"),), include_stubs=True),
        ArticleFilter(min_quality=3),
        ArticleFilter(published_after=datetime(2024, 1, 1, tzinfo=UTC)),
        ArticleFilter(topics=("nothing at all",)),
    ]
    for flt in filters:
        want = _by_records(news_store, flt)
        assert want.total == len(filter_articles(news_store, flt))
        assert count_facets(news_store, flt) == want, flt
        assert count_facets(read, flt) == want, flt
    assert _by_records(news_store, filters[2]).total > 100  # a real filter went through
