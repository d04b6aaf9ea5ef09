"""Records and kinds shared by every layer: what an article, provider and topic are.

How nodes are named (key prefixes, IDs, canonical URLs) is ``graphsvc.identity``'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple


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


#: An edge's kind follows from its target's kind: RELATED into articles, PUBLISHED_BY into
#: providers, TAGGED into topics (docs/data-model.md; graph/snapshot.py checks it on writing).
EDGE_KIND_INTO: dict[NodeKind, EdgeKind] = {
    NodeKind.ARTICLE: EdgeKind.RELATED,
    NodeKind.PROVIDER: EdgeKind.PUBLISHED_BY,
    NodeKind.TOPIC: EdgeKind.TAGGED,
}


class Item(NamedTuple):
    """A related item held in memory between reading and building: a named tuple of shared
    strings (``compact``) takes about a tenth of the dict it comes from, and the items of a
    big corpus are most of its memory (100k documents list 3.1M)."""

    url: str
    urls: tuple[str, ...]  # every URL it can be looked up by, its own first
    title: str
    excerpt: str | None
    published_at: str | None  # ISO 8601, UTC
    type: str | None
    quality: int | None
    heat: int | None
    published: bool | None
    provider_domain: str
    provider_name: str | None
    images: tuple[tuple[str, int | None, int | None], ...]


@dataclass(frozen=True, slots=True)
class Document:
    """One document as the graph builder takes it: whatever made it (the Markdown ingest, a
    feed, a test), its canonical URL and normalised fields are already decided."""

    item: Item  # the document's own article fields
    topics: tuple[str, ...] = ()  # topic spellings, trimmed, document order
    related: tuple[Item, ...] = ()  # distinct related items, list order (rank 1 first)
    removed: bool | None = None
    self_related: tuple[int, ...] = ()  # positions of related items naming the article itself
    warnings: tuple[tuple[str, str], ...] = ()  # (reason, kind) noticed while reading it


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
