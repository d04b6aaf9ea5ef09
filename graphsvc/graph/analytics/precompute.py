"""Every whole-graph analytic of a snapshot, computed before the snapshot is served.

A request only looks results up: ``warm`` fills the snapshot's memo with every analytic that
walks the whole graph: centralities of each node kind (betweenness included), stories and each
article's story, provider links and topic mixes, co-occurrence baskets, the pair counts among
the most frequent nodes and the default graphs, timelines and the default trending lists, the
unfiltered facets and the columns a filter's facets are counted from, the count orders.
``graphsvc/corpus.py`` runs it when a store is built, in the same background thread, so a
server swaps in only a complete snapshot.

Snapshot files keep the results (``results`` / ``install`` for the centralities and the
stories, ``graph/analytics/kept.py`` for the rest that needs every article's fields), so that
reading one back installs them; what ``warm`` still computes after a read is cut from those
(the co-occurrence graphs, the count orders) and takes milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from graphsvc.graph.analytics import (
    centrality,
    cooccurrence,
    facets,
    providers,
    related,
    stories,
    trends,
)
from graphsvc.graph.memo import forget, install_memo, memo_value
from graphsvc.graph.queries import article_places, count_order
from graphsvc.graph.store import GraphStore
from graphsvc.model import NodeKind


@dataclass(frozen=True, slots=True)
class Results:
    """The costly analytics of a snapshot, the part a snapshot file keeps."""

    rankings: Mapping[tuple[NodeKind, centrality.Centrality], centrality.Ranking]
    stories: stories.Stories


def warm(store: GraphStore) -> GraphStore:
    """Compute every whole-graph analytic of ``store`` now (idempotent); return the store."""
    for kind in NodeKind:
        for how in centrality.Centrality:
            centrality.ranking(store, kind, how)
    stories.stories(store)
    trends.timelines(store)
    providers.provider_links(store)
    providers.topic_mixes(store)
    for co in cooccurrence.CoKind:
        cooccurrence.top_pairs(store, co)
        cooccurrence.cooccurrence_graph(store, co)
    facets.facets(store)
    facets.facet_columns(store)
    trends.trending(store, "topic")
    trends.trending(store, "provider")
    count_order(store, "topic")
    count_order(store, "provider")
    article_places(store)
    store.counts  # noqa: B018  (a walk of every node: done before a server forks its workers)
    forget(store, related.MEMO_NAME)  # the shared RELATED arrays: only the above need them
    return store


def results(store: GraphStore) -> Results | None:
    """The costly analytics already computed for ``store``, or None when any is missing."""
    rankings = {}
    for kind in NodeKind:
        for how in centrality.Centrality:
            ranking = memo_value(store, centrality.memo_name(kind, how))
            if ranking is None:
                return None
            rankings[kind, how] = ranking
    found = memo_value(store, stories.MEMO_NAME)
    return None if found is None else Results(MappingProxyType(rankings), found)


def install(store: GraphStore, found: Results) -> GraphStore:
    """Put analytics read from a snapshot file into ``store``'s memo, then warm the rest
    (with the kept ones installed too, graph/analytics/kept.py, that rest is cut from them)."""
    for (kind, how), ranking in found.rankings.items():
        install_memo(store, centrality.memo_name(kind, how), ranking)
    install_memo(store, stories.MEMO_NAME, found.stories)
    return warm(store)
