"""Helpers shared by the analytics resolvers: page sizes, nodes of keys."""

from __future__ import annotations

from graphsvc.api.types import Node, any_node
from graphsvc.graph import queries
from graphsvc.graph.store import GraphStore


def check_first(first: int | None, default: int) -> int:
    """``first`` (or its default), checked against the page limit."""
    first = default if first is None else first
    queries.check_first(first)
    return first


def node_of(store: GraphStore, key: str) -> Node:
    """The GraphQL node of a key that the graph layer returned (so it exists)."""
    node = any_node(store, key)
    assert node is not None, key
    return node
