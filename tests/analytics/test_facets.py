"""Facets on a hand-built corpus: counts by topic, provider, month and type, by hand."""

from __future__ import annotations

import strawberry

from graphsvc.graph.analytics.facets import count_facets, facets
from graphsvc.graph.queries import ArticleFilter
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
