"""GraphML for Gephi, yEd and NetworkX: typed ``key`` declarations, flattened attributes.

Written by hand as a stream (NetworkX's writer needs an attributed copy of the graph first;
bench/export.py measures both). Node ids are node keys (``a:`` + URL and so on): GraphML's
schema types ids as NMTOKEN, which URLs are not, but no reader we target validates them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from graphsvc.export.fields import EDGE_FIELDS, NODE_FIELDS, FieldType, flat_text, node_values
from graphsvc.export.select import Selection
from graphsvc.export.stream import Chunks, Progress, xml_attr, xml_text

#: GraphML ``attr.type`` of each field type (times and flattened lists are strings).
GRAPHML_TYPES: Mapping[FieldType, str] = {
    "string": "string",
    "int": "int",
    "boolean": "boolean",
    "datetime": "string",
    "tags": "string",
    "json": "string",
}
_HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns'
    ' http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
)
_NODE_KEYS = {f.name: (f"n{i}", f.type) for i, f in enumerate(NODE_FIELDS)}


def generate_graphml(selection: Selection, progress: Progress | None = None) -> Iterator[bytes]:
    """The selection as a GraphML document, a chunk at a time."""
    out = Chunks(progress)
    out.write(_HEADER)
    for f in NODE_FIELDS:
        key_id = _NODE_KEYS[f.name][0]
        out.write(
            f'<key id="{key_id}" for="node" attr.name="{f.name}"'
            f' attr.type="{GRAPHML_TYPES[f.type]}"/>\n'
        )
    for i, f in enumerate(EDGE_FIELDS):
        out.write(
            f'<key id="e{i}" for="edge" attr.name="{f.name}"'
            f' attr.type="{GRAPHML_TYPES[f.type]}"/>\n'
        )
    out.write('<graph id="graphsvc" edgedefault="directed">\n')
    store = selection.store
    write = out.write
    for key in selection.nodes():
        parts = [f"<node id={xml_attr(key)}>"]
        for name, value in node_values(store, key).items():
            key_id, field_type = _NODE_KEYS[name]
            text = flat_text(field_type, value)
            if field_type in ("string", "tags", "json"):
                text = xml_text(text)
            parts.append(f'<data key="{key_id}">{text}</data>')
        parts.append("</node>\n")
        write("".join(parts))
        out.item()
        if out.full:
            yield out.take()
    for source, target, kind, rank in selection.edges():
        ranked = "" if rank is None else f'<data key="e1">{rank}</data>'
        write(
            f"<edge source={xml_attr(source)} target={xml_attr(target)}>"
            f'<data key="e0">{kind.value}</data>{ranked}</edge>\n'
        )
        out.item()
        if out.full:
            yield out.take()
    write("</graph>\n</graphml>\n")
    yield out.take()
