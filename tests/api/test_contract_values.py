"""The value of every contract field, for every node, through schema.execute_sync.

On seeds/ and on ../shared/corpus/news. The expected values come from api_reference.values():
the raw files read with PyYAML and the rules of docs/data-model.md applied in the test, sharing no code
with graphsvc. Where a rule leaves a choice, the reference follows what the project documents
(the same file, the served schema's descriptions): provider names counted over the
winning documents and their related items, topics in document order, ties in orders by URL.

Connections are paged with first ≤ 100; lookups are batched with aliases.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pytest

from tests.api.api_reference import Edge, NodeId, Values, answered_article, expected_article, values
from tests.api.paging import walk
from tests.support import SEEDS

ORDERS = ("PUBLISHED_AT_DESC", "PUBLISHED_AT_ASC", "QUALITY_DESC")
MAX_ALIASES = 30  # the service's alias limit
ARTICLE_FIELDS = """id url title excerpt publishedAt type quality heat published isStub
  provider { id name domain articleCount }
  topics { id name articleCount }
  images { url width height }"""
ALL_ARTICLES = f"""query($first: Int, $after: String) {{
  articles(filter: {{includeStubs: true}}, first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
    edges {{ cursor node {{ {ARTICLE_FIELDS} }} }} }} }}"""
ARTICLE_IDS = """query($first: Int, $after: String) {
  articles(filter: {includeStubs: true}, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id url } } } }"""
TOPICS = """query($first: Int, $after: String) { topics(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id name articleCount } } } }"""
PROVIDERS = """query($first: Int, $after: String) { providers(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id name domain articleCount } } } }"""
PAGE = "totalCount pageInfo { hasNextPage endCursor } edges { node { url } }"


@dataclass
class Case:
    """One corpus: its in-process runner, its reference values and every node's ID."""

    name: str
    run: Any = field(repr=False)
    want: Values = field(repr=False)  # big: kept out of failure reports
    ids: dict[str, NodeId] = field(repr=False)  # GraphQL ID -> reference node
    graphs: dict[frozenset[str] | None, nx.Graph] = field(default_factory=dict, repr=False)
    _id_of: dict[NodeId, str] = field(default_factory=dict, repr=False)

    def id_of(self, node: NodeId) -> str:
        if not self._id_of:
            self._id_of.update((n, i) for i, n in self.ids.items())
        return self._id_of[node]

    def graph(self, kinds: set[str] | None) -> nx.Graph:
        """The reference graph over edges of ``kinds`` (all when None), undirected."""
        key = None if kinds is None else frozenset(kinds)
        if key not in self.graphs:
            g = nx.Graph()
            g.add_edges_from(e[1:] for e in self.want.edges if key is None or e[0] in key)
            self.graphs[key] = g
        return self.graphs[key]


def disputed(want: Values) -> set[str]:
    """Stubs whose fields depend on the reading of the stub rule: a repeat in the same list
    (see test_stub_fields_come_from_the_latest_item below)."""
    return {u for u, a in want.stub_first_mention.items() if a != want.articles[u]}


@pytest.fixture(scope="module", params=["seeds", "news"])
def case(request: pytest.FixtureRequest) -> Case:
    run = request.getfixturevalue(request.param)  # "news" skips where the corpus is absent
    corpus = SEEDS if request.param == "seeds" else request.getfixturevalue("news_dir")
    want = values(corpus)
    ids: dict[str, NodeId] = {}
    for n in walk(run, ARTICLE_IDS, ["articles"]):
        ids[n["id"]] = ("article", n["url"])
    for n in walk(run, TOPICS, ["topics"]):
        ids[n["id"]] = ("topic", n["name"].strip().casefold())
    for n in walk(run, PROVIDERS, ["providers"]):
        ids[n["id"]] = ("provider", n["domain"])
    nodes = {("article", u) for u in want.articles}
    nodes |= {("topic", k) for k in want.topic_names} | {("provider", d) for d in want.providers}
    assert sorted(ids.values()) == sorted(nodes), "IDs are not one per node"
    return Case(request.param, run, want, ids)


def batched(
    run: Any, header: str, selection: str, args: list[dict[str, Any]], size: int = MAX_ALIASES
) -> list[Any]:
    """One aliased root field per argument set, ``size`` to a query: ``header`` declares the
    variables as ``$name_N: Type`` and ``selection`` uses them as ``$name_N``."""
    out: list[Any] = []
    for start in range(0, len(args), size):
        chunk = args[start : start + size]
        decls = ", ".join(
            ", ".join(d.replace("_N", f"_{i}") for d in header.split(", "))
            for i in range(len(chunk))
        )
        body = " ".join(f"a{i}: " + selection.replace("_N", f"_{i}") for i in range(len(chunk)))
        variables = {f"{k}_{i}": v for i, a in enumerate(chunk) for k, v in a.items()}
        data = run(f"query({decls}) {{ {body} }}", **variables)
        out += [data[f"a{i}"] for i in range(len(chunk))]
    return out


def differences(got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    return [f"{k}: got {got.get(k)!r}, want {want[k]!r}" for k in want if got.get(k) != want[k]]


# Articles -------------------------------------------------------------------------------------
def test_every_field_of_every_article(case: Case) -> None:
    """title, excerpt, publishedAt, type, quality, heat, published, isStub, images, provider
    (domain, display name, count), topics (display names, counts), for articles and stubs."""
    want = case.want
    got = walk(case.run, ALL_ARTICLES, ["articles"])
    assert len(got) == len(want.articles) == len({a["id"] for a in got})
    # The default order is newest first, stubs among the rest.
    assert [a["url"] for a in got] == want.article_order(set(want.articles), "PUBLISHED_AT_DESC")
    problems: list[str] = []
    for article in got:
        url = article["url"]
        for problem in differences(answered_article(article), expected_article(want, url)):
            problems.append(f"{url} {problem}")
        assert case.ids[article["provider"]["id"]] == ("provider", article["provider"]["domain"])
        for topic in article["topics"]:
            assert case.ids[topic["id"]] == ("topic", topic["name"].casefold())
    assert not problems, f"{len(problems)} wrong values, e.g.:\n" + "\n".join(problems[:20])


def test_every_article_field_by_url_and_by_id(case: Case) -> None:
    """article(url:) and node(id:) give the same full answer as the list, for a spread of
    articles (all of them on seeds), looked up by a non-canonical spelling of the URL."""
    want = case.want
    urls = sorted(want.articles)
    urls = urls if len(urls) <= 60 else urls[:: len(urls) // 60]
    by_url = batched(
        case.run,
        "$u_N: String!",
        f"article(url: $u_N) {{ {ARTICLE_FIELDS} }}",
        [
            {"u": u.replace("https://", "HTTPS://", 1).replace("http://", "HTTP://", 1) + "#x"}
            for u in urls
        ],
    )
    by_id = batched(
        case.run,
        "$id_N: ID!",
        f"node(id: $id_N) {{ __typename ... on Article {{ {ARTICLE_FIELDS} }} }}",
        [{"id": a["id"]} for a in by_url],
    )
    for url, one, node in zip(urls, by_url, by_id, strict=True):
        assert node == {"__typename": "Article", **one}
        assert case.ids[one["id"]] == ("article", url)
        assert answered_article(one) == expected_article(want, url), url


def test_related_lists(case: Case) -> None:
    """Article.related: OUT in list order, IN and BOTH as sets; for every article on seeds, and
    on a bigger corpus for the longest lists both ways, stubs and a spread of the rest."""
    want, ref = case.want, case.want.ref
    urls = sorted(want.articles)
    if len(urls) > 300:
        longest_out = sorted(urls, key=lambda u: -len(ref.related_out.get(u, [])))[:40]
        longest_in = sorted(urls, key=lambda u: -len(ref.related_in.get(u, ())))[:40]
        urls = sorted({*longest_out, *longest_in, *urls[:: len(urls) // 200]})
    lists = "totalCount edges { node { url } }"
    answers = batched(
        case.run,
        "$u_N: String!",
        f"article(url: $u_N) {{ id url related(first: 100) {{ {lists} }}"
        f" incoming: related(direction: IN, first: 100) {{ {lists} }}"
        " both: related(direction: BOTH, first: 1) { totalCount } }",
        [{"u": u} for u in urls],
        size=MAX_ALIASES // 3,  # each has two aliases of its own
    )
    one = (
        "query($id: ID!, $dir: Direction, $first: Int, $after: String) { node(id: $id) {"
        " ... on Article { related(direction: $dir, first: $first, after: $after) {"
        f" {PAGE} }} }} }} }}"
    )
    for url, article in zip(urls, answers, strict=True):
        assert article["url"] == url
        got = {}
        for alias, direction in (("related", "OUT"), ("incoming", "IN")):
            page = article[alias]
            got[direction] = [e["node"]["url"] for e in page["edges"]]
            if page["totalCount"] > len(got[direction]):
                more = walk(case.run, one, ["node", "related"], id=article["id"], dir=direction)
                got[direction] = [n["url"] for n in more]
        assert got["OUT"] == ref.related_out.get(url, []), url
        assert sorted(got["IN"]) == sorted(ref.related_in.get(url, ())), url
        assert article["both"]["totalCount"] == len(set(got["OUT"]) | set(got["IN"])), url


def test_stub_fields_come_from_the_latest_item(case: Case) -> None:
    """Stubs whose item the literal rule and a first-mention-only reading pick differently
    (on the shared corpus, a stub listed twice in one related list, the repeat dated later:
    graphsvc once dropped the repeat before the stub's fields were chosen)."""
    want = case.want
    urls = sorted(disputed(want))
    if not urls:
        pytest.skip("no disputed stub in this corpus")
    got = batched(
        case.run,
        "$u_N: String!",
        f"article(url: $u_N) {{ {ARTICLE_FIELDS} }}",
        [{"u": u} for u in urls],
    )
    for url, article in zip(urls, got, strict=True):
        assert answered_article(article) == expected_article(want, url), url


# Topics and providers -------------------------------------------------------------------------
def test_topic_and_provider_display_names_and_counts(case: Case) -> None:
    want = case.want
    topics = walk(case.run, TOPICS, ["topics"], first=7)
    assert {t["name"].casefold(): (t["name"], t["articleCount"]) for t in topics} == {
        k: (name, len(want.ref.topic_urls[k])) for k, name in want.topic_names.items()
    }
    counts = [t["articleCount"] for t in topics]
    assert counts == sorted(counts, reverse=True)
    providers = walk(case.run, PROVIDERS, ["providers"])
    assert {p["domain"]: (p["name"], p["articleCount"]) for p in providers} == {
        d: (want.provider_names[d], len(want.ref.provider_urls.get(d, ()))) for d in want.providers
    }
    counts = [p["articleCount"] for p in providers]
    assert counts == sorted(counts, reverse=True)
    # topic(name:) and provider(domain:) find each by any case; node(id:) round-trips.
    by_name = batched(
        case.run,
        "$n_N: String!",
        "topic(name: $n_N) { id name articleCount }",
        [{"n": f" {t['name'].upper()} "} for t in topics],
    )
    assert by_name == topics
    sample = providers if len(providers) <= 60 else providers[:: len(providers) // 60]
    by_domain = batched(
        case.run,
        "$d_N: String!",
        "provider(domain: $d_N) { id name domain articleCount }",
        [{"d": "WWW." + p["domain"].upper()} for p in sample],
    )
    assert by_domain == sample
    nodes = batched(
        case.run,
        "$id_N: ID!",
        "node(id: $id_N) { id ... on Topic { name articleCount } ... on Provider { name domain articleCount } }",
        [{"id": n["id"]} for n in [*topics, *sample]],
    )
    assert nodes == [*topics, *sample]


@pytest.mark.parametrize("order", ORDERS)
def test_topic_articles_in_every_order(case: Case, order: str) -> None:
    want = case.want
    query = """query($name: String!, $order: ArticleOrder, $first: Int, $after: String) {
      topic(name: $name) { articles(first: $first, after: $after, orderBy: $order) { %s } } }"""
    for key, name in want.topic_names.items():
        got = walk(case.run, query % PAGE, ["topic", "articles"], name=name, order=order)
        assert [a["url"] for a in got] == want.article_order(want.ref.topic_urls[key], order), name


@pytest.mark.parametrize("order", ORDERS)
def test_provider_articles_in_every_order(case: Case, order: str) -> None:
    want = case.want
    small = sorted(d for d in want.providers if len(want.ref.provider_urls.get(d, ())) <= 100)
    pages = batched(
        case.run,
        "$d_N: String!, $o_N: ArticleOrder",
        "provider(domain: $d_N) { articles(first: 100, orderBy: $o_N) { totalCount edges { node { url } } } }",
        [{"d": d, "o": order} for d in small],
        size=20,
    )
    for domain, page in zip(small, pages, strict=True):
        urls = want.ref.provider_urls.get(domain, set())
        assert page["articles"]["totalCount"] == len(urls), domain
        assert [e["node"]["url"] for e in page["articles"]["edges"]] == want.article_order(
            urls, order
        ), domain
    query = """query($d: String!, $order: ArticleOrder, $first: Int, $after: String) {
      provider(domain: $d) { articles(first: $first, after: $after, orderBy: $order) { %s } } }"""
    for domain in sorted(want.providers - set(small)):
        got = walk(case.run, query % PAGE, ["provider", "articles"], d=domain, order=order)
        urls = want.ref.provider_urls[domain]
        assert [a["url"] for a in got] == want.article_order(urls, order), domain


# Edges: kind, source, target ------------------------------------------------------------------
NEIGHBOURHOOD = (
    "neighborhood(id: $id_N, depth: 1, edgeKinds: $k_N, limit: $l_N)"
    " { truncated nodes { id } edges { kind source target } }"
)
NEIGHBOURHOOD_VARS = "$id_N: ID!, $k_N: [EdgeKind!], $l_N: Int"


def check_neighbourhood(
    case: Case, centre: NodeId, kinds: set[str] | None, got: dict[str, Any], limit: int
) -> None:
    want = case.want
    nodes = [case.ids[n["id"]] for n in got["nodes"]]
    expected = {centre} | want.neighbours(centre, kinds)
    assert nodes[0] == centre and len(set(nodes)) == len(nodes)
    if got["truncated"]:
        assert len(nodes) == limit < len(expected) and set(nodes) <= expected, centre
    else:
        assert set(nodes) == expected, centre
    edges: list[Edge] = [
        (e["kind"], case.ids[e["source"]], case.ids[e["target"]]) for e in got["edges"]
    ]
    assert len(set(edges)) == len(edges), centre
    inside = set(nodes)
    for edge in edges:  # each edge is a reference edge, source and target the right way round
        assert edge in want.edges, (centre, edge)
        assert kinds is None or edge[0] in kinds
        assert edge[1] in inside and edge[2] in inside
    for edge in want.incident(centre):  # every edge of the centre to a returned node is there
        if (kinds is None or edge[0] in kinds) and set(edge[1:]) <= inside:
            assert edge in edges, (centre, edge)


def test_neighbourhood_edges_by_kind(case: Case) -> None:
    """Every provider over PUBLISHED_BY, every topic over TAGGED, articles over RELATED (all
    on seeds; else the best-linked and a spread, as each answer holds every RELATED edge among
    the neighbours): the nodes, and each GraphEdge's kind, source and target."""
    want = case.want
    jobs: list[tuple[NodeId, str, int]] = []
    jobs += [(("provider", d), "PUBLISHED_BY", 500) for d in sorted(want.providers)]
    jobs += [(("topic", k), "TAGGED", 500) for k in sorted(want.topic_names)]
    degree = {u: len(want.neighbours(("article", u), {"RELATED"})) for u in want.articles}
    urls = sorted(want.articles)
    if len(urls) > 150:
        urls = sorted({*sorted(urls, key=lambda u: -degree[u])[:10], *urls[:: len(urls) // 100]})
    limit = min(500, max(degree[u] for u in urls) + 1)
    jobs += [(("article", u), "RELATED", limit) for u in urls]
    by_limit = defaultdict(list)
    for job in jobs:
        by_limit[job[2]].append(job)
    for limit, group in by_limit.items():
        answers = batched(
            case.run,
            NEIGHBOURHOOD_VARS,
            NEIGHBOURHOOD,
            [{"id": case.id_of(c), "k": [k], "l": limit} for c, k, _ in group],
            size=max(1, min(MAX_ALIASES, 6_000 // limit)),  # cost ~7 per node of limit
        )
        for (centre, kind, _), got in zip(group, answers, strict=True):
            check_neighbourhood(case, centre, {kind}, got, limit)


def test_neighbourhood_of_every_kind_unfiltered(case: Case) -> None:
    want = case.want
    centres: list[NodeId] = [("topic", k) for k in sorted(want.topic_names)]
    centres += [("provider", d) for d in sorted(want.providers)]
    centres += [("article", u) for u in sorted(want.articles)]
    if len(centres) > 90:
        centres = centres[:5] + centres[5 :: len(centres) // 80]
    answers = batched(
        case.run,
        NEIGHBOURHOOD_VARS,
        NEIGHBOURHOOD,
        [{"id": case.id_of(c), "k": None, "l": 500} for c in centres],
        size=4,
    )
    for centre, got in zip(centres, answers, strict=True):
        check_neighbourhood(case, centre, None, got, 500)


PATH = (
    "shortestPath(from: $a_N, to: $b_N, edgeKinds: $k_N, maxLength: 10)"
    " { length nodes { id } edges { kind source target } }"
)
PATH_VARS = "$a_N: ID!, $b_N: ID!, $k_N: [EdgeKind!]"


def check_path(case: Case, a: NodeId, b: NodeId, kinds: set[str] | None, got: Any) -> None:
    g = case.graph(kinds)
    if (
        a not in g
        or b not in g
        or not nx.has_path(g, a, b)
        or nx.shortest_path_length(g, a, b) > 10
    ):
        assert got is None, (a, b)
        return
    assert got is not None and got["length"] == nx.shortest_path_length(g, a, b), (a, b)
    hops = [case.ids[n["id"]] for n in got["nodes"]]
    assert hops[0] == a and hops[-1] == b and len(hops) == got["length"] + 1
    assert len(got["edges"]) == got["length"]
    for (x, y), e in zip(itertools.pairwise(hops), got["edges"], strict=True):
        edge = (e["kind"], case.ids[e["source"]], case.ids[e["target"]])
        assert edge in case.want.edges and {edge[1], edge[2]} == {x, y}, (a, b, edge)
        assert kinds is None or edge[0] in kinds


def test_paths_over_published_by_and_tagged(case: Case) -> None:
    """PUBLISHED_BY alone links two articles only through their shared provider (article →
    provider both times); TAGGED alone only through a shared topic."""
    want = case.want
    by_provider: dict[str, list[str]] = defaultdict(list)
    for url in sorted(want.articles):
        by_provider[want.articles[url]["provider"]].append(url)
    jobs: list[tuple[NodeId, NodeId, str]] = []
    for urls in by_provider.values():
        if len(urls) >= 2:
            jobs.append((("article", urls[0]), ("article", urls[-1]), "PUBLISHED_BY"))
    one, two = sorted(by_provider)[:2]  # two providers: no PUBLISHED_BY-only path
    unlinked = [
        (("article", by_provider[one][0]), ("article", by_provider[two][0]), "PUBLISHED_BY")
    ]
    for key in sorted(want.ref.topic_urls):
        urls = sorted(want.ref.topic_urls[key])
        if len(urls) >= 2:
            jobs.append((("article", urls[0]), ("article", urls[-1]), "TAGGED"))
    stub = sorted(u for u, a in want.articles.items() if a["isStub"])[0]  # stubs have no topic
    unlinked.append((("article", stub), ("article", sorted(want.ref.docs)[0]), "TAGGED"))
    jobs += unlinked
    answers = batched(
        case.run,
        PATH_VARS,
        PATH,
        [{"a": case.id_of(a), "b": case.id_of(b), "k": [k]} for a, b, k in jobs],
    )
    for (a, b, kind), got in zip(jobs, answers, strict=True):
        check_path(case, a, b, {kind}, got)
        if got is not None and kind == "PUBLISHED_BY":
            assert got["length"] == 2
            assert [case.ids[e["source"]] for e in got["edges"]] == [a, b]
    assert answers[-len(unlinked) :] == [None] * len(unlinked)


def test_paths_over_related_and_over_everything(case: Case) -> None:
    want = case.want
    urls = sorted(want.articles)
    step = max(1, len(urls) // 25)
    pairs = list(zip(urls[::step], urls[max(1, step // 2) :: step], strict=False))[:25]
    jobs: list[tuple[NodeId, NodeId, list[str] | None]] = [
        (("article", a), ("article", b), ["RELATED"]) for a, b in pairs
    ]
    jobs += [(("article", a), ("article", b), None) for a, b in pairs[:10]]
    topics, providers = sorted(want.topic_names), sorted(want.providers)
    jobs += [(("topic", t), ("provider", p), None) for t, p in zip(topics, providers, strict=False)]
    answers = batched(
        case.run,
        PATH_VARS,
        PATH,
        [{"a": case.id_of(a), "b": case.id_of(b), "k": k} for a, b, k in jobs],
        size=10,
    )
    for (a, b, kinds), got in zip(jobs, answers, strict=True):
        check_path(case, a, b, set(kinds) if kinds else None, got)
