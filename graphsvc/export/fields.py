"""What an exported node and edge carry: one attribute schema that every format writes.

Values are native (lists, dicts) for the JSON formats and flattened for XML and CSV: ``tags``
fields joined with ``|``, ``json`` fields as JSON text. A missing value (None) is left out, in
every format, so "absent" always means "unknown". Times are ISO 8601 in UTC with a ``Z``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

import orjson

from graphsvc.graph.store import GraphStore
from graphsvc.identity import key_value, kind_of
from graphsvc.model import Article, EdgeKind, NodeKind, Provider, Topic

FieldType = Literal["string", "int", "boolean", "datetime", "tags", "json"]

#: Separator of ``tags`` values once flattened (topic names never contain it in practice).
TAG_SEPARATOR = "|"


@dataclass(frozen=True, slots=True)
class Field:
    """One exported attribute: its name and value type."""

    name: str
    type: FieldType
    description: str


_KIND = Field("kind", "string", "article, provider or topic")
_LABEL = Field("label", "string", "title of an article, name of a provider or topic")
_NAME = Field("name", "string", "display name")
_COUNT = Field("articleCount", "int", "full articles only")

ARTICLE_FIELDS: tuple[Field, ...] = (
    _KIND,
    _LABEL,
    Field("url", "string", "canonical URL (the node's identity)"),
    Field("title", "string", "cleaned title"),
    Field("excerpt", "string", "cleaned excerpt"),
    Field("publishedAt", "datetime", "publication time, UTC"),
    Field("type", "string", "article or video, as the document says"),
    Field("quality", "int", "the document's quality score"),
    Field("heat", "int", "the document's heat score"),
    Field("published", "boolean", "the document's published flag"),
    Field("removed", "boolean", "the document's removed flag"),
    Field("isStub", "boolean", "true when only known from another article's related list"),
    Field("provider", "string", "provider domain"),
    Field("topics", "tags", "topic names"),
    Field("images", "json", "images as [{url, width, height}]"),
    Field("sources", "json", "corpus-relative paths of the documents"),
    Field("urls", "json", "every canonical URL the article was seen under"),
)
PROVIDER_FIELDS: tuple[Field, ...] = (
    _KIND,
    _LABEL,
    Field("domain", "string", "normalised domain (the node's identity)"),
    _NAME,
    _COUNT,
)
TOPIC_FIELDS: tuple[Field, ...] = (_KIND, _LABEL, _NAME, _COUNT)

FIELDS_BY_KIND: Mapping[NodeKind, tuple[Field, ...]] = {
    NodeKind.ARTICLE: ARTICLE_FIELDS,
    NodeKind.PROVIDER: PROVIDER_FIELDS,
    NodeKind.TOPIC: TOPIC_FIELDS,
}


def _union(*groups: tuple[Field, ...]) -> tuple[Field, ...]:
    seen: dict[str, Field] = {}
    for group in groups:
        for f in group:
            seen.setdefault(f.name, f)
    return tuple(seen.values())


#: Every node attribute, for formats that declare one schema for all nodes (GraphML, GEXF).
NODE_FIELDS = _union(ARTICLE_FIELDS, PROVIDER_FIELDS, TOPIC_FIELDS)
EDGE_FIELDS: tuple[Field, ...] = (
    Field("kind", "string", "RELATED, PUBLISHED_BY or TAGGED"),
    Field("rank", "int", "RELATED only: 1-based position in the source's related list"),
)
FIELD_TYPES: Mapping[str, FieldType] = {f.name: f.type for f in NODE_FIELDS}

EDGE_KINDS: Mapping[str, EdgeKind] = {k.value: k for k in EdgeKind}


def iso_time(value: datetime) -> str:
    """ISO 8601 in UTC with ``Z``.

    >>> from datetime import UTC
    >>> iso_time(datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC))
    '2021-03-04T05:06:07Z'
    """
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def article_values(store: GraphStore, article: Article) -> dict[str, Any]:
    """An article's attributes, native values, None left out."""
    values: dict[str, Any] = {
        "kind": "article",
        "label": article.title,
        "url": article.url,
        "title": article.title,
        "excerpt": article.excerpt,
        "publishedAt": iso_time(article.published_at) if article.published_at else None,
        "type": article.type,
        "quality": article.quality,
        "heat": article.heat,
        "published": article.published,
        "removed": article.removed,
        "isStub": article.is_stub,
        "provider": key_value(article.provider),
        "topics": [store.topics[t].name for t in article.topics] if article.topics else None,
        "images": [_image(i.url, i.width, i.height) for i in article.images] or None,
        "sources": list(article.sources) or None,
        "urls": list(article.urls) or None,
    }
    return {k: v for k, v in values.items() if v is not None}


def _image(url: str, width: int | None, height: int | None) -> dict[str, Any]:
    image: dict[str, Any] = {"url": url}
    if width is not None:
        image["width"] = width
    if height is not None:
        image["height"] = height
    return image


def provider_values(provider: Provider) -> dict[str, Any]:
    """A provider's attributes."""
    return {
        "kind": "provider",
        "label": provider.name,
        "domain": provider.domain,
        "name": provider.name,
        "articleCount": provider.article_count,
    }


def topic_values(topic: Topic) -> dict[str, Any]:
    """A topic's attributes."""
    return {
        "kind": "topic",
        "label": topic.name,
        "name": topic.name,
        "articleCount": topic.article_count,
    }


def edge_values(edge: tuple[str, str, EdgeKind, int | None]) -> dict[str, Any]:
    """An edge's JSON values: source, target, kind, and its rank where it has one (RELATED)."""
    source, target, kind, rank = edge
    values: dict[str, Any] = {"source": source, "target": target, "kind": kind.value}
    if rank is not None:
        values["rank"] = rank
    return values


def node_values(store: GraphStore, key: str) -> dict[str, Any]:
    """The attributes of any node key, native values, None left out."""
    kind = kind_of(key)
    if kind is NodeKind.ARTICLE:
        return article_values(store, store.articles[key])
    if kind is NodeKind.PROVIDER:
        return provider_values(store.providers[key])
    return topic_values(store.topics[key])


def flat(field_type: FieldType, value: Any) -> str | int | bool:
    """A value flattened for XML and CSV: tags joined, JSON fields as JSON text.

    >>> flat("tags", ["AI", "Azure"]), flat("json", [{"url": "u"}]), flat("int", 3)
    ('AI|Azure', '[{"url":"u"}]', 3)
    """
    if field_type == "tags":
        return TAG_SEPARATOR.join(value)
    if field_type == "json":
        return orjson.dumps(value).decode()
    return cast(str | int | bool, value)


def flat_text(field_type: FieldType, value: Any) -> str:
    """A flattened value as text: booleans as ``true``/``false``, numbers in decimal.

    >>> flat_text("boolean", False), flat_text("int", 7), flat_text("tags", ["a", "b"])
    ('false', '7', 'a|b')
    """
    if field_type == "boolean":
        return "true" if value else "false"
    if field_type == "int":
        return str(value)
    return str(flat(field_type, value))
