"""Co-occurrence on hand-built corpora: COUNT, JACCARD and PMI worked out by hand, ties,
minCount and the co-occurrence graph."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import pytest
import strawberry

from graphsvc.api.context import encode_id
from graphsvc.graph.analytics import cooccurrence, providers
from graphsvc.graph.analytics.cooccurrence import (
    CoKind,
    CoMeasure,
    baskets_of,
    cooccurrence_graph,
    neighbours,
    pair_counts,
    weigh,
)
from graphsvc.graph.store import GraphStore
from graphsvc.identity import provider_key, topic_key
from tests.analytics.analytics_support import doc, make_store, run, run_error

# Five baskets: {A,B}, {A,B,C}, {A}, {C}, {}. N = 5; n(A) = 3, n(B) = 2, n(C) = 2;
# n(A,B) = 2, n(A,C) = 1, n(B,C) = 1.
TOPIC_DOCS = [
    doc("a1", topics=["A", "B"]),
    doc("a2", topics=["A", "B", "C"]),
    doc("a3", topics=["A"]),
    doc("a4", topics=["C"]),
    doc("a5", topics=[]),
]
A, B, C = topic_key("a"), topic_key("b"), topic_key("c")


def test_counts() -> None:
    store = make_store(TOPIC_DOCS)
    found = baskets_of(store, CoKind.TOPIC)
    assert found.count == 5
    assert [found.occurrences(k) for k in (A, B, C)] == [3, 2, 2]
    assert pair_counts(store, CoKind.TOPIC, A) == {B: 2, C: 1}
    assert pair_counts(store, CoKind.TOPIC, C) == {A: 1, B: 1}
    assert pair_counts(store, CoKind.TOPIC, topic_key("nothing")) == {}


def test_measures_worked_out_by_hand() -> None:
    # weigh(measure, n(x,y), n(x), n(y), N)
    assert weigh(CoMeasure.COUNT, 2, 3, 2, 5) == 2  # A, B
    assert weigh(CoMeasure.JACCARD, 2, 3, 2, 5) == pytest.approx(2 / 3)  # 2 / (3 + 2 - 2)
    assert weigh(CoMeasure.JACCARD, 1, 3, 2, 5) == pytest.approx(1 / 4)  # A, C: 1 / (3 + 2 - 1)
    assert weigh(CoMeasure.JACCARD, 1, 2, 2, 5) == pytest.approx(1 / 3)  # B, C
    assert weigh(CoMeasure.PMI, 2, 3, 2, 5) == pytest.approx(math.log2(10 / 6))  # 0.737
    assert weigh(CoMeasure.PMI, 1, 3, 2, 5) == pytest.approx(-0.263034, abs=1e-6)  # log2(5/6)
    assert weigh(CoMeasure.PMI, 1, 2, 2, 5) == pytest.approx(math.log2(5 / 4))
    store = make_store(TOPIC_DOCS)
    by_key = {w.key: w.weight for w in neighbours(store, CoKind.TOPIC, B, CoMeasure.PMI)}
    assert by_key == {A: pytest.approx(math.log2(10 / 6)), C: pytest.approx(math.log2(5 / 4))}
    jaccard = {w.key: w.weight for w in neighbours(store, CoKind.TOPIC, A, CoMeasure.JACCARD)}
    assert jaccard == {B: pytest.approx(2 / 3), C: pytest.approx(1 / 4)}


def test_neighbours_order_ties_and_min_count() -> None:
    store = make_store(TOPIC_DOCS)
    pmi = neighbours(store, CoKind.TOPIC, A, CoMeasure.PMI)
    assert [(w.key, w.count) for w in pmi] == [(B, 2), (C, 1)]
    assert [w.key for w in neighbours(store, CoKind.TOPIC, A, CoMeasure.PMI, min_count=2)] == [B]
    # C co-occurs once with A and once with B: equal weights, equal counts, so by key.
    tie = neighbours(store, CoKind.TOPIC, C, CoMeasure.COUNT)
    assert [(w.key, w.weight) for w in tie] == [(A, 1.0), (B, 1.0)]
    assert neighbours(store, CoKind.TOPIC, C, CoMeasure.COUNT, first=1)[0].key == A


def test_graph_keeps_the_most_frequent_nodes() -> None:
    store = make_store(TOPIC_DOCS)
    graph = cooccurrence_graph(store, CoKind.TOPIC, CoMeasure.JACCARD, first=2)
    assert graph.nodes == ((A, 3), (B, 2))  # B and C tie at 2: by key
    assert graph.edges == ((A, B, 2, pytest.approx(2 / 3)),)
    full = cooccurrence_graph(store, CoKind.TOPIC, CoMeasure.JACCARD, first=10, min_weight=0.3)
    assert [(a, b) for a, b, _n, _w in full.edges] == [(A, B), (B, C)]  # A-C is 0.25
    pmi = cooccurrence_graph(store, CoKind.TOPIC, CoMeasure.PMI, first=10, min_weight=0.0)
    assert [(a, b) for a, b, _n, _w in pmi.edges] == [(A, B), (B, C)]  # A-C is negative


# Provider baskets: an article's provider and its related articles' providers.
# d1 (P) lists a stub of Q and a stub of R; d2 (Q) lists d1; d3 (R) lists nothing.
# Baskets {P,Q,R}, {P,Q}, {R}: N = 3, n = 2 each, n(P,Q) = 2, n(P,R) = n(Q,R) = 1.
PROVIDER_DOCS = [
    doc("d1", provider="p.org", related=[("sq", "q.org"), ("sr", "r.org")]),
    doc("d2", provider="q.org", related=["d1"]),
    doc("d3", provider="r.org"),
]
P, Q, R = provider_key("p.org"), provider_key("q.org"), provider_key("r.org")


def test_provider_baskets() -> None:
    store = make_store(PROVIDER_DOCS)
    found = baskets_of(store, CoKind.PROVIDER)
    assert found.count == 3
    assert [found.occurrences(k) for k in (P, Q, R)] == [2, 2, 2]
    assert pair_counts(store, CoKind.PROVIDER, P) == {Q: 2, R: 1}
    pmi = neighbours(store, CoKind.PROVIDER, P, CoMeasure.PMI)
    assert [(w.key, w.count) for w in pmi] == [(Q, 2), (R, 1)]
    assert pmi[0].weight == pytest.approx(math.log2(1.5))  # 3*2/(2*2)
    assert pmi[1].weight == pytest.approx(math.log2(0.75))  # 3*1/(2*2)
    jaccard = neighbours(store, CoKind.PROVIDER, P, CoMeasure.JACCARD)
    assert jaccard[1].weight == pytest.approx(1 / 3)


def test_cooccurrence_through_graphql(analytics_schema: strawberry.Schema) -> None:
    store = make_store(TOPIC_DOCS)
    data = run(
        analytics_schema,
        store,
        """{ cooccurrence(kind: TOPIC, of: "a", measure: PMI) { node { id ... on Topic { name } } count weight }
            cooccurrenceGraph(kind: TOPIC, measure: COUNT, first: 3, minCount: 1) {
              nodes { node { id } count } edges { source target count weight } } }""",
    )
    assert [(n["node"]["name"], n["count"]) for n in data["cooccurrence"]] == [("B", 2), ("C", 1)]
    assert data["cooccurrence"][0]["weight"] == pytest.approx(math.log2(10 / 6))
    graph = data["cooccurrenceGraph"]
    assert [n["count"] for n in graph["nodes"]] == [3, 2, 2]
    assert graph["edges"][0] == {
        "source": encode_id(A),
        "target": encode_id(B),
        "count": 2,
        "weight": 2.0,
    }
    providers = run(
        analytics_schema,
        make_store(PROVIDER_DOCS),
        '{ cooccurrence(kind: PROVIDER, of: "P.org", measure: JACCARD) { node { ... on Provider { domain } } count weight } }',
    )
    assert providers["cooccurrence"][0] == {"node": {"domain": "q.org"}, "count": 2, "weight": 1.0}
    assert "no topic named" in run_error(
        analytics_schema, store, '{ cooccurrence(kind: TOPIC, of: "zz") { count } }'
    )


@pytest.mark.corpus
@pytest.mark.parametrize("kind", list(cooccurrence.CoKind))
def test_graphs_cut_from_the_kept_top_pairs_equal_a_full_count(
    news_store: GraphStore, kind: cooccurrence.CoKind
) -> None:
    found = cooccurrence.baskets_of(news_store, kind)
    by_frequency = sorted(found.keys, key=lambda k: (-found.occurrences(k), k))
    for first in (1, 7, 50, cooccurrence.TOP_NODES, cooccurrence.TOP_NODES + 50):
        kept = set(by_frequency[:first])
        both: Counter[tuple[str, str]] = Counter()
        for basket in found.iter_baskets():
            inside = sorted(found.keys[n] for n in basket if found.keys[n] in kept)
            both.update(itertools.combinations(inside, 2))
        graph = cooccurrence.cooccurrence_graph(news_store, kind, first=first)
        assert [k for k, _n in graph.nodes] == by_frequency[:first]
        assert {(a, b): n for a, b, n, _w in graph.edges} == dict(both), first


def plain_baskets(store: GraphStore, kind: cooccurrence.CoKind) -> list[frozenset[str]]:
    """The rule, one basket per full article, counted in plain Python."""
    return list(cooccurrence.iter_baskets(store, kind))


@pytest.mark.corpus
@pytest.mark.parametrize("kind", list(cooccurrence.CoKind))
def test_baskets_and_pair_counts_equal_a_plain_count(
    news_store: GraphStore, seeds_store: GraphStore, kind: cooccurrence.CoKind
) -> None:
    for store in (news_store, seeds_store):
        raw = plain_baskets(store, kind)
        found = cooccurrence.baskets_of(store, kind)
        assert [frozenset(found.keys[n] for n in b) for b in found.iter_baskets()] == raw
        assert list(found.keys) == sorted({k for basket in raw for k in basket})
        for key in found.keys:
            both: Counter[str] = Counter()
            for basket in raw:
                if key in basket:
                    both.update(basket - {key})
            assert dict(cooccurrence.pair_counts(store, kind, key)) == dict(both), key
            assert found.occurrences(key) == sum(key in basket for basket in raw)


@pytest.mark.corpus
def test_provider_links_equal_a_plain_count(news_store: GraphStore) -> None:
    links = providers.provider_links(news_store)
    out: dict[str, Counter[str]] = {}
    totals: Counter[str] = Counter()
    for key in news_store.full_by_date:
        source = news_store.articles[key].provider
        targets = [news_store.articles[t].provider for t in news_store.related_out(key)]
        totals[source] += len(targets)
        out.setdefault(source, Counter()).update(t for t in targets if t != source)
    assert dict(links.totals) == dict(totals)
    assert {p: dict(v) for p, v in links.out.items()} == {p: dict(c) for p, c in out.items()}
    for ranked in links.out.values():
        assert list(ranked) == sorted(ranked, key=lambda kv: (-kv[1], kv[0]))
