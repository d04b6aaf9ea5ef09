"""GraphQL types about the graph as a whole: subgraphs, paths, search hits, stats, problems."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import strawberry

from graphsvc.api.types import Article, EdgeKind, Node, Provider, Topic, any_node
from graphsvc.graph.store import GraphStore
from graphsvc.graph.traversal import Edge
from graphsvc.identity import encode_id
from graphsvc.model import Problem


@strawberry.type(description="An edge of the graph, in its stored direction.")
class GraphEdge:
    kind: EdgeKind = strawberry.field(description="RELATED, PUBLISHED_BY or TAGGED.")
    source: strawberry.ID = strawberry.field(description="ID of the edge's source node.")
    target: strawberry.ID = strawberry.field(description="ID of the edge's target node.")
    store: strawberry.Private[GraphStore]
    edge: strawberry.Private[Edge]

    @strawberry.field(
        description="For RELATED: the target's 1-based position in the source's related list."
    )
    def rank(self) -> int | None:
        source, target, kind = self.edge
        return self.store.rank(source, target) if kind.value == "RELATED" else None

    @strawberry.field(description="The edge in words, e.g. 'A lists B as related (rank 3)'.")
    def explanation(self) -> str:
        source, target, kind = self.edge
        return explain(self.store, source, target, kind.value, self.rank())


@strawberry.type(description="Nodes and the edges among them.")
class Subgraph:
    nodes: list[Node] = strawberry.field(
        description="The nodes, the centre first, then by distance."
    )
    edges: list[GraphEdge] = strawberry.field(
        description="Edges among the nodes (of the kinds asked for)."
    )
    truncated: bool = strawberry.field(
        description="True when the limit cut the neighbourhood short."
    )


@strawberry.type(description="A path through the graph.")
class Path:
    length: int = strawberry.field(description="Number of edges on the path.")
    nodes: list[Node] = strawberry.field(description="The nodes, from the start to the end.")
    edges: list[GraphEdge] = strawberry.field(description="The edges, one per hop, each explained.")


@strawberry.type(description="A search result.")
class SearchHit:
    score: float = strawberry.field(
        description="Relevance (BM25; titles weigh more than excerpts). Higher is better."
    )
    node: Node = strawberry.field(description="The article, topic or provider found.")
    snippet: str = strawberry.field(
        description="Matched text with the matches in <mark>…</mark>; everything else HTML-escaped."
    )


@strawberry.type(description="Counts of the graph (DATA-MODEL.md).")
class GraphStats:
    articles: int = strawberry.field(
        description="Articles read from documents (stubs not counted)."
    )
    stubs: int = strawberry.field(description="Articles known only from related lists.")
    providers: int = strawberry.field(
        description="Provider nodes, those reached only through stubs included."
    )
    topics: int = strawberry.field(description="Topic nodes.")
    edges: int = strawberry.field(description="All edges of every kind.")
    related_edges: int = strawberry.field(description="RELATED edges.")
    published_by_edges: int = strawberry.field(description="PUBLISHED_BY edges.")
    tagged_edges: int = strawberry.field(description="TAGGED edges.")
    files: int = strawberry.field(description="Document files seen in the corpus folder.")
    rejected: int = strawberry.field(
        description="Files rejected by the ingest (see `ingestProblems`)."
    )
    version: str = strawberry.field(description="Snapshot version: a hash of the corpus content.")
    loaded_at: datetime = strawberry.field(description="When this snapshot was built.")


@strawberry.type(description="A file the ingest rejected, or a warning about one.")
class IngestProblem:
    path: str = strawberry.field(description="Corpus-relative path.")
    line: int | None = strawberry.field(description="Line in the file, where known.")
    reason: str = strawberry.field(description="What is wrong, in words.")
    kind: str = strawberry.field(
        description="`rejected`, or a warning kind such as `url-collision`."
    )


def stats_of(store: GraphStore) -> GraphStats:
    """Stats of a snapshot."""
    c = store.counts
    return GraphStats(
        articles=c.articles,
        stubs=c.stubs,
        providers=c.providers,
        topics=c.topics,
        edges=c.edges,
        related_edges=c.related,
        published_by_edges=c.published_by,
        tagged_edges=c.tagged,
        files=store.report.files,
        rejected=len(store.report.rejected),
        version=store.version,
        loaded_at=store.loaded_at,
    )


def problem_of(problem: Problem) -> IngestProblem:
    """A report entry as a GraphQL object."""
    return IngestProblem(
        path=problem.path, line=problem.line, reason=problem.reason, kind=problem.kind
    )


def graph_edges(store: GraphStore, edges: Iterable[Edge]) -> list[GraphEdge]:
    """Edges; each node's ID is encoded once, and ranks and explanations are worked out only
    when asked for (a neighbourhood has up to 50 times more edges than nodes)."""
    ids: dict[str, strawberry.ID] = {}
    out: list[GraphEdge] = []
    for edge in edges:
        source, target, kind = edge
        source_id = ids.get(source)
        if source_id is None:
            source_id = ids[source] = strawberry.ID(encode_id(source))
        target_id = ids.get(target)
        if target_id is None:
            target_id = ids[target] = strawberry.ID(encode_id(target))
        out.append(
            GraphEdge(
                kind=_EDGE_KINDS[kind._value_],  # the plain attribute behind .value
                source=source_id,
                target=target_id,
                store=store,
                edge=edge,
            )
        )
    return out


_EDGE_KINDS: dict[str, EdgeKind] = {kind.name: kind for kind in EdgeKind}


def explain(store: GraphStore, source: str, target: str, kind: str, rank: int | None) -> str:
    """An edge in words."""
    a = _label(store, source)
    b = _label(store, target)
    if kind == "RELATED":
        return f"{a} lists {b} as related (rank {rank})"
    if kind == "PUBLISHED_BY":
        return f"{a} is published by {b}"
    return f"{a} is tagged {b}"


def _label(store: GraphStore, key: str) -> str:
    node = store.node(key)
    if node is None:
        return key
    title = getattr(node, "title", None) or getattr(node, "name", key)
    return f"“{title}”"


def nodes_of(store: GraphStore, keys: list[str]) -> list[Node]:
    """GraphQL nodes of keys that exist."""
    out: list[Node] = []
    for key in keys:
        node = any_node(store, key)
        if node is not None:
            out.append(node)
    return out


__all__ = [
    "Article",
    "GraphEdge",
    "GraphStats",
    "IngestProblem",
    "Path",
    "Provider",
    "SearchHit",
    "Subgraph",
    "Topic",
]
