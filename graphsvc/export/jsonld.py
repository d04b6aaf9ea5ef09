"""JSON-LD with schema.org terms: articles as ``NewsArticle``, providers as ``Organization``,
topics as ``DefinedTerm``.

An article says ``headline``, ``description``, ``datePublished``, ``url``, ``sameAs`` (its other
URLs), ``publisher``, ``about`` (its topics) and ``mentions`` (its related articles, in rank
order; RDF keeps no order). Every node sits in ``@graph`` once and others point at it by
``@id``: an article by its URL, a provider by ``urn:graphsvc:provider:<domain>``, a topic by
``urn:graphsvc:topic:<folded name, percent-encoded>``. ``@context`` is ``https://schema.org``;
``document_loader`` serves a bundled copy of the part of it that we use, so a JSON-LD
processor (pyld) can expand exports with no network.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from graphsvc.export.fields import iso_time
from graphsvc.export.select import Selection
from graphsvc.export.stream import Chunks, Progress, json_items
from graphsvc.graph.store import GraphStore
from graphsvc.identity import key_value, kind_of
from graphsvc.model import Article, NodeKind, Provider, Topic

CONTEXT_URL = "https://schema.org"
SCHEMA = "http://schema.org/"
#: The schema.org context, cut down to what an export uses; the IRIs are schema.org's own.
SCHEMA_ORG_CONTEXT: Mapping[str, Any] = {
    "@vocab": SCHEMA,
    "schema": SCHEMA,
    "id": "@id",
    "type": "@type",
    "url": {"@id": "schema:url", "@type": "@id"},
    "sameAs": {"@id": "schema:sameAs", "@type": "@id"},
}
_CONTEXT_URLS = frozenset(
    {
        "https://schema.org",
        "https://schema.org/",
        "http://schema.org",
        "http://schema.org/",
        "https://schema.org/docs/jsonldcontext.jsonld",
        "http://schema.org/docs/jsonldcontext.jsonld",
    }
)


def document_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A pyld document loader that serves the bundled schema.org context and nothing else
    (pass it as ``{"documentLoader": document_loader}``): expansion stays offline."""
    if url not in _CONTEXT_URLS:
        raise ValueError(f"offline: no document for {url!r} (only the schema.org context)")
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": {"@context": dict(SCHEMA_ORG_CONTEXT)},
    }


def node_id(key: str) -> str:
    """The ``@id`` of a node key.

    >>> node_id("t:machine learning"), node_id("p:bbc.co.uk")
    ('urn:graphsvc:topic:machine%20learning', 'urn:graphsvc:provider:bbc.co.uk')
    """
    kind = kind_of(key)  # a ValueError for anything but a node key
    if kind is NodeKind.ARTICLE:
        return key_value(key)
    return f"urn:graphsvc:{kind.value}:" + quote(key_value(key), safe="")


def article_node(store: GraphStore, article: Article, selection: Selection) -> dict[str, Any]:
    """An article as a ``NewsArticle``, pointing only at selected nodes."""
    members = selection.members
    node: dict[str, Any] = {
        "@type": "NewsArticle",
        "@id": article.url,
        "url": article.url,
        "headline": article.title,
    }
    if article.excerpt is not None:
        node["description"] = article.excerpt
    if article.published_at is not None:
        node["datePublished"] = iso_time(article.published_at)
    others = [u for u in article.urls if u != article.url]
    if others:
        node["sameAs"] = others
    if members is None or article.provider in members:
        node["publisher"] = {"@id": node_id(article.provider)}
    about = [{"@id": node_id(t)} for t in article.topics if members is None or t in members]
    if about:
        node["about"] = about
    mentions = [
        {"@id": key_value(key)}
        for key in store.related_out(article.key)
        if members is None or key in members
    ]
    if mentions:
        node["mentions"] = mentions
    if article.images:
        node["image"] = [image.url for image in article.images]
    return node


def generate_jsonld(selection: Selection, progress: Progress | None = None) -> Iterator[bytes]:
    """The selection as a JSON-LD document (``@graph``), a chunk at a time."""
    store = selection.store
    out = Chunks(progress)
    out.write('{"@context":"' + CONTEXT_URL + '","@graph":[')
    nodes = itertools.chain(
        (article_node(store, store.articles[key], selection) for key in selection.articles),
        (_provider_node(store.providers[key]) for key in selection.providers),
        (_topic_node(store.topics[key]) for key in selection.topics),
    )
    yield from json_items(out, nodes, _weight)
    out.write("]}\n")
    yield out.take()


def _provider_node(provider: Provider) -> dict[str, Any]:
    node = {"@type": "Organization", "@id": node_id(provider.key), "name": provider.name}
    if "." in provider.domain:  # not the "unknown" placeholder of a domainless URL
        node["url"] = f"https://{provider.domain}"
    return node


def _topic_node(topic: Topic) -> dict[str, Any]:
    return {"@type": "DefinedTerm", "@id": node_id(topic.key), "name": topic.name}


def _weight(node: dict[str, Any]) -> int:
    """The node and its edges (mentions, about, publisher), for progress."""
    return 1 + len(node.get("mentions", ())) + len(node.get("about", ())) + ("publisher" in node)
