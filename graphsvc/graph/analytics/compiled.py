"""NetworkX's PageRank and betweenness, computed by compiled code on the same graphs.

NetworkX stays the graph model: the graphs measured are the NetworkX graphs of centrality.py
(or, for the articles, the same nodes and edges read straight off the store), and the results
are NetworkX's own, to rounding: PageRank is NetworkX's power iteration (``_pagerank_scipy``:
same start, damping, dangling rule and stopping test) on a SciPy sparse matrix, and sampled
betweenness takes the same sources as ``networkx.betweenness_centrality(G, k, seed=SEED)``
(``random.Random(seed).sample`` of the node list) and sums their dependencies with igraph's
subset betweenness, then rescales as NetworkX does. ``tests/analytics/test_compiled.py``
checks both against NetworkX on the shared corpus.

Why: in pure Python (NetworkX without SciPy) article PageRank took 46-120 s and sampled
betweenness 88 s at 100,000 documents (3.1 M RELATED edges); these take seconds
(``bench/analytics.py``). They run when a snapshot is built, never on a request.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import networkx as nx
import numpy as np
import scipy.sparse as sp

from graphsvc.graph.analytics.related import undirected_pairs

#: NetworkX's PageRank defaults.
ALPHA = 0.85
MAX_ITER = 100
TOL = 1.0e-6


def edge_arrays(
    graph: nx.Graph, weight: str | None = None
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """A graph's nodes (in its order) and its edges as (source, target, weight) arrays; an
    undirected graph gives each edge both ways, as ``G.to_directed()`` does."""
    nodes = list(graph)
    number = {node: i for i, node in enumerate(nodes)}
    src, dst, wts = [], [], []
    for u, v, w in graph.edges(data=weight, default=1):
        src.append(number[u])
        dst.append(number[v])
        wts.append(1.0 if weight is None else float(w))
        if not graph.is_directed() and u != v:
            src.append(number[v])
            dst.append(number[u])
            wts.append(wts[-1])
    return (
        nodes,
        np.asarray(src, dtype=np.int64),
        np.asarray(dst, dtype=np.int64),
        np.asarray(wts, dtype=np.float64),
    )


def pagerank_arrays(
    n: int, src: np.ndarray, dst: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """PageRank of the directed graph with these edges over nodes 0..n-1, as NetworkX
    computes it (parallel edges add their weights)."""
    if n == 0:
        return np.zeros(0)
    data = np.ones(len(src)) if weights is None else weights
    matrix = sp.csr_array((data, (src, dst)), shape=(n, n))
    out = np.asarray(matrix.sum(axis=1)).ravel()
    dangling = out == 0
    scale = np.zeros(n)
    scale[~dangling] = 1.0 / out[~dangling]
    matrix = sp.dia_array((scale[np.newaxis, :], [0]), shape=(n, n)).tocsr() @ matrix
    x = np.repeat(1.0 / n, n)
    p = np.repeat(1.0 / n, n)
    for _ in range(MAX_ITER):
        last = x
        x = np.asarray(ALPHA * (x @ matrix + x[dangling].sum() * p) + (1 - ALPHA) * p)
        if np.absolute(x - last).sum() < n * TOL:
            return x
    raise nx.PowerIterationFailedConvergence(MAX_ITER)


def pagerank(graph: nx.Graph, weight: str | None = "weight") -> dict[str, float]:
    """``networkx.pagerank(graph)`` (edges without the weight attribute weigh 1)."""
    nodes, src, dst, wts = edge_arrays(graph, weight)
    scores = pagerank_arrays(len(nodes), src, dst, wts)
    return dict(zip(nodes, scores.tolist(), strict=True))


def betweenness_arrays(
    nodes: Sequence[str], pairs: np.ndarray, k: int | None, seed: int
) -> np.ndarray:
    """``networkx.betweenness_centrality`` (normalised, unweighted) of the undirected graph
    with these nodes and edges (``undirected_pairs``), sampling ``k`` sources exactly as
    NetworkX does with this seed (``None``: every node, exact)."""
    n = len(nodes)
    if n < 3:
        return np.zeros(n)
    import igraph  # only where betweenness is computed: a server reading a snapshot never is

    graph = igraph.Graph(n=n, edges=pairs, directed=False)
    # igraph counts each unordered pair once; NetworkX's raw sums count (s, t) and (t, s).
    if k is None or k >= n:
        raw = 2 * np.asarray(graph.betweenness(directed=False), dtype=np.float64)
        return raw / ((n - 1) * (n - 2))
    number = {node: i for i, node in enumerate(nodes)}
    sampled = [number[s] for s in random.Random(seed).sample(list(nodes), k)]
    raw = 2 * np.asarray(graph.betweenness(directed=False, sources=sampled), dtype=np.float64)
    # NetworkX's _rescale with sampled sources and endpoints excluded (N = n - 1).
    big_n = n - 1
    scale = np.full(n, 1 / (k * (big_n - 1)))
    scale[sampled] = 1 / ((k - 1) * (big_n - 1)) if k > 1 else np.nan
    return np.asarray(raw * scale)


def betweenness(graph: nx.Graph, k: int | None, seed: int) -> dict[str, float]:
    """``networkx.betweenness_centrality(graph, k=k, seed=seed)`` of an undirected graph."""
    nodes, src, dst, _ = edge_arrays(graph)
    scores = betweenness_arrays(nodes, undirected_pairs(src, dst), k, seed)
    return dict(zip(nodes, scores.tolist(), strict=True))
