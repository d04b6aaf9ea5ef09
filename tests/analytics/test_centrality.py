"""Centrality and provider profiles on hand-built graphs: PageRank, degree and betweenness
worked out by hand, shared ranks for ties, topic mix and coverage overlap."""

from __future__ import annotations

import pytest
import strawberry

from graphsvc.graph.analytics import centrality, providers
from graphsvc.graph.analytics.centrality import Centrality, central, rank_of, rank_scores
from graphsvc.identity import provider_key, topic_key
from graphsvc.model import NodeKind
from tests.analytics.analytics_support import doc, key, make_store, run

# a, c and d each list b: a star with b in the middle (b lists nothing: a dangling node).
STAR = [doc("a", related=["b"]), doc("b"), doc("c", related=["b"]), doc("d", related=["b"])]


def test_pagerank_of_a_star_by_hand() -> None:
    # Leaves get x = 0.15/4 + 0.85*y/4 (only b's dangling share), and y = 1 - 3x,
    # so x = 0.25/1.6375 = 20/131 and y = 71/131.
    found = {r.key: r for r in central(make_store(STAR), NodeKind.ARTICLE, Centrality.PAGERANK)}
    assert found[key("b")].score == pytest.approx(71 / 131, abs=1e-5)
    assert found[key("a")].score == pytest.approx(20 / 131, abs=1e-5)


def test_degree_ties_share_a_rank() -> None:
    ranked = central(make_store(STAR), NodeKind.ARTICLE, Centrality.DEGREE)
    # b links the three others (3/3); each leaf links one of three (1/3): a tie, by key.
    assert [(r.key, r.score, r.rank) for r in ranked] == [
        (key("b"), 1.0, 1),
        (key("a"), round(1 / 3, 12), 2),
        (key("c"), round(1 / 3, 12), 2),
        (key("d"), round(1 / 3, 12), 2),
    ]


def test_betweenness_of_a_path_by_hand() -> None:
    # a - b - c: the only pair not adjacent, (a, c), passes through b. Normalised: 1/1.
    store = make_store([doc("a", related=["b"]), doc("b", related=["c"]), doc("c")])
    ranked = central(store, NodeKind.ARTICLE, Centrality.BETWEENNESS)
    assert [(r.key, r.score, r.rank) for r in ranked] == [
        (key("b"), 1.0, 1),
        (key("a"), 0.0, 2),
        (key("c"), 0.0, 2),
    ]


def test_competition_ranks() -> None:
    ranking = rank_scores({"n:a": 0.5, "n:b": 0.2, "n:c": 0.5, "n:d": 0.1, "n:e": 0.2})
    assert ranking.order == ("n:a", "n:c", "n:b", "n:e", "n:d")
    assert dict(ranking.ranks) == {"n:a": 1, "n:c": 1, "n:b": 3, "n:e": 3, "n:d": 5}
    # Differences below 12 decimals are noise of the algorithm, not a ranking.
    assert rank_scores({"n:a": 0.3, "n:b": 0.3 + 1e-15}).ranks == {"n:a": 1, "n:b": 1}


def test_big_graphs_sample_betweenness_with_a_fixed_seed() -> None:
    n = centrality.BETWEENNESS_SAMPLES + 50
    docs = [doc(f"n{i:03d}", related=[f"n{i + 1:03d}"]) for i in range(n - 1)] + [
        doc(f"n{n - 1:03d}")
    ]
    store = make_store(docs)
    first = rank_of(store, key("n100"), Centrality.BETWEENNESS)
    again = rank_of(make_store(docs), key("n100"), Centrality.BETWEENNESS)
    assert first == again and first is not None


# Providers: p has three articles (topics X, X+Y, Z) listing q's twice and r's once, and
# its own once; q's one article lists p's.
PROVIDER_DOCS = [
    doc("p1", provider="p.org", topics=["X"], related=["q1", "p2"]),
    doc("p2", provider="p.org", topics=["X", "Y"], related=[("qs", "q.org")]),
    doc("p3", provider="p.org", topics=["Z"], related=[("rs", "r.org")]),
    doc("q1", provider="q.org", topics=["Y"], related=["p1"]),
]
P, Q, R = provider_key("p.org"), provider_key("q.org"), provider_key("r.org")


def test_coverage_overlap_and_topic_mix() -> None:
    store = make_store(PROVIDER_DOCS)
    overlap = providers.coverage_overlap(store, P)
    assert [(s.key, s.count, s.share) for s in overlap] == [(Q, 2, 2 / 4), (R, 1, 1 / 4)]
    assert [(s.key, s.count) for s in providers.coverage_overlap(store, Q)] == [(P, 1)]
    assert providers.coverage_overlap(store, R) == []  # r only publishes stubs
    mix = providers.topic_mix(store, P)
    assert [(s.key, s.count, s.share) for s in mix] == [
        (topic_key("x"), 2, 2 / 3),
        (topic_key("y"), 1, 1 / 3),  # y and z tie at one: by key
        (topic_key("z"), 1, 1 / 3),
    ]
    assert len(providers.topic_mix(store, P, first=1)) == 1


def test_provider_and_topic_centrality() -> None:
    store = make_store(PROVIDER_DOCS)
    degree = central(store, NodeKind.PROVIDER, Centrality.DEGREE)
    # p links q and r (2/2); q and r link only p (1/2).
    assert [(r.key, r.score, r.rank) for r in degree] == [(P, 1.0, 1), (Q, 0.5, 2), (R, 0.5, 2)]
    topics = central(store, NodeKind.TOPIC, Centrality.DEGREE)
    # Only x and y share an article: x, y 1/2 each; z 0.
    assert [(r.key, r.rank) for r in topics] == [
        (topic_key("x"), 1),
        (topic_key("y"), 1),
        (topic_key("z"), 3),
    ]


def test_rank_fields_through_graphql(analytics_schema: strawberry.Schema) -> None:
    store = make_store(STAR)
    data = run(
        analytics_schema,
        store,
        """query($b: String!, $a: String!) {
             b: article(url: $b) { rank degree: rank(measure: DEGREE) }
             a: article(url: $a) { rank(measure: DEGREE) }
             central(nodeKind: ARTICLE, measure: DEGREE, first: 2) { node { ... on Article { title } } score rank }
             provider(domain: "p.example.org") { rank topicMix { count } coverageOverlap { count } } }""",
        b="https://b.example.com/a",
        a="https://a.example.com/a",
    )
    assert data["b"] == {"rank": 1, "degree": 1}
    assert data["a"] == {"rank": 2}
    assert data["central"] == [
        {"node": {"title": "Article b"}, "score": 1.0, "rank": 1},
        {"node": {"title": "Article a"}, "score": round(1 / 3, 12), "rank": 2},
    ]
    assert data["provider"]["rank"] == 1
    overlap = run(
        analytics_schema,
        make_store(PROVIDER_DOCS),
        '{ provider(domain: "p.org") { coverageOverlap(first: 1) { provider { domain } count share } topicMix(first: 1) { topic { name } share } } }',
    )["provider"]
    assert overlap["coverageOverlap"] == [
        {"provider": {"domain": "q.org"}, "count": 2, "share": 0.5}
    ]
    assert overlap["topicMix"] == [{"topic": {"name": "X"}, "share": pytest.approx(2 / 3)}]
