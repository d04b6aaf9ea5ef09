"""GEXF 1.3 for Gephi: a dynamic graph whose articles appear at ``publishedAt`` on the timeline.

Each dated article is an open interval starting on its publication day (``timeformat date``,
``timezone UTC``; the full time stays in the ``publishedAt`` attribute), so Gephi's timeline
shows the graph growing; undated articles, providers and topics exist throughout. ``date`` is
the time format that both Gephi and ``networkx.read_gexf`` read. The node kind is an attribute
and a ``viz:color``. Edges are numbered from 0 in export order (``id``, as in Gephi's own
files). Written by hand as a stream, like GraphML.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from graphsvc.export.fields import EDGE_FIELDS, NODE_FIELDS, FieldType, flat_text, node_values
from graphsvc.export.select import Selection
from graphsvc.export.stream import Chunks, Progress, xml_attr, xml_text

#: GEXF attribute type of each field type (GEXF has no time type for attributes).
GEXF_TYPES: Mapping[FieldType, str] = {
    "string": "string",
    "int": "integer",
    "boolean": "boolean",
    "datetime": "string",
    "tags": "string",
    "json": "string",
}
#: Colours by kind (stubs paler than full articles), as r, g, b.
COLORS: Mapping[str, tuple[int, int, int]] = {
    "article": (31, 119, 180),
    "stub": (158, 202, 225),
    "provider": (255, 127, 14),
    "topic": (44, 160, 44),
}
_HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">\n'
)
#: Node attributes; the label is the node's own ``label`` (a "label" column clashes in Gephi).
_NODE_FIELDS = tuple(f for f in NODE_FIELDS if f.name != "label")
_NODE_IDS = {f.name: (f"n{i}", f.type) for i, f in enumerate(_NODE_FIELDS)}
_VIZ = {kind: f'<viz:color r="{r}" g="{g}" b="{b}" a="1.0"/>' for kind, (r, g, b) in COLORS.items()}


def generate_gexf(selection: Selection, progress: Progress | None = None) -> Iterator[bytes]:
    """The selection as a GEXF 1.3 document, a chunk at a time."""
    store = selection.store
    out = Chunks(progress)
    write = out.write
    write(_HEADER)
    write(
        f'<meta lastmodifieddate="{store.loaded_at.date().isoformat()}">'
        "<creator>graphsvc</creator>"
        f"<description>{xml_text(_description(selection))}</description></meta>\n"
        '<graph defaultedgetype="directed" mode="dynamic" timeformat="date"'
        ' timerepresentation="interval" timezone="UTC">\n'
        '<attributes class="node">\n'
    )
    for f in _NODE_FIELDS:
        attr_id = _NODE_IDS[f.name][0]
        write(f'<attribute id="{attr_id}" title="{f.name}" type="{GEXF_TYPES[f.type]}"/>\n')
    write('</attributes>\n<attributes class="edge">\n')
    for i, f in enumerate(EDGE_FIELDS):
        write(f'<attribute id="e{i}" title="{f.name}" type="{GEXF_TYPES[f.type]}"/>\n')
    write("</attributes>\n<nodes>\n")
    for key in selection.nodes():
        values = node_values(store, key)
        published = values.get("publishedAt")
        start = str(published)[:10] if published else None  # an xsd:date, YYYY-MM-DD
        parts = [
            f"<node id={xml_attr(key)} label={xml_attr(values['label'])}",
            f' start="{start}"><attvalues>' if start else "><attvalues>",
        ]
        for name, value in values.items():
            if name == "label":
                continue
            attr_id, field_type = _NODE_IDS[name]
            parts.append(
                f'<attvalue for="{attr_id}" value={xml_attr(flat_text(field_type, value))}/>'
            )
        kind = "stub" if values.get("isStub") else values["kind"]
        parts.append(f"</attvalues>{_VIZ[kind]}</node>\n")
        write("".join(parts))
        out.item()
        if out.full:
            yield out.take()
    write("</nodes>\n<edges>\n")
    for number, (source, target, kind_of_edge, rank) in enumerate(selection.edges()):
        ranked = "" if rank is None else f'<attvalue for="e1" value="{rank}"/>'
        write(
            f'<edge id="{number}" source={xml_attr(source)} target={xml_attr(target)}'
            f' label="{kind_of_edge.value}"><attvalues>'
            f'<attvalue for="e0" value="{kind_of_edge.value}"/>{ranked}</attvalues></edge>\n'
        )
        out.item()
        if out.full:
            yield out.take()
    write("</edges>\n</graph>\n</gexf>\n")
    yield out.take()


def _description(selection: Selection) -> str:
    scope = "the whole graph" if selection.is_whole_graph else "part of the graph"
    return f"graphsvc export of {scope} (snapshot {selection.store.version or 'unversioned'})"
