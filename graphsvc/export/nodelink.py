"""Node-link JSON (D3, and NetworkX's ``node_link_graph(data, edges="edges")``).

``{"directed", "multigraph", "graph", "nodes": [{"id", ...}], "edges": [{"source", "target",
"kind", "rank"}]}``; the edge list is named ``edges`` (NetworkX's future default) and lists and
images stay native JSON. Written as a stream with orjson, one node or edge at a time.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from graphsvc.export.fields import edge_values, node_values
from graphsvc.export.select import Selection
from graphsvc.export.stream import Chunks, Progress, json_items


def generate_node_link(selection: Selection, progress: Progress | None = None) -> Iterator[bytes]:
    """The selection as node-link JSON, a chunk at a time."""
    store = selection.store
    out = Chunks(progress)
    graph = {"name": "graphsvc", "version": store.version, "wholeGraph": selection.is_whole_graph}
    out.write(
        '{"directed":true,"multigraph":false,"graph":' + orjson.dumps(graph).decode() + ',"nodes":['
    )
    yield from json_items(out, ({"id": k, **node_values(store, k)} for k in selection.nodes()))
    out.write('],"edges":[')
    yield from json_items(out, map(edge_values, selection.edges()))
    out.write("]}\n")
    yield out.take()
