"""Records to graph: merge documents into articles, stubs, providers and topics, by the rules
of docs/data-model.md.

Edges share one attribute dict per kind, and an article's RELATED edges are inserted in rank
order, so the rank is the position in its successor list: about 67 bytes per edge instead of
350 (docs/architecture.md#memory-is-edges).
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from types import MappingProxyType

import networkx as nx

from graphsvc.graph.nxraw import node_dicts, pred_dicts, put_edge, put_node, succ_dicts
from graphsvc.graph.queries import date_desc
from graphsvc.graph.store import GraphStore
from graphsvc.identity import (
    article_key,
    key_value,
    kind_of,
    provider_key,
    topic_key,
)
from graphsvc.model import (
    Article,
    Document,
    EdgeKind,
    Image,
    IngestReport,
    Item,
    NodeKind,
    Problem,
    Provider,
    Topic,
)
from graphsvc.text import clean_text

#: Bump when the rules that merge records into a store change: stores kept by the older rules
#: (graphsvc/corpus.py) are then built again, as RECORD_FORMAT does for the parse cache.
BUILD_RULES = 1

#: The one attribute dict of every node (and edge) of a kind: shared, never mutated.
NODE_ATTRS = {kind: {"kind": kind.value} for kind in NodeKind}
EDGE_ATTRS = {kind: {"kind": kind.value} for kind in EdgeKind}


def _keys_of(graph: nx.DiGraph, kind: NodeKind) -> Iterator[tuple[str, str]]:
    """The keys of the nodes of one kind, with their identity part (domain, folded name)."""
    return ((key, key_value(key)) for key in graph if kind_of(key) is kind)


def build_store(
    records: Iterable[tuple[str, Document]],
    report: IngestReport,
    *,
    version: str = "",
    root: str = "",
    sources: Mapping[str, tuple[int, int]] | None = None,
) -> GraphStore:
    """Merge records (in corpus path order) into a GraphStore snapshot."""
    winners, paths = _pick_winners(records, report)
    full_urls = set(winners)
    stubs: dict[str, tuple[tuple[str, str], Item]] = {}  # URL -> (order, the item it takes)
    names: Counter[tuple[str, str]] = Counter()  # (domain, name) -> mentions
    spellings: Counter[tuple[str, str]] = Counter()  # (folded, spelling) -> mentions
    for path, doc in winners.values():
        for index in doc.self_related:
            report.warnings.append(
                Problem(
                    path,
                    f"related item {index} is the article itself; no edge",
                    None,
                    "self-related",
                )
            )
        own = doc.item
        if own.provider_name:
            names[own.provider_domain, own.provider_name] += 1
        for spelling in doc.topics:
            spellings[spelling.casefold(), spelling] += 1
        for item in doc.related:
            if item.provider_name:
                names[item.provider_domain, item.provider_name] += 1
            if item.url in full_urls:
                continue
            # (published_at or "", document path): the later wins
            order = (item.published_at or "", path)
            best = stubs.get(item.url)
            if best is None or order >= best[0]:
                stubs[item.url] = (order, item)

    # Every node key is made once and that one string is used wherever the node is named
    # (the articles, the graph's nodes and its millions of edges): 3.1M related items at 100k
    # documents each made its own key string before.
    keys = _Keys()
    articles: dict[str, Article] = {}
    for url, (_path, doc) in winners.items():
        article = _article(
            doc.item,
            is_stub=False,
            topics=_topic_keys(doc.topics, keys),
            removed=doc.removed,
            sources=paths[url],
            keys=keys,
        )
        articles[article.key] = article
    for _order, item in stubs.values():
        article = _article(item, is_stub=True, keys=keys)
        articles[article.key] = article
    url_keys = {article.url: key for key, article in articles.items()}

    graph = nx.DiGraph()
    for key in articles:
        put_node(graph, key, NODE_ATTRS[NodeKind.ARTICLE])
    topic_counts: Counter[str] = Counter()
    provider_counts: Counter[str] = Counter()
    topic_members: dict[str, list[str]] = {}
    provider_members: dict[str, list[str]] = {}
    for key, article in articles.items():
        add_node(graph, article.provider, NodeKind.PROVIDER)
        add_edge(graph, key, article.provider, EdgeKind.PUBLISHED_BY)
        if not article.is_stub:
            provider_counts[article.provider] += 1
            provider_members.setdefault(article.provider, []).append(key)
    related = EDGE_ATTRS[EdgeKind.RELATED]
    succs, preds = succ_dicts(graph), pred_dicts(graph)
    for url, (_path, doc) in winners.items():
        key = url_keys[url]
        succ = succs[key]
        for item in doc.related:  # add_edge inlined: this loop is most of the edges
            target = url_keys[item.url]
            succ[target] = related
            preds[target][key] = related
        for tkey in articles[key].topics:
            add_node(graph, tkey, NodeKind.TOPIC)
            add_edge(graph, key, tkey, EdgeKind.TAGGED)
            topic_counts[tkey] += 1
            topic_members.setdefault(tkey, []).append(key)

    provider_names = _most_frequent(names)
    topic_names = _most_frequent(spellings)
    providers = {
        key: Provider(key, domain, provider_names.get(domain, domain), provider_counts[key])
        for key, domain in _keys_of(graph, NodeKind.PROVIDER)
    }
    topics = {
        key: Topic(key, topic_names.get(folded, folded), topic_counts[key])
        for key, folded in _keys_of(graph, NodeKind.TOPIC)
    }
    url_index: dict[str, str] = {}
    for key, article in articles.items():
        for url in article.urls:
            url_index.setdefault(url, key)
    for key, article in articles.items():
        url_index[article.url] = key  # an article's own URL always wins

    def by_date(keys: Iterable[str]) -> tuple[str, ...]:
        # the one newest-first order: queries cuts date ranges out of these by binary search
        return tuple(sorted(keys, key=lambda k: date_desc(articles[k])))

    return GraphStore(
        graph=graph,
        articles=MappingProxyType(articles),
        providers=MappingProxyType(providers),
        topics=MappingProxyType(topics),
        url_index=MappingProxyType(url_index),
        full_by_date=by_date(k for k, a in articles.items() if not a.is_stub),
        stubs_by_date=by_date(k for k, a in articles.items() if a.is_stub),
        topic_articles=MappingProxyType({k: by_date(v) for k, v in topic_members.items()}),
        provider_articles=MappingProxyType({k: by_date(v) for k, v in provider_members.items()}),
        report=report,
        version=version,
        loaded_at=datetime.now(UTC),
        root=root,
        sources=MappingProxyType(dict(sources or {})),
    )


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector (restoring its previous state)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _pick_winners(
    records: Iterable[tuple[str, Document]], report: IngestReport
) -> tuple[dict[str, tuple[str, Document]], dict[str, tuple[str, ...]]]:
    """One document per canonical URL: the later ``publishedDateTime``, then the later path."""
    winners: dict[str, tuple[str, Document]] = {}
    paths: dict[str, list[str]] = {}
    for path, doc in records:
        url = doc.item.url
        paths.setdefault(url, []).append(path)
        current = winners.get(url)
        if current is None or (doc.item.published_at or "", path) >= (
            current[1].item.published_at or "",
            current[0],
        ):
            winners[url] = (path, doc)
    for url, seen in paths.items():
        if len(seen) > 1:
            winner = winners[url][0]
            for path in seen:
                if path != winner:
                    report.warnings.append(
                        Problem(
                            path,
                            f"same URL as {winner} ({url}); {winner} supplies the fields",
                            None,
                            "url-collision",
                        )
                    )
    return winners, {url: tuple(sorted(p)) for url, p in paths.items()}


def _article(
    item: Item,
    *,
    keys: _Keys,
    is_stub: bool,
    topics: tuple[str, ...] = (),
    removed: bool | None = None,
    sources: tuple[str, ...] = (),
) -> Article:
    """An article from its fields: a document's own (full) or a related item's (a stub);
    its provider's key is the one in ``keys`` (by domain), made once."""
    when = item.published_at
    return Article(
        key=article_key(item.url),
        url=item.url,
        title=item.title,
        excerpt=item.excerpt,
        published_at=datetime.fromisoformat(when) if when else None,
        type=item.type,
        quality=item.quality,
        heat=item.heat,
        published=item.published,
        removed=removed,
        is_stub=is_stub,
        provider=keys.provider(item.provider_domain),
        topics=topics,
        images=tuple(Image(u, w, h) for u, w, h in item.images),
        sources=sources,
        urls=item.urls,
    )


def _topic_keys(spellings: Iterable[str], keys: _Keys) -> tuple[str, ...]:
    """Topic node keys of a document's topic spellings, first seen first, each once."""
    return tuple(dict.fromkeys(map(keys.topic, spellings)))


class _Keys:
    """Provider and topic node keys, each made once (by domain, by spelling): the one string
    is then shared by every article, edge and node that names it."""

    def __init__(self) -> None:
        self._providers: dict[str, str] = {}  # domain -> key
        self._spellings: dict[str, str] = {}  # topic spelling -> key
        self._topics: dict[str, str] = {}  # key -> itself (spellings that fold alike)

    def provider(self, domain: str) -> str:
        key = self._providers.get(domain)
        if key is None:
            key = self._providers[domain] = provider_key(domain)
        return key

    def topic(self, spelling: str) -> str:
        key = self._spellings.get(spelling)
        if key is None:
            made = topic_key(spelling.casefold())
            key = self._spellings[spelling] = self._topics.setdefault(made, made)
        return key


def _most_frequent(counts: Counter[tuple[str, str]]) -> dict[str, str]:
    """Per identity, its most frequent spelling (ties: the first seen), cleaned for display."""
    best: dict[str, tuple[int, str]] = {}
    for (identity, spelling), n in counts.items():  # insertion order: first seen first
        if identity not in best or n > best[identity][0]:
            best[identity] = (n, spelling)
    return {identity: clean_text(spelling) for identity, (_n, spelling) in best.items()}


def add_node(graph: nx.DiGraph, key: str, kind: NodeKind) -> None:
    """Add a node (if new) whose attribute dict is shared by every node of its kind."""
    put_node(graph, key, NODE_ATTRS[kind])


def add_edge(graph: nx.DiGraph, source: str, target: str, kind: EdgeKind) -> None:
    """Add an edge whose attribute dict is shared by every edge of its kind (never mutated)."""
    if target not in node_dicts(graph):
        raise KeyError(target)
    put_edge(graph, source, target, EDGE_ATTRS[kind])
