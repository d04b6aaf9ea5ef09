"""Records and kinds shared by every layer: what an article, provider and topic are.

Node keys are plain strings with a kind prefix (``a:`` article URL, ``p:`` provider domain,
``t:`` folded topic name), so that one NetworkX graph can hold every kind without clashes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class NodeKind(StrEnum):
    """The three kinds of node in the graph."""

    ARTICLE = "article"
    PROVIDER = "provider"
    TOPIC = "topic"


class EdgeKind(StrEnum):
    """The three kinds of edge in the graph."""

    RELATED = "RELATED"
    PUBLISHED_BY = "PUBLISHED_BY"
    TAGGED = "TAGGED"


_PREFIX = {NodeKind.ARTICLE: "a:", NodeKind.PROVIDER: "p:", NodeKind.TOPIC: "t:"}
_KIND_OF_PREFIX = {prefix: kind for kind, prefix in _PREFIX.items()}


def article_key(url: str) -> str:
    """Node key of the article with this canonical URL."""
    return "a:" + url


def provider_key(domain: str) -> str:
    """Node key of the provider with this normalised domain."""
    return "p:" + domain


def topic_key(folded: str) -> str:
    """Node key of the topic with this trimmed, case-folded name."""
    return "t:" + folded


def kind_of(key: str) -> NodeKind:
    """The kind of a node key.

    >>> kind_of("t:ai")
    <NodeKind.TOPIC: 'topic'>
    """
    try:
        return _KIND_OF_PREFIX[key[:2]]
    except KeyError:
        raise ValueError(f"not a node key: {key!r}") from None


@dataclass(frozen=True, slots=True)
class Image:
    """An image of an article."""

    url: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """An article node: a full article read from a document, or a stub from a related list."""

    key: str
    url: str
    title: str
    excerpt: str | None
    published_at: datetime | None
    type: str | None
    quality: int | None
    heat: int | None
    published: bool | None
    removed: bool | None
    is_stub: bool
    provider: str  # provider node key
    topics: tuple[str, ...] = ()  # topic node keys, document order
    images: tuple[Image, ...] = ()
    sources: tuple[str, ...] = ()  # corpus-relative paths of the documents (empty for stubs)
    urls: tuple[str, ...] = ()  # every canonical URL the article was seen under


@dataclass(frozen=True, slots=True)
class Provider:
    """A provider (publisher) node."""

    key: str
    domain: str
    name: str
    article_count: int  # full articles only


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic node."""

    key: str
    name: str
    article_count: int  # full articles only


@dataclass(frozen=True, slots=True)
class Problem:
    """A rejected file or a warning, with its corpus-relative path and line where known."""

    path: str
    reason: str
    line: int | None = None
    kind: str = "rejected"  # "rejected" or a warning category

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready form; ``line`` only where known."""
        out: dict[str, object] = {"path": self.path, "reason": self.reason}
        if self.line is not None:
            out["line"] = self.line
        if self.kind != "rejected":
            out["kind"] = self.kind
        return out


@dataclass(slots=True)
class IngestReport:
    """What one ingest saw: counts, rejected files and warnings. Every file is accounted for."""

    files: int = 0
    parsed: int = 0  # files parsed this run (the rest came from the cache)
    cached: int = 0
    ignored: list[str] = field(default_factory=list)  # paths skipped by extension or links
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
