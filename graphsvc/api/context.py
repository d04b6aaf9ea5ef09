"""The request context, opaque node IDs and the errors that clients may see."""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import strawberry
from graphql import GraphQLError

from graphsvc.errors import GraphsvcError
from graphsvc.graph.store import GraphStore


class SnapshotSource(Protocol):
    """Where snapshots come from: the current one, and each new one as it is swapped in."""

    @property
    def store(self) -> GraphStore:
        """The current snapshot."""
        ...

    def changes(self) -> AsyncIterator[tuple[GraphStore, GraphStore]]:
        """(old, new) snapshot pairs, one per swap, from now on."""
        ...


@dataclass(slots=True)
class Context:
    """Per request: the snapshot the request started with (a reload never changes it)."""

    store: GraphStore
    request: Any = None
    response: Any = None
    source: SnapshotSource | None = None
    extra: dict[str, Any] = field(default_factory=dict)


Info = strawberry.Info[Context, None]


class PublicError(GraphsvcError):
    """An error whose message is meant for the client (never masked)."""


def is_public(error: GraphQLError) -> bool:
    """Errors of graphsvc's own making, and GraphQL's request errors, are shown as they are."""
    original = error.original_error
    return original is None or isinstance(original, GraphsvcError)


def encode_id(key: str) -> str:
    """The opaque, stable ID of a node key (base64url, no padding).

    >>> encode_id("t:ai")
    'dDphaQ'
    """
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode_id(node_id: str) -> str:
    """The node key inside an ID, or a PublicError saying the ID is malformed."""
    try:
        padded = node_id + "=" * (-len(node_id) % 4)
        key = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
    except (ValueError, binascii.Error, UnicodeError):
        raise PublicError(
            f"malformed ID {node_id[:60]!r}: pass an `id` this API returned"
        ) from None
    if key[:2] not in {"a:", "p:", "t:"}:
        raise PublicError(f"malformed ID {node_id[:60]!r}: pass an `id` this API returned")
    return key
