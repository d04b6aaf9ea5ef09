"""Graph analytics: stories, trends, co-occurrence, centrality, facets and provider profiles.

Pure functions of a GraphStore; each whole-graph result is computed once per snapshot, before
the snapshot is served (precompute.py), and kept in ``store.cache`` (see graph/memo.py).
"""

from __future__ import annotations

from graphsvc.graph.analytics.precompute import Results, install, results, warm

__all__ = ["Results", "install", "results", "warm"]
