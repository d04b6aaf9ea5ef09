"""NetworkX's own dicts, in one place: the adapter every module goes through to fill or walk
a graph without NetworkX's views.

A ``DiGraph`` keeps three plain dicts: ``_node`` (key -> attribute dict), ``_succ`` (key ->
{successor: edge attribute dict}, the same object as ``_adj``) and ``_pred`` (key ->
{predecessor: the same edge dict}); an undirected ``Graph`` keeps ``_node`` and ``_adj``.
graphsvc writes and reads them directly because every node and edge of a kind shares one
attribute dict (about a fifth of the memory of a dict per edge), which ``add_edge`` cannot
do, and because walking the dicts costs a third of walking the views.
``tests/graph/test_nxraw.py`` checks that NetworkX's public views agree with these dicts.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

Attrs = dict[str, Any]


def node_dicts(graph: nx.Graph) -> dict[str, Attrs]:
    """Node key -> its attribute dict, in insertion order."""
    nodes: dict[str, Attrs] = graph._node
    return nodes


def succ_dicts(graph: nx.Graph) -> dict[str, dict[str, Attrs]]:
    """Node key -> {successor (or neighbour, undirected): edge attribute dict}, in insertion
    order (a RELATED list's rank order)."""
    succ: dict[str, dict[str, Attrs]] = graph._adj
    return succ


def pred_dicts(graph: nx.DiGraph) -> dict[str, dict[str, Attrs]]:
    """Node key -> {predecessor: edge attribute dict} of a directed graph."""
    pred: dict[str, dict[str, Attrs]] = graph._pred
    return pred


def put_node(graph: nx.DiGraph, key: str, attrs: Attrs) -> None:
    """Add a node (if new) whose attribute dict is ``attrs`` itself, not a copy."""
    nodes = graph._node
    if key not in nodes:
        nodes[key] = attrs
        graph._adj[key] = {}
        graph._pred[key] = {}


def put_edge(graph: nx.DiGraph, source: str, target: str, data: Attrs) -> None:
    """Add an edge between two nodes already in the graph, sharing ``data`` (not a copy)."""
    graph._adj[source][target] = data
    graph._pred[target][source] = data


def put_undirected_edge(graph: nx.Graph, u: str, v: str, data: Attrs) -> None:
    """Add an edge of an undirected graph between two nodes already in it, sharing ``data``."""
    adj = graph._adj
    adj[u][v] = data
    adj[v][u] = data
