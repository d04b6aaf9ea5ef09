"""Helpers shared by the analytics resolvers: client errors, page sizes, nodes of keys."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from graphsvc.api.context import PublicError
from graphsvc.api.types import Node, any_node
from graphsvc.graph import queries
from graphsvc.graph.queries import QueryError
from graphsvc.graph.store import GraphStore


@contextmanager
def public_errors() -> Iterator[None]:
    """Graph errors about arguments reach the client as they are."""
    try:
        yield
    except QueryError as exc:
        raise PublicError(str(exc)) from None


def check_first(first: int | None, default: int) -> int:
    """``first`` (or its default), checked against the page limit."""
    first = default if first is None else first
    with public_errors():
        queries.check_first(first)
    return first


def node_of(store: GraphStore, key: str) -> Node:
    """The GraphQL node of a key that the graph layer returned (so it exists)."""
    node = any_node(store, key)
    assert node is not None, key
    return node
