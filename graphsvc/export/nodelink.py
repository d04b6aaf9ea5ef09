"""Node-link JSON (D3, and NetworkX's ``node_link_graph(data, edges="edges")``).

``{"directed", "multigraph", "graph", "nodes": [{"id", ...}], "edges": [{"source", "target",
"kind", "rank"}]}``; the edge list is named ``edges`` (NetworkX's future default) and lists and
images stay native JSON. Written as a stream with orjson, one node or edge at a time.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from graphsvc.export.fields import node_values
from graphsvc.export.select import Selection
from graphsvc.export.stream import Chunks, Progress


def generate_node_link(selection: Selection, progress: Progress | None = None) -> Iterator[bytes]:
    """The selection as node-link JSON, a chunk at a time."""
    store = selection.store
    out = Chunks(progress)
    graph = {"name": "graphsvc", "version": store.version, "wholeGraph": selection.is_whole_graph}
    out.write(
        '{"directed":true,"multigraph":false,"graph":' + orjson.dumps(graph).decode() + ',"nodes":['
    )
    separator = ""
    for key in selection.nodes():
        out.write(separator + orjson.dumps({"id": key, **node_values(store, key)}).decode())
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
        out.write(separator + orjson.dumps(edge).decode())
        separator = ","
        out.item()
        if out.full:
            yield out.take()
    out.write("]}\n")
    yield out.take()
