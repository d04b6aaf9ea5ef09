"""Co-occurrence in GraphQL: what appears with a topic or a provider, and the graph of the most
frequent ones."""

from __future__ import annotations

from enum import Enum

import strawberry

from graphsvc.api import arguments as doc
from graphsvc.api.analytics.common import check_first, node_of
from graphsvc.api.context import PublicError, encode_id
from graphsvc.api.types import Node
from graphsvc.graph import queries
from graphsvc.graph.analytics import cooccurrence
from graphsvc.graph.store import GraphStore


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
        cooccurrence.CoMeasure(doc.name_or(measure, doc.DEFAULT_COOCCURRENCE_MEASURE)),
        check_first(first, doc.DEFAULT_TOP),
        doc.DEFAULT_MIN_COUNT if min_count is None else min_count,
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
        cooccurrence.CoMeasure(doc.name_or(measure, doc.DEFAULT_COOCCURRENCE_MEASURE)),
        check_first(first, doc.DEFAULT_GRAPH_NODES),
        min_weight,
        doc.DEFAULT_MIN_COUNT if min_count is None else min_count,
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
