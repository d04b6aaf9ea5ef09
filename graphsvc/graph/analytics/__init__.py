"""Graph analytics: stories, trends, co-occurrence, centrality, facets and provider profiles.

Pure functions of a GraphStore; each heavy result is computed once per snapshot, on first
use, and kept in ``store.cache`` (see memo.py).
"""

from __future__ import annotations

from graphsvc.graph.analytics import centrality, cooccurrence, providers, stories, trends
from graphsvc.graph.store import GraphStore
from graphsvc.model import NodeKind


def warm(store: GraphStore, betweenness: bool = False) -> None:
    """Compute every per-snapshot analytic now (betweenness, the slowest, only if asked)."""
    stories.stories(store)
    trends.timelines(store)
    providers.provider_links(store)
    for kind in cooccurrence.CoKind:
        cooccurrence.baskets_of(store, kind)
    for node_kind in NodeKind:
        for how in centrality.Centrality:
            if how is not centrality.Centrality.BETWEENNESS or betweenness:
                centrality.ranking(store, node_kind, how)
