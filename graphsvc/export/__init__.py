"""Graph export: the registry of formats, each a generator of byte chunks over a Selection.

>>> sorted(FORMATS)
['cyjs', 'gexf', 'graphml', 'json', 'jsonld', 'neo4j-csv']
>>> get_format("zip").name
'neo4j-csv'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from graphsvc.export.cytoscape import generate_cytoscape
from graphsvc.export.gexf import generate_gexf
from graphsvc.export.graphml import generate_graphml
from graphsvc.export.jsonld import generate_jsonld
from graphsvc.export.neo4j import generate_neo4j_zip
from graphsvc.export.nodelink import generate_node_link
from graphsvc.export.select import (
    Selection,
    SelectionError,
    SelectionSpec,
    parse_spec,
    select,
)
from graphsvc.export.stream import Progress

Generate = Callable[[Selection, Progress | None], Iterator[bytes]]


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """A format: its name, file extension, media type, writer and what opens it."""

    name: str
    extension: str
    media_type: str
    generate: Generate
    description: str

    def filename(self, stem: str = "graph") -> str:
        """The download file name."""
        return f"{stem}.{self.extension}"


FORMATS: Mapping[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "graphml",
            "graphml",
            "application/graphml+xml",
            generate_graphml,
            "GraphML with typed keys (Gephi, yEd, NetworkX)",
        ),
        ExportFormat(
            "gexf",
            "gexf",
            "application/gexf+xml",
            generate_gexf,
            "GEXF 1.3, dynamic on publishedAt, coloured by kind (Gephi)",
        ),
        ExportFormat(
            "json",
            "json",
            "application/json",
            generate_node_link,
            "node-link JSON (D3, NetworkX node_link_graph with edges='edges')",
        ),
        ExportFormat(
            "cyjs",
            "cyjs",
            "application/json",
            generate_cytoscape,
            "Cytoscape.js JSON (the explorer page, Cytoscape)",
        ),
        ExportFormat(
            "neo4j-csv",
            "zip",
            "application/zip",
            generate_neo4j_zip,
            "a zip of Neo4j bulk-import CSV files and the neo4j-admin command",
        ),
        ExportFormat(
            "jsonld",
            "jsonld",
            "application/ld+json",
            generate_jsonld,
            "JSON-LD with schema.org NewsArticle (linked-data tools, search engines)",
        ),
    )
}
BY_EXTENSION: Mapping[str, ExportFormat] = {f.extension: f for f in FORMATS.values()}


def get_format(name: str) -> ExportFormat:
    """A format by name or file extension; a SelectionError (parameter ``format``) when
    unknown."""
    found = FORMATS.get(name.lower()) or BY_EXTENSION.get(name.lower())
    if found is None:
        known = ", ".join(f"{f.name} (.{f.extension})" for f in FORMATS.values())
        raise SelectionError("format", f"unknown export format {name[:40]!r}: use one of {known}")
    return found


__all__ = [
    "BY_EXTENSION",
    "FORMATS",
    "ExportFormat",
    "Progress",
    "Selection",
    "SelectionError",
    "SelectionSpec",
    "get_format",
    "parse_spec",
    "select",
]
