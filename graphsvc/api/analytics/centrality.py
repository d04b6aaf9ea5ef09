"""Centrality in GraphQL: the most central nodes of a kind, and a node's rank."""

from __future__ import annotations

from enum import Enum

import strawberry

from graphsvc.api import arguments as doc
from graphsvc.api.analytics.common import check_first, node_of
from graphsvc.api.types import Node
from graphsvc.graph.analytics import centrality
from graphsvc.graph.store import GraphStore
from graphsvc.model import NodeKind as ModelNodeKind


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


@strawberry.type(description="A node with its centrality.")
class CentralNode:
    node: Node = strawberry.field(description="The article, provider or topic.")
    score: float = strawberry.field(description="Its score in the measure (12 decimals).")
    rank: int = strawberry.field(description="1-based; equal scores share a rank (1, 2, 2, 4).")


def central(
    store: GraphStore, node_kind: NodeKind, measure: CentralityMeasure | None, first: int | None
) -> list[CentralNode]:
    """The most central nodes of a kind."""
    found = centrality.central(
        store,
        ModelNodeKind(node_kind.name.lower()),
        centrality.Centrality(doc.name_or(measure, doc.DEFAULT_CENTRALITY)),
        check_first(first, doc.DEFAULT_TOP),
    )
    return [CentralNode(node=node_of(store, r.key), score=r.score, rank=r.rank) for r in found]


def rank_of(store: GraphStore, key: str, measure: CentralityMeasure | None) -> int | None:
    """A node's centrality rank among its kind (PageRank unless asked otherwise)."""
    how = centrality.Centrality(doc.name_or(measure, doc.DEFAULT_CENTRALITY))
    found = centrality.rank_of(store, key, how)
    return None if found is None else found.rank
