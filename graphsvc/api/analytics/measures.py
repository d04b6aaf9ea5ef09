"""Co-occurrence, centrality, facets and provider profiles in GraphQL."""

from __future__ import annotations

from enum import Enum

import strawberry

from graphsvc.api.analytics.common import check_first, node_of
from graphsvc.api.context import PublicError
from graphsvc.api.types import ArticleFilter, Node, Provider, Topic, provider_node, topic_node
from graphsvc.graph import queries
from graphsvc.graph.analytics import centrality, cooccurrence, facets, providers
from graphsvc.graph.store import GraphStore
from graphsvc.identity import encode_id
from graphsvc.model import NodeKind as ModelNodeKind


@strawberry.enum(description="What co-occurs.")
class CooccurrenceKind(Enum):
    TOPIC = strawberry.enum_value("TOPIC", description="Topics carried by the same article.")
    PROVIDER = strawberry.enum_value(
        "PROVIDER",
        description="Providers of an article and of the articles it lists as related.",
    )


@strawberry.enum(
    description="Weights of co-occurrence, over N baskets (one per full article): n(x) baskets hold x, n(x,y) hold both."
)
class CooccurrenceMeasure(Enum):
    COUNT = strawberry.enum_value("COUNT", description="n(x,y).")
    JACCARD = strawberry.enum_value("JACCARD", description="n(x,y) / (n(x) + n(y) - n(x,y)).")
    PMI = strawberry.enum_value(
        "PMI", description="Pointwise mutual information in bits: log2(N·n(x,y) / (n(x)·n(y)))."
    )


@strawberry.enum(description="Kinds of node.")
class NodeKind(Enum):
    ARTICLE = strawberry.enum_value(
        "ARTICLE", description="Articles, on the RELATED graph (stubs included)."
    )
    PROVIDER = strawberry.enum_value(
        "PROVIDER",
        description="Providers, on their RELATED links (weighted by how often one's articles list the other's).",
    )
    TOPIC = strawberry.enum_value(
        "TOPIC", description="Topics, on their co-occurrence (weighted by shared articles)."
    )


@strawberry.enum(description="Centrality measures (NetworkX).")
class CentralityMeasure(Enum):
    PAGERANK = strawberry.enum_value("PAGERANK", description="PageRank (damping 0.85).")
    DEGREE = strawberry.enum_value(
        "DEGREE", description="Share of the other nodes linked in either direction."
    )
    BETWEENNESS = strawberry.enum_value(
        "BETWEENNESS",
        description="Share of shortest paths through the node (undirected); sampled from 200 sources with a fixed seed on bigger graphs.",
    )


@strawberry.type(description="A topic with a count and its share of a whole.")
class TopicShare:
    topic: Topic = strawberry.field(description="The topic.")
    count: int = strawberry.field(description="Number of the provider's articles with the topic.")
    share: float = strawberry.field(description="count / the provider's articleCount.")


@strawberry.type(
    description="A provider whose articles another provider's articles list as related."
)
class ProviderShare:
    provider: Provider = strawberry.field(description="The provider listed.")
    count: int = strawberry.field(description="RELATED edges to this provider's articles.")
    share: float = strawberry.field(
        description="count / all RELATED edges from the first provider's articles."
    )


# Co-occurrence -----------------------------------------------------------------------
@strawberry.type(description="A topic or provider that co-occurs with another, and how much.")
class CooccurrenceNeighbour:
    node: Node = strawberry.field(description="The topic or provider.")
    count: int = strawberry.field(description="Baskets holding both.")
    weight: float = strawberry.field(description="The weight in the measure asked for.")


@strawberry.type(description="A node of a co-occurrence graph.")
class CooccurrenceNode:
    node: Node = strawberry.field(description="The topic or provider.")
    count: int = strawberry.field(description="Baskets holding it.")


@strawberry.type(description="A weighted, undirected edge of a co-occurrence graph.")
class CooccurrenceEdge:
    source: strawberry.ID = strawberry.field(description="ID of one node.")
    target: strawberry.ID = strawberry.field(description="ID of the other node.")
    count: int = strawberry.field(description="Baskets holding both.")
    weight: float = strawberry.field(description="The weight in the measure asked for.")


@strawberry.type(description="The most frequent topics or providers and their co-occurrence edges.")
class CooccurrenceGraph:
    nodes: list[CooccurrenceNode] = strawberry.field(
        description="Most frequent first (ties by key)."
    )
    edges: list[CooccurrenceEdge] = strawberry.field(
        description="Heaviest first (ties: higher count)."
    )


def _co_key(store: GraphStore, kind: CooccurrenceKind, name: str) -> str:
    if kind is CooccurrenceKind.TOPIC:
        key = queries.find_topic(store, name)
        if key is None:
            raise PublicError(f"no topic named {name[:200]!r}")
        return key
    key = queries.find_provider(store, name)
    if key is None:
        raise PublicError(f"no provider with domain {name[:200]!r}")
    return key


def neighbours(
    store: GraphStore,
    kind: CooccurrenceKind,
    of: str,
    measure: CooccurrenceMeasure | None,
    first: int | None,
    min_count: int | None,
) -> list[CooccurrenceNeighbour]:
    """What co-occurs with a topic or provider, heaviest first."""
    found = cooccurrence.neighbours(
        store,
        cooccurrence.CoKind(kind.name),
        _co_key(store, kind, of),
        cooccurrence.CoMeasure((measure or CooccurrenceMeasure.COUNT).name),
        check_first(first, 10),
        1 if min_count is None else min_count,
    )
    return [
        CooccurrenceNeighbour(node=node_of(store, w.key), count=w.count, weight=w.weight)
        for w in found
    ]


def cooccurrence_graph(
    store: GraphStore,
    kind: CooccurrenceKind,
    measure: CooccurrenceMeasure | None,
    min_weight: float | None,
    min_count: int | None,
    first: int | None,
) -> CooccurrenceGraph:
    """The most frequent nodes and their weighted edges."""
    found = cooccurrence.cooccurrence_graph(
        store,
        cooccurrence.CoKind(kind.name),
        cooccurrence.CoMeasure((measure or CooccurrenceMeasure.COUNT).name),
        check_first(first, 50),
        min_weight,
        1 if min_count is None else min_count,
    )
    return CooccurrenceGraph(
        nodes=[CooccurrenceNode(node=node_of(store, k), count=n) for k, n in found.nodes],
        edges=[
            CooccurrenceEdge(
                source=strawberry.ID(encode_id(a)),
                target=strawberry.ID(encode_id(b)),
                count=n,
                weight=w,
            )
            for a, b, n, w in found.edges
        ],
    )


# Centrality and facets ---------------------------------------------------------------
@strawberry.type(description="A node with its centrality.")
class CentralNode:
    node: Node = strawberry.field(description="The article, provider or topic.")
    score: float = strawberry.field(description="Its score in the measure (12 decimals).")
    rank: int = strawberry.field(description="1-based; equal scores share a rank (1, 2, 2, 4).")


@strawberry.type(description="A value of a facet with the number of articles that have it.")
class FacetValue:
    value: str | None = strawberry.field(
        description="What to filter on: a topic name, a provider domain, a month `YYYY-MM` (UTC) or a type; null for undated or untyped."
    )
    label: str = strawberry.field(description="Display text.")
    count: int = strawberry.field(description="Articles of the filtered list with this value.")


@strawberry.type(
    description="Counts of a filtered article list by topic, provider, month and type."
)
class Facets:
    total_count: int = strawberry.field(description="Articles that pass the filter.")
    topics: list[FacetValue] = strawberry.field(description="Most articles first (ties by name).")
    providers: list[FacetValue] = strawberry.field(
        description="Most articles first (ties by domain)."
    )
    months: list[FacetValue] = strawberry.field(
        description="Every month with articles, oldest first, undated last."
    )
    types: list[FacetValue] = strawberry.field(description="Most articles first.")


def central(
    store: GraphStore, node_kind: NodeKind, measure: CentralityMeasure | None, first: int | None
) -> list[CentralNode]:
    """The most central nodes of a kind."""
    found = centrality.central(
        store,
        ModelNodeKind(node_kind.name.lower()),
        centrality.Centrality((measure or CentralityMeasure.PAGERANK).name),
        check_first(first, 10),
    )
    return [CentralNode(node=node_of(store, r.key), score=r.score, rank=r.rank) for r in found]


def facets_of(store: GraphStore, flt: ArticleFilter | None, first: int | None) -> Facets:
    """The facets of a filter, each list but months cut to ``first``."""
    n = check_first(first, 20)
    found = facets.facets(store, flt.checked_spec(store) if flt else None)
    return Facets(
        total_count=found.total,
        topics=[
            FacetValue(value=store.topics[k].name, label=store.topics[k].name, count=c)
            for k, c in found.topics[:n]
        ],
        providers=[
            FacetValue(value=store.providers[k].domain, label=store.providers[k].name, count=c)
            for k, c in found.providers[:n]
        ],
        months=[FacetValue(value=m, label=m or "undated", count=c) for m, c in found.months],
        types=[FacetValue(value=t, label=t or "unknown", count=c) for t, c in found.types[:n]],
    )


def rank_of(store: GraphStore, key: str, measure: CentralityMeasure | None) -> int | None:
    """A node's centrality rank among its kind (PageRank unless asked otherwise)."""
    how = centrality.Centrality((measure or CentralityMeasure.PAGERANK).name)
    found = centrality.rank_of(store, key, how)
    return None if found is None else found.rank


def topic_mix(store: GraphStore, provider: str, first: int | None) -> list[TopicShare]:
    """A provider's topics with their shares."""
    return [
        TopicShare(topic=topic_node(store.topics[s.key]), count=s.count, share=s.share)
        for s in providers.topic_mix(store, provider, check_first(first, 10))
    ]


def coverage_overlap(store: GraphStore, provider: str, first: int | None) -> list[ProviderShare]:
    """The providers a provider's articles most often list as related."""
    return [
        ProviderShare(provider=provider_node(store.providers[s.key]), count=s.count, share=s.share)
        for s in providers.coverage_overlap(store, provider, check_first(first, 10))
    ]
