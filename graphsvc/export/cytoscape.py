"""Cytoscape.js JSON: ``{"elements": {"nodes": [{"data", "classes"}], "edges": [{"data"}]}}``.

What ``cy.json(...)`` and ``cy.add(...)`` load (the explorer page uses it), and what NetworkX's
``cytoscape_graph`` reads. Classes carry the kind (``article``, ``provider``, ``topic``) and
``stub``, for styling. Written as a stream with orjson.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from graphsvc.export.fields import edge_values, node_values
from graphsvc.export.select import Selection
from graphsvc.export.stream import Chunks, Progress, json_items
from graphsvc.graph.store import GraphStore


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
    yield from json_items(
        out, ({"data": e, "classes": e["kind"]} for e in map(edge_values, selection.edges()))
    )
    out.write("]}}\n")
    yield out.take()


def _node(store: GraphStore, key: str) -> dict[str, object]:
    values = node_values(store, key)
    classes = values["kind"] + (" stub" if values.get("isStub") else "")
    return {"data": {"id": key, **values}, "classes": classes}
