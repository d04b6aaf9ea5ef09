"""The request context, opaque node IDs and the errors that clients may see."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

import strawberry
from graphql import GraphQLError

from graphsvc.errors import GraphsvcError
from graphsvc.graph.store import GraphStore
from graphsvc.identity import decode_id as decode_key
from graphsvc.identity import encode_id as encode_id


class SnapshotSource(Protocol):
    """Where snapshots come from: the current one, and each new one as it is swapped in."""

    @property
    def store(self) -> GraphStore:
        """The current snapshot."""
        ...

    def changes(self) -> AsyncIterator[tuple[GraphStore, GraphStore]]:
        """(old, new) snapshot pairs, one per swap, from now on."""
        ...


class Context:
    """Per operation: the snapshot it runs on.

    An HTTP request passes ``store``: the snapshot current when it arrived, kept to the end
    even if a reload swaps another in. A WebSocket connection outlives reloads, so it passes
    only ``source``, and each operation reads the source's current snapshot (operations run
    their synchronous resolvers without yielding to the event loop, so a swap never lands in
    the middle of one).
    """

    __slots__ = ("_store", "extra", "request", "response", "source")

    def __init__(
        self,
        store: GraphStore | None = None,
        request: Any = None,
        response: Any = None,
        source: SnapshotSource | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        if store is None and source is None:
            raise ValueError("a Context needs a store or a source")
        self._store = store
        self.request = request
        self.response = response
        self.source = source
        self.extra = extra if extra is not None else {}

    @property
    def store(self) -> GraphStore:
        """The snapshot this operation runs on."""
        if self._store is not None:
            return self._store
        assert self.source is not None
        return self.source.store


Info = strawberry.Info[Context, None]


class PublicError(GraphsvcError):
    """An error whose message is meant for the client (never masked)."""


def is_public(error: GraphQLError) -> bool:
    """Errors of graphsvc's own making and GraphQL's request errors (syntax, validation,
    variable coercion: anything without a path) are shown as they are; only unexpected
    exceptions in resolvers are masked."""
    original = error.original_error
    return original is None or not error.path or isinstance(original, GraphsvcError | GraphQLError)


def decode_id(node_id: str) -> str:
    """The node key inside an ID, or a PublicError saying the ID is malformed."""
    key = decode_key(node_id)
    if key is None:
        raise PublicError(f"malformed ID {node_id[:60]!r}: pass an `id` this API returned")
    return key
