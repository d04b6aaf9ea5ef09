"""The GraphStore: one immutable snapshot of the graph with the indexes that queries need.

A reload builds a whole new store and swaps it in; nothing here is ever mutated after build.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import networkx as nx

from graphsvc.graph.nxraw import pred_dicts
from graphsvc.identity import is_article, kind_of
from graphsvc.model import Article, EdgeKind, IngestReport, NodeKind, Provider, Topic


@dataclass(frozen=True, slots=True)
class GraphCounts:
    """The counts of docs/data-model.md#counts."""

    articles: int
    stubs: int
    providers: int
    topics: int
    edges: int
    related: int
    published_by: int
    tagged: int

    def as_dict(self) -> dict[str, int]:
        """Plain form for JSON."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True, eq=False)
class GraphStore:
    """A read-only snapshot: the DiGraph, node records and sorted indexes.

    Article lists in indexes are ordered newest first (undated last, ties by key), so a page
    of the default order is a slice.
    """

    graph: nx.DiGraph
    articles: Mapping[str, Article]
    providers: Mapping[str, Provider]
    topics: Mapping[str, Topic]
    url_index: Mapping[str, str]
    full_by_date: tuple[str, ...]
    stubs_by_date: tuple[str, ...]
    topic_articles: Mapping[str, Sequence[str]]
    provider_articles: Mapping[str, Sequence[str]]
    report: IngestReport
    version: str
    loaded_at: datetime
    root: str = ""
    sources: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict, compare=False)

    # Lookups ---------------------------------------------------------------------------
    def node(self, key: str) -> Article | Provider | Topic | None:
        """The record of any node key, or None."""
        try:
            kind = kind_of(key)
        except ValueError:
            return None
        if kind is NodeKind.ARTICLE:
            return self.articles.get(key)
        if kind is NodeKind.PROVIDER:
            return self.providers.get(key)
        return self.topics.get(key)

    def has_node(self, key: str) -> bool:
        """Whether a node key is in this snapshot."""
        return key in self.graph

    def degree(self, key: str) -> int:
        """Edges in and out of a node (0 when unknown)."""
        return int(self.graph.degree(key)) if key in self.graph else 0

    def edge_kind(self, source: str, target: str) -> EdgeKind:
        """The kind of an existing edge."""
        return EdgeKind(self.graph.edges[source, target]["kind"])

    def related_out(self, key: str) -> list[str]:
        """The article's own related list, in rank order (rank 1 first)."""
        if key not in self.graph:
            return []
        return [t for t in self.graph.succ[key] if is_article(t)]

    def related_in(self, key: str) -> list[str]:
        """The articles that list this one as related, in key order."""
        if key not in self.graph:
            return []
        return sorted(s for s in self.graph.pred[key] if is_article(s))

    def rank(self, source: str, target: str) -> int | None:
        """The 1-based rank of ``target`` in ``source``'s related list."""
        for rank, key in enumerate(self.related_out(source), start=1):
            if key == target:
                return rank
        return None

    def iter_edges(self) -> Iterator[tuple[str, str, EdgeKind]]:
        """Every edge with its kind."""
        for source, target, kind in self.graph.edges(data="kind"):
            yield source, target, EdgeKind(kind)

    # Counts ----------------------------------------------------------------------------
    @cached_property
    def counts(self) -> GraphCounts:
        """Node and edge counts (computed once)."""
        # An edge's kind follows from its target's kind (RELATED into articles, PUBLISHED_BY
        # into providers, TAGGED into topics), so each is a sum of in-degrees: O(nodes).
        pred = pred_dicts(self.graph)
        by_kind = {
            EdgeKind.RELATED: sum(len(pred[k]) for k in self.articles),
            EdgeKind.PUBLISHED_BY: sum(len(pred[k]) for k in self.providers),
            EdgeKind.TAGGED: sum(len(pred[k]) for k in self.topics),
        }
        return GraphCounts(
            articles=len(self.full_by_date),
            stubs=len(self.stubs_by_date),
            providers=len(self.providers),
            topics=len(self.topics),
            edges=self.graph.number_of_edges(),
            related=by_kind[EdgeKind.RELATED],
            published_by=by_kind[EdgeKind.PUBLISHED_BY],
            tagged=by_kind[EdgeKind.TAGGED],
        )


def summarize(store: GraphStore) -> dict[str, Any]:
    """The ingest report as plain data: counts, every rejected file, every warning."""
    report = store.report
    counts = store.counts
    return {
        "files": report.files,
        "articles": counts.articles,
        "stubs": counts.stubs,
        "providers": counts.providers,
        "topics": counts.topics,
        "edges": counts.edges,
        "edgesByKind": {
            EdgeKind.RELATED.value: counts.related,
            EdgeKind.PUBLISHED_BY.value: counts.published_by,
            EdgeKind.TAGGED.value: counts.tagged,
        },
        "rejected": [p.as_dict() for p in report.rejected],
        "warnings": [p.as_dict() for p in report.warnings],
        "ignored": list(report.ignored),
        "parsed": report.parsed,
        "cached": report.cached,
        "seconds": round(report.seconds, 3),
        "version": store.version,
    }
