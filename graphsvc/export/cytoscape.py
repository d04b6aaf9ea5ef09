"""Cytoscape.js JSON: ``{"elements": {"nodes": [{"data", "classes"}], "edges": [{"data"}]}}``.

What ``cy.json({elements})`` and ``cy.add(...)`` load (the explorer page uses it), and what
NetworkX's ``cytoscape_graph`` reads. Every element has the ``data.id`` Cytoscape.js needs: a
node its key, an edge ``KIND|source|target`` of keys (the shape of the explorer page's edge ids,
though the page uses the API's opaque node IDs, so the two do not mix in one canvas; node keys
start ``a:``, ``p:`` or ``t:``, so no edge id is a node's). A node's ``data.value`` is its key
too: NetworkX names nodes by it and needs ``id`` and ``value`` equal. Classes carry the kind
(``article``, ``provider``, ``topic``) and ``stub``, for styling. Written as a stream with
orjson.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from graphsvc.export.fields import edge_values, node_values
from graphsvc.export.select import Edge, Selection
from graphsvc.export.stream import Chunks, Progress, json_items
from graphsvc.graph.store import GraphStore
from graphsvc.model import EdgeKind


def generate_cytoscape(selection: Selection, progress: Progress | None = None) -> Iterator[bytes]:
    """The selection as Cytoscape.js JSON, a chunk at a time."""
    store = selection.store
    out = Chunks(progress)
    data = {"name": "graphsvc", "version": store.version, "wholeGraph": selection.is_whole_graph}
    out.write(
        '{"data":' + orjson.dumps(data).decode() + ',"directed":true,"multigraph":false,'
        '"elements":{"nodes":['
    )
    yield from json_items(out, (_node(store, key) for key in selection.nodes()))
    out.write('],"edges":[')
    yield from json_items(out, map(_edge, selection.edges()))
    out.write("]}}\n")
    yield out.take()


def edge_id(source: str, target: str, kind: EdgeKind) -> str:
    """A Cytoscape.js edge id: ``KIND|source|target`` (node keys).

    The store is a DiGraph, so there is one edge from a source to a target, of one kind.

    >>> edge_id("a:https://example.com/x", "t:ai", EdgeKind.TAGGED)
    'TAGGED|a:https://example.com/x|t:ai'
    """
    return f"{kind.value}|{source}|{target}"


def _node(store: GraphStore, key: str) -> dict[str, object]:
    values = node_values(store, key)
    classes = values["kind"] + (" stub" if values.get("isStub") else "")
    return {"data": {"id": key, "value": key, **values}, "classes": classes}


def _edge(edge: Edge) -> dict[str, Any]:
    source, target, kind, _rank = edge
    values = edge_values(edge)
    return {"data": {"id": edge_id(source, target, kind), **values}, "classes": values["kind"]}
