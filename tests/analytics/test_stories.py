"""Stories on hand-built graphs: membership, IDs, summaries, orders, filters, Louvain."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import strawberry

from graphsvc.api.context import encode_id
from graphsvc.graph.analytics import stories
from graphsvc.graph.queries import ArticleFilter
from graphsvc.identity import provider_key, topic_key
from tests.analytics.analytics_support import doc, key, make_store, run, run_error

DOCS = [
    doc("a", when="2021-03-01T10:00:00Z", provider="p1.org", topics=["X", "Y"], related=["b"]),
    doc("b", when="2021-03-02T10:00:00Z", provider="p2.org", topics=["X"], related=["a", "c"]),
    doc("c", when="2021-03-03T10:00:00Z", provider="p1.org", topics=["Z"]),
    doc("d", when="2021-03-04T10:00:00Z"),  # alone
    doc("e", when="2021-03-05T10:00:00Z", related=[("s", "q.org")]),  # only a stub between
    doc("f", when="2021-03-06T10:00:00Z", related=[("s", "q.org")]),  # e and f: no story
    doc("g", when="2021-03-08T10:00:00Z", provider="p3.org", related=["h"]),
    doc("h", when="2021-03-07T10:00:00Z", provider="p3.org"),
]
ABC = stories.story_key([key("a"), key("b"), key("c")])
GH = stories.story_key([key("g"), key("h")])


def test_members_are_the_related_clusters_of_full_articles() -> None:
    found = stories.build_stories(make_store(DOCS))
    assert found.method == "components"
    members = {k: set(s.members) for k, s in found.by_key.items()}
    assert members == {ABC: {key("a"), key("b"), key("c")}, GH: {key("g"), key("h")}}
    for name in "def":
        assert key(name) not in found.of_article
    assert key("s") not in found.of_article  # stubs are in no story
    assert sum(s.size for s in found.by_key.values()) == len(found.of_article) == 5


def test_story_key_is_a_hash_of_the_smallest_member() -> None:
    smallest = min(key("a"), key("b"), key("c"))
    assert "s:" + hashlib.sha1(smallest.encode()).hexdigest()[:16] == ABC
    assert stories.build_stories(make_store(DOCS)).by_key.keys() == {ABC, GH}
    reordered = make_store(list(reversed(DOCS)))  # another build, documents in another order
    assert stories.build_stories(reordered).by_key.keys() == {ABC, GH}


def test_summaries_worked_out_by_hand() -> None:
    found = stories.build_stories(make_store(DOCS)).by_key
    abc = found[ABC]
    assert abc.size == 3
    assert abc.members == (key("c"), key("b"), key("a"))  # newest first
    assert abc.first_at == datetime(2021, 3, 1, 10, tzinfo=UTC)
    assert abc.last_at == datetime(2021, 3, 3, 10, tzinfo=UTC)
    assert abc.representative == key("b")  # two links inside the story; a and c have one
    # Y and Z tie at one article each: by key.
    assert abc.topics == ((topic_key("x"), 2), (topic_key("y"), 1), (topic_key("z"), 1))
    assert abc.providers == ((provider_key("p1.org"), 2), (provider_key("p2.org"), 1))
    # g and h tie at one link each: the older one, h, represents the story.
    assert found[GH].representative == key("h")


def test_orders_and_filters() -> None:
    store = make_store(DOCS)
    assert stories.list_stories(store, None, stories.StoryOrder.SIZE)[0] == (ABC, GH)
    assert stories.list_stories(store, None, stories.StoryOrder.RECENT)[0] == (GH, ABC)
    assert stories.list_stories(store, ArticleFilter(topics=("z",)))[0] == [ABC]
    assert stories.list_stories(store, ArticleFilter(providers=("p3.org",)))[0] == [GH]
    assert stories.list_stories(store, ArticleFilter(providers=("nobody.org",)))[0] == []


def test_big_components_are_split_by_louvain() -> None:
    left = [f"l{i}" for i in range(4)]
    right = [f"r{i}" for i in range(4)]
    bridge = {"l0": ["r0"]}  # two cliques of four, one edge between them
    docs = [
        doc(n, related=[*(m for m in group if m > n), *bridge.get(n, [])])
        for group in (left, right)
        for n in group
    ]
    store = make_store(docs)
    whole = stories.build_stories(store)
    assert whole.method == "components"
    assert [s.size for s in whole.by_key.values()] == [8]
    split = stories.build_stories(store, max_component=5)
    assert split.method == "louvain"
    assert sorted(sorted(s.members) for s in split.by_key.values()) == [
        sorted(key(n) for n in left),
        sorted(key(n) for n in right),
    ]
    again = stories.build_stories(make_store(docs), max_component=5)
    assert {k: s.members for k, s in again.by_key.items()} == {
        k: s.members for k, s in split.by_key.items()
    }
    # Above louvain_max articles in big components, label propagation splits them instead.
    propagated = stories.build_stories(store, max_component=5, louvain_max=7)
    assert propagated.method == "label-propagation"
    assert {k: s.members for k, s in propagated.by_key.items()} == {
        k: s.members for k, s in split.by_key.items()
    }


def test_stories_through_graphql(analytics_schema: strawberry.Schema) -> None:
    store = make_store(DOCS)
    query = """query($after: String) { stories(first: 1, after: $after) {
        totalCount method pageInfo { hasNextPage endCursor }
        edges { node { id size firstPublishedAt lastPublishedAt
          topTopics(first: 2) { topic { name } count } topProviders { provider { domain } count }
          representative { title } articles(first: 2) { totalCount edges { node { title } } } } } } }"""
    first = run(analytics_schema, store, query)["stories"]
    assert first["totalCount"] == 2 and first["method"] == "components"
    node = first["edges"][0]["node"]
    assert node["id"] == encode_id(ABC)
    assert node["size"] == 3
    assert node["firstPublishedAt"] == "2021-03-01T10:00:00+00:00"
    assert node["topTopics"] == [
        {"topic": {"name": "X"}, "count": 2},
        {"topic": {"name": "Y"}, "count": 1},
    ]
    assert node["topProviders"][0] == {"provider": {"domain": "p1.org"}, "count": 2}
    assert node["representative"] == {"title": "Article b"}
    assert node["articles"]["totalCount"] == 3
    assert [e["node"]["title"] for e in node["articles"]["edges"]] == ["Article c", "Article b"]
    second = run(analytics_schema, store, query, after=first["pageInfo"]["endCursor"])["stories"]
    assert [e["node"]["id"] for e in second["edges"]] == [encode_id(GH)]
    assert second["pageInfo"]["hasNextPage"] is False

    links = run(
        analytics_schema,
        store,
        """query($a: String!, $d: String!) { a: article(url: $a) { story { id size } }
           d: article(url: $d) { story { id } } }""",
        a="https://a.example.com/a",
        d="https://d.example.com/a",
    )
    assert links == {"a": {"story": {"id": encode_id(ABC), "size": 3}}, "d": {"story": None}}
    by_id = run(
        analytics_schema, store, "query($id: ID!) { story(id: $id) { size } }", id=encode_id(GH)
    )
    assert by_id == {"story": {"size": 2}}
    assert "malformed story ID" in run_error(
        analytics_schema, store, '{ story(id: "dDphaQ") { size } }'
    )
    assert "over the limit" in run_error(
        analytics_schema, store, "{ stories(first: 101) { totalCount } }"
    )


def test_node_resolves_a_story_id(analytics_schema: strawberry.Schema) -> None:
    """Story implements Node, so node(id:) answers a story's ID like any other node's."""
    store = make_store(DOCS)
    query = "query($id: ID!) { node(id: $id) { __typename id ... on Story { size } } }"
    assert run(analytics_schema, store, query, id=encode_id(GH)) == {
        "node": {"__typename": "Story", "id": encode_id(GH), "size": 2}
    }
    assert run(analytics_schema, store, query, id=encode_id(ABC))["node"]["size"] == 3
    unknown = encode_id(stories.story_key([key("d")]))  # d is alone: no story
    assert "no story" in run_error(analytics_schema, store, query, id=unknown)
