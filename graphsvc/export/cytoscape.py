"""Cytoscape.js JSON: ``{"elements": {"nodes": [{"data", "classes"}], "edges": [{"data"}]}}``.

What ``cy.json(...)`` and ``cy.add(...)`` load (the explorer page uses it), and what NetworkX's
``cytoscape_graph`` reads. Classes carry the kind (``article``, ``provider``, ``topic``) and
``stub``, for styling. Written as a stream with orjson.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from graphsvc.export.fields import node_values
from graphsvc.export.select import Selection
from graphsvc.export.stream import Chunks, Progress


def generate_cytoscape(selection: Selection, progress: Progress | None = None) -> Iterator[bytes]:
    """The selection as Cytoscape.js JSON, a chunk at a time."""
    store = selection.store
    out = Chunks(progress)
    data = {"name": "graphsvc", "version": store.version, "wholeGraph": selection.is_whole_graph}
    out.write(
        '{"data":' + orjson.dumps(data).decode() + ',"directed":true,"multigraph":false,'
        '"elements":{"nodes":['
    )
    separator = ""
    for key in selection.nodes():
        values = node_values(store, key)
        classes = values["kind"] + (" stub" if values.get("isStub") else "")
        element = {"data": {"id": key, **values}, "classes": classes}
        out.write(separator + orjson.dumps(element).decode())
        separator = ","
        out.item()
        if out.full:
            yield out.take()
    out.write('],"edges":[')
    separator = ""
    for source, target, kind, rank in selection.edges():
        edge: dict[str, object] = {"source": source, "target": target, "kind": kind.value}
        if rank is not None:
            edge["rank"] = rank
        out.write(separator + orjson.dumps({"data": edge, "classes": kind.value}).decode())
        separator = ","
        out.item()
        if out.full:
            yield out.take()
    out.write("]}}\n")
    yield out.take()
