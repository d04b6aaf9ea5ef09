"""Every contract field through schema.execute_sync, on seeds/ and on the real corpus.

Expected values come from tests/api/api_reference.py (a plain PyYAML reading of the corpus) or from
the hand-worked tests/data/seeds_expected.json, never from graphsvc's own output.
"""

from __future__ import annotations

import functools
import itertools
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from tests.api import paging
from tests.api.api_reference import Reference, read
from tests.support import DATA

ARTICLE_FIELDS = """
  id url title excerpt publishedAt type quality heat published isStub
  provider { id name domain articleCount }
  topics { id name articleCount }
  images { url width height }
"""


@pytest.fixture(scope="module")
def ref(news_dir: Path) -> Reference:
    return read(news_dir)


#: Small pages, so that the lists below span many of them.
walk = functools.partial(paging.walk, first=7)


def test_seeds_stats_and_lists(seeds: Any) -> None:
    want = json.loads((DATA / "seeds_expected.json").read_text())
    data = seeds("{ stats { articles stubs providers topics edges } }")
    assert data["stats"] == {
        k: want[k] for k in ("articles", "stubs", "providers", "topics", "edges")
    }
    topics = walk(
        seeds,
        "query($first:Int,$after:String){ topics(first:$first, after:$after){ totalCount pageInfo{hasNextPage endCursor} edges{ node { name articleCount } } } }",
        ["topics"],
        first=2,
    )
    assert {t["name"]: t["articleCount"] for t in topics} == {
        v["name"]: v["articleCount"] for v in want["topics_detail"].values()
    }
    counts = [t["articleCount"] for t in topics]
    assert counts == sorted(counts, reverse=True)
    providers = walk(
        seeds,
        "query($first:Int,$after:String){ providers(first:$first, after:$after){ totalCount pageInfo{hasNextPage endCursor} edges{ node { domain name articleCount } } } }",
        ["providers"],
        first=3,
    )
    assert {p["domain"]: (p["name"], p["articleCount"]) for p in providers} == {
        d: (v["name"], v["articleCount"]) for d, v in want["providers_detail"].items()
    }
    stubs = seeds(
        "{ articles(filter:{includeStubs:true}, first:100){ edges { node { url isStub } } } }"
    )
    assert sorted(
        n["url"] for n in (e["node"] for e in stubs["articles"]["edges"]) if n["isStub"]
    ) == sorted(want["stub_urls"])


def test_topic_counts_match_the_reference(news: Any, ref: Reference) -> None:
    topics = walk(
        news,
        "query($first:Int,$after:String){ topics(first:$first, after:$after){ totalCount pageInfo{hasNextPage endCursor} edges{ node { name articleCount } } } }",
        ["topics"],
    )
    assert {t["name"].casefold(): t["articleCount"] for t in topics} == {
        k: len(v) for k, v in ref.topic_urls.items()
    }
    one = news(
        '{ topic(name: "  aZuRe ") { name articleCount articles(first: 1) { totalCount } } }'
    )
    assert (
        one["topic"]["articleCount"]
        == one["topic"]["articles"]["totalCount"]
        == len(ref.topic_urls["azure"])
    )


def test_provider_counts_match_the_reference(news: Any, ref: Reference) -> None:
    providers = walk(
        news,
        "query($first:Int,$after:String){ providers(first:$first, after:$after){ totalCount pageInfo{hasNextPage endCursor} edges{ node { domain articleCount } } } }",
        ["providers"],
        first=100,
    )
    counts = {p["domain"]: p["articleCount"] for p in providers}
    for dom, urls in ref.provider_urls.items():
        assert counts[dom] == len(urls), dom
    assert sum(counts.values()) == len(ref.docs)
    one = news(
        '{ provider(domain: "WWW.Microsoft.com") { domain articleCount articles(first: 100, orderBy: PUBLISHED_AT_ASC) { totalCount edges { node { publishedAt } } } } }'
    )
    assert one["provider"]["articles"]["totalCount"] == len(ref.provider_urls["microsoft.com"])
    dates = [e["node"]["publishedAt"] for e in one["provider"]["articles"]["edges"]]
    assert dates == sorted(dates)


ARTICLES = """query($first:Int,$after:String,$filter:ArticleFilter,$order:ArticleOrder){
  articles(filter:$filter, orderBy:$order, first:$first, after:$after){
    totalCount pageInfo{hasNextPage endCursor hasPreviousPage} edges{ cursor node { url publishedAt quality isStub } } } }"""


def test_filters_match_the_reference(news: Any, ref: Reference) -> None:
    ai = walk(news, ARTICLES, ["articles"], filter={"topics": ["ai"]})
    assert [n["url"] for n in ai] == ref.newest_first(ref.topic_urls["ai"])
    both = walk(news, ARTICLES, ["articles"], filter={"topics": ["AI", "Azure"]})
    assert {n["url"] for n in both} == ref.topic_urls["ai"] & ref.topic_urls["azure"]
    provs = walk(
        news,
        ARTICLES,
        ["articles"],
        first=100,
        filter={"providers": ["zdnet.com", "businessinsider.com"]},
    )
    assert {n["url"] for n in provs} == ref.provider_urls["zdnet.com"] | ref.provider_urls[
        "businessinsider.com"
    ]
    after, before = (
        datetime(2021, 1, 1).isoformat() + "+00:00",
        datetime(2021, 3, 1).isoformat() + "+00:00",
    )
    ranged = walk(
        news,
        ARTICLES,
        ["articles"],
        first=100,
        filter={"publishedAfter": after, "publishedBefore": before},
    )
    want = {u for u in ref.docs if (p := ref.published(u)) and after <= p.isoformat() < before}
    assert {n["url"] for n in ranged} == want
    good = walk(
        news, ARTICLES, ["articles"], first=100, filter={"minQuality": 60}, order="QUALITY_DESC"
    )
    want_q = {
        u for u, d in ref.docs.items() if isinstance(d.get("quality"), int) and d["quality"] >= 60
    }
    assert {n["url"] for n in good} == want_q
    qualities = [n["quality"] for n in good]
    assert qualities == sorted(qualities, reverse=True)
    with_stubs = news("{ articles(filter:{includeStubs:true}, first:1){ totalCount } }")
    assert with_stubs["articles"]["totalCount"] == len(ref.docs) + len(ref.stubs)
    unknown = news(
        '{ articles(filter:{topics:["no such topic"]}){ totalCount edges { cursor } } }',
        expect_errors=True,
    )
    assert "no topic named 'no such topic'" in unknown.errors[0].message


def test_article_lookup_and_related(news: Any, ref: Reference) -> None:
    url = max(ref.related_out, key=lambda u: (len(ref.related_in[u]), u))  # a well-linked article
    messy = url.replace("https://", "HTTPS://", 1) + "?utm_source=test#frag"
    data = news(f"query($u:String!){{ article(url:$u){{ {ARTICLE_FIELDS} }} }}", u=messy)["article"]
    assert data["url"] == url and data["isStub"] is False
    doc = ref.docs[url]
    assert data["quality"] == doc.get("quality") and data["type"] == doc.get("type")
    assert data["provider"]["domain"] == next(d for d, us in ref.provider_urls.items() if url in us)
    out = walk(
        news,
        "query($id:ID!,$first:Int,$after:String){ node(id:$id){ ... on Article { related(first:$first, after:$after){ totalCount pageInfo{hasNextPage endCursor} edges{ node { url } } } } } }",
        ["node", "related"],
        id=data["id"],
        first=5,
    )
    assert [n["url"] for n in out] == ref.related_out[url]
    incoming = walk(
        news,
        "query($id:ID!,$first:Int,$after:String){ node(id:$id){ ... on Article { related(direction: IN, first:$first, after:$after){ totalCount pageInfo{hasNextPage endCursor} edges{ node { url } } } } } }",
        ["node", "related"],
        id=data["id"],
        first=5,
    )
    assert {n["url"] for n in incoming} == ref.related_in[url]
    both = news(
        "query($id:ID!){ node(id:$id){ ... on Article { related(direction: BOTH, first: 100){ totalCount } } } }",
        id=data["id"],
    )
    assert both["node"]["related"]["totalCount"] == len(
        set(ref.related_out[url]) | ref.related_in[url]
    )


def test_node_ids_round_trip_and_unknowns_are_null(news: Any) -> None:
    data = news(
        '{ topic(name:"AI"){ id } provider(domain:"zdnet.com"){ id } articles(first:1){ edges { node { id url } } } }'
    )
    for node_id in (
        data["topic"]["id"],
        data["provider"]["id"],
        data["articles"]["edges"][0]["node"]["id"],
    ):
        assert news("query($id:ID!){ node(id:$id){ id } }", id=node_id)["node"]["id"] == node_id
    for bad in ("", "%%%", "dDpub3N1Y2g", "YTpodHRwOi8vbm93aGVyZQ"):
        result = news("query($id:ID!){ node(id:$id){ id } }", expect_errors=True, id=bad)
        assert result.data == {"node": None}
        assert "ID" in result.errors[0].message or "id" in result.errors[0].message
    for query in (
        '{ article(url:"https://nowhere.example/x"){ id } }',
        '{ topic(name:"nope"){ id } }',
        '{ provider(domain:"nope.example"){ id } }',
    ):
        result = news(query, expect_errors=True)
        assert list(result.data.values()) == [None] and result.errors[0].message.startswith("no ")


def test_neighborhood_and_paths(news: Any, news_store: Any, ref: Reference) -> None:
    topic = news('{ topic(name:"Databases"){ id articleCount } }')["topic"]
    sub = news(
        "query($id:ID!){ neighborhood(id:$id, depth:1, edgeKinds:[TAGGED], limit:500){ truncated nodes { id ... on Article { url } } edges { kind source target } } }",
        id=topic["id"],
    )["neighborhood"]
    assert sub["truncated"] is False
    assert sub["nodes"][0]["id"] == topic["id"]
    assert {n["url"] for n in sub["nodes"][1:]} == ref.topic_urls["databases"]
    assert len(sub["edges"]) == topic["articleCount"] and {e["kind"] for e in sub["edges"]} == {
        "TAGGED"
    }
    small = news(
        "query($id:ID!){ neighborhood(id:$id, depth:2, limit:10){ truncated nodes { id } } }",
        id=topic["id"],
    )["neighborhood"]
    assert small["truncated"] is True and len(small["nodes"]) == 10

    # Shortest paths over RELATED only, against NetworkX on a graph built from the reference.
    g = nx.Graph()
    for u, targets in ref.related_out.items():
        g.add_edges_from((u, t) for t in targets)
    urls = sorted(u for u in ref.related_out if u in g)
    pairs = [(urls[0], urls[-1]), (urls[10], urls[500]), (urls[100], urls[900])]
    for a, b in pairs:
        ids = [
            news("query($u:String!){ article(url:$u){ id } }", u=u)["article"]["id"] for u in (a, b)
        ]
        path = news(
            "query($a:ID!,$b:ID!){ shortestPath(from:$a, to:$b, edgeKinds:[RELATED], maxLength:10){ length nodes { ... on Article { url } } edges { kind rank explanation } } }",
            a=ids[0],
            b=ids[1],
        )["shortestPath"]
        expected = nx.shortest_path_length(g, a, b) if nx.has_path(g, a, b) else None
        if expected is None or expected > 10:
            assert path is None
            continue
        assert path["length"] == expected
        hops = [n["url"] for n in path["nodes"]]
        assert hops[0] == a and hops[-1] == b
        for x, y in itertools.pairwise(hops):
            assert g.has_edge(x, y)
        assert all(
            e["kind"] == "RELATED" and e["rank"] >= 1 and "as related" in e["explanation"]
            for e in path["edges"]
        )
        many = news(
            "query($a:ID!,$b:ID!){ shortestPaths(from:$a, to:$b, edgeKinds:[RELATED], maxLength:10, k:3){ length } }",
            a=ids[0],
            b=ids[1],
        )["shortestPaths"]
        assert many[0]["length"] == expected and [p["length"] for p in many] == sorted(
            p["length"] for p in many
        )


def test_search_finds_titles(news: Any) -> None:
    hits = news(
        '{ search(query:"kubernetes", first:10){ score snippet node { __typename ... on Article { title excerpt } ... on Topic { name } } } }'
    )["search"]
    assert len(hits) == 10
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    for hit in hits:
        text = " ".join(str(v) for v in hit["node"].values()).lower()
        assert "kubernetes" in text and "<mark>" in hit["snippet"]
    for odd in ('"unbalanced', "NOT AND OR", "a* (b", "\\x00", "🙂", "NEAR(a b)", ".*[", ""):
        news("query($q:String!){ search(query:$q){ score } }", q=odd)


def test_stats_are_the_worked_example(news: Any) -> None:
    assert news("{ stats { articles stubs providers topics edges } }")["stats"] == {
        "articles": 1368,
        "stubs": 2559,
        "providers": 409,
        "topics": 20,
        "edges": 47792,
    }
