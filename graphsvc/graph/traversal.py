"""Traversals that follow edges both ways: neighbourhoods, shortest paths, k shortest paths.

Every traversal is bounded (depth, node count, path length) so that no query can walk the whole
graph by accident; the bounds are documented in the README's limits table.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from itertools import islice, pairwise

import networkx as nx

from graphsvc.graph.queries import QueryError
from graphsvc.graph.store import GraphStore
from graphsvc.identity import kind_of
from graphsvc.model import EDGE_KIND_INTO, EdgeKind, NodeKind

MAX_DEPTH = 3
MAX_NODES = 500
MAX_PATH_LENGTH = 10
MAX_PATHS = 5

Edge = tuple[str, str, EdgeKind]


@dataclass(frozen=True, slots=True)
class Subgraph:
    """Nodes (centre first, then by distance) and the edges among them."""

    nodes: list[str]
    edges: list[Edge]
    truncated: bool


def _kinds(edge_kinds: Collection[EdgeKind] | None) -> frozenset[str]:
    return frozenset(k.value for k in (edge_kinds or EdgeKind))


def iter_neighbors(store: GraphStore, key: str, kinds: frozenset[str]) -> Iterator[str]:
    """Neighbours over edges of these kinds, out-edges first (in rank order), then in-edges."""
    graph = store.graph
    for target, data in graph.succ[key].items():
        if data["kind"] in kinds:
            yield target
    for source, data in graph.pred[key].items():
        if data["kind"] in kinds:
            yield source


def neighborhood(
    store: GraphStore,
    key: str,
    depth: int = 1,
    edge_kinds: Collection[EdgeKind] | None = None,
    limit: int = 100,
) -> Subgraph:
    """Nodes within ``depth`` hops of ``key`` (both directions), at most ``limit`` of them."""
    if depth < 0 or depth > MAX_DEPTH:
        raise QueryError(f"`depth` must be 0..{MAX_DEPTH} (got {depth})")
    if limit < 1 or limit > MAX_NODES:
        raise QueryError(f"`limit` must be 1..{MAX_NODES} (got {limit})")
    kinds = _kinds(edge_kinds)
    seen = {key: 0}
    order = [key]
    truncated = False
    frontier = [key]
    for distance in range(1, depth + 1):
        next_frontier: list[str] = []
        for node in frontier:
            for neighbor in iter_neighbors(store, node, kinds):
                if neighbor in seen:
                    continue
                if len(order) >= limit:
                    truncated = True
                    break
                seen[neighbor] = distance
                order.append(neighbor)
                next_frontier.append(neighbor)
            if truncated:
                break
        if truncated or not next_frontier:
            break
        frontier = next_frontier
    return Subgraph(order, induced_edges(store, order, kinds), truncated)


def induced_edges(store: GraphStore, nodes: list[str], kinds: frozenset[str]) -> list[Edge]:
    """Edges of these kinds between the given nodes."""
    members = set(nodes)
    edges: list[Edge] = []
    for source in nodes:
        for target, data in store.graph.succ[source].items():
            if target in members and data["kind"] in kinds:
                edges.append((source, target, EdgeKind(data["kind"])))
    return edges


def shortest_path(
    store: GraphStore,
    source: str,
    target: str,
    edge_kinds: Collection[EdgeKind] | None = None,
    max_length: int = 6,
) -> list[str] | None:
    """A shortest path (edges followed both ways) of at most ``max_length`` edges, or None.

    A bidirectional breadth-first search: it grows the smaller frontier and stops as soon as
    the two meet or their depths add up to ``max_length``.
    """
    _check_length(max_length)
    if source == target:
        return [source]
    kinds = _kinds(edge_kinds)
    parents: tuple[dict[str, str | None], dict[str, str | None]] = ({source: None}, {target: None})
    frontiers = ([source], [target])
    depths = [0, 0]
    while frontiers[0] and frontiers[1] and depths[0] + depths[1] < max_length:
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        mine, theirs = parents[side], parents[1 - side]
        next_frontier: list[str] = []
        for node in frontiers[side]:
            for neighbor in iter_neighbors(store, node, kinds):
                if neighbor in mine:
                    continue
                mine[neighbor] = node
                if neighbor in theirs:
                    return _join(parents, neighbor)
                next_frontier.append(neighbor)
        depths[side] += 1
        frontiers = (next_frontier, frontiers[1]) if side == 0 else (frontiers[0], next_frontier)
    return None


def _join(parents: tuple[dict[str, str | None], dict[str, str | None]], meet: str) -> list[str]:
    path: list[str] = []
    node: str | None = meet
    while node is not None:
        path.append(node)
        node = parents[0][node]
    path.reverse()
    node = parents[1][meet]
    while node is not None:
        path.append(node)
        node = parents[1][node]
    return path


def shortest_paths(
    store: GraphStore,
    source: str,
    target: str,
    edge_kinds: Collection[EdgeKind] | None = None,
    max_length: int = 6,
    k: int = 3,
) -> list[list[str]]:
    """Up to ``k`` shortest simple paths (Yen's algorithm via NetworkX), each within bounds."""
    _check_length(max_length)
    if k < 1 or k > MAX_PATHS:
        raise QueryError(f"`k` must be 1..{MAX_PATHS} (got {k})")
    if shortest_path(store, source, target, edge_kinds, max_length) is None:
        return []
    kinds = _kinds(edge_kinds)
    # NetworkX asks about existing edges, target last, and an edge's kind follows from its
    # target's kind: no lookup of the edge itself (on a mapped graph that was most of the cost)
    into = {node: EDGE_KIND_INTO[node].value in kinds for node in NodeKind}
    view = nx.subgraph_view(store.graph, filter_edge=lambda _u, v: into[kind_of(v)]).to_undirected(
        as_view=True
    )
    paths = nx.shortest_simple_paths(view, source, target)
    return [p for p in islice(paths, k) if len(p) - 1 <= max_length]


def path_edges(store: GraphStore, path: list[str]) -> list[Edge]:
    """The edges along a path, each in its stored direction."""
    edges: list[Edge] = []
    for a, b in pairwise(path):
        if store.graph.has_edge(a, b):
            edges.append((a, b, store.edge_kind(a, b)))
        else:
            edges.append((b, a, store.edge_kind(b, a)))
    return edges


def _check_length(max_length: int) -> None:
    if max_length < 1 or max_length > MAX_PATH_LENGTH:
        raise QueryError(f"`maxLength` must be 1..{MAX_PATH_LENGTH} (got {max_length})")


#: Deepest neighbourhood an export takes around its seed (a file, not a page: deeper than
#: MAX_DEPTH). The export route and the API's ``exportUrl`` both check it here.
MAX_SEED_DEPTH = 10
DEFAULT_SEED_DEPTH = 1


def seed_hops(depth: int | None, seeded: bool) -> int:
    """The hops an export takes around its seed: ``depth``, DEFAULT_SEED_DEPTH when None. A
    QueryError for a depth without a seed or outside 0..MAX_SEED_DEPTH."""
    if depth is not None and not seeded:
        raise QueryError("`depth` needs a `seed`: the node to count hops from")
    hops = DEFAULT_SEED_DEPTH if depth is None else depth
    if not 0 <= hops <= MAX_SEED_DEPTH:
        raise QueryError(f"`depth` must be 0..{MAX_SEED_DEPTH} (got {hops})")
    return hops
