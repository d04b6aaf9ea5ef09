"""``exportUrl``: the download URL of a graph export for a filter, for a frontend's button.

It only builds ``/export/graph.<extension>?...`` (the web layer serves it); the format table is
kept here because ``api`` and ``export`` never import each other (a test keeps them in step).
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Annotated
from urllib.parse import urlencode

import strawberry

from graphsvc.api.context import Info, PublicError, decode_id
from graphsvc.api.types import ArticleFilter
from graphsvc.graph.traversal import DEFAULT_SEED_DEPTH, MAX_SEED_DEPTH, seed_hops

EXPORT_PATH = "/export/graph."
#: Deepest seed neighbourhood an export takes (the export route checks the same).
MAX_EXPORT_DEPTH = MAX_SEED_DEPTH


@strawberry.enum(description="Formats of a graph export.")
class ExportFormat(Enum):
    GRAPHML = strawberry.enum_value(
        "graphml", description="GraphML with typed keys (Gephi, yEd, NetworkX): .graphml"
    )
    GEXF = strawberry.enum_value(
        "gexf", description="GEXF 1.3, dynamic on publishedAt, coloured by kind (Gephi): .gexf"
    )
    JSON = strawberry.enum_value("json", description="Node-link JSON (D3, NetworkX): .json")
    CYJS = strawberry.enum_value("cyjs", description="Cytoscape.js JSON: .cyjs")
    NEO4J_CSV = strawberry.enum_value(
        "zip", description="Neo4j bulk-import CSV files and README in a zip: .zip"
    )
    JSONLD = strawberry.enum_value("jsonld", description="JSON-LD, schema.org NewsArticle: .jsonld")


#: File extension (the route's ``graph.<extension>``) of each format, by enum name.
EXTENSIONS = {
    "GRAPHML": "graphml",
    "GEXF": "gexf",
    "JSON": "json",
    "CYJS": "cyjs",
    "NEO4J_CSV": "zip",
    "JSONLD": "jsonld",
}


def export_url(
    path: str,
    flt: ArticleFilter | None,
    seed: str | None,
    depth: int | None,
) -> str:
    """The URL with the filter as query parameters; ``includeStubs`` always goes with a filter,
    so that the export holds what ``articles(filter:)`` lists."""
    params: list[tuple[str, str]] = []
    if flt is not None:
        params += [("topic", t) for t in flt.topics or ()]
        params += [("provider", p) for p in flt.providers or ()]
        if flt.published_after is not None:
            params.append(("after", utc_text(flt.published_after, "publishedAfter")))
        if flt.published_before is not None:
            params.append(("before", utc_text(flt.published_before, "publishedBefore")))
        if flt.min_quality is not None:
            params.append(("minQuality", str(flt.min_quality)))
        params.append(("includeStubs", "true" if flt.include_stubs else "false"))
    if seed is not None:
        params.append(("seed", seed))
    if depth is not None:
        params.append(("depth", str(depth)))
    return path + ("?" + urlencode(params) if params else "")


def utc_text(value: datetime, name: str) -> str:
    """The time in UTC (naive means UTC, as the export route reads it), ISO 8601; an error
    naming the filter field when it falls outside years 1 to 9999 there (the route would
    refuse the URL)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC).isoformat()
    try:
        return value.astimezone(UTC).isoformat()
    except OverflowError:
        raise PublicError(
            f"`filter.{name}` is out of range: {value.isoformat()} falls outside years 1 to"
            " 9999 in UTC"
        ) from None


@strawberry.type
class ExportQuery:
    @strawberry.field(
        description="The download URL (relative to this service) of a graph export: the articles the filter picks (the whole graph, stubs included, without one), with their providers and topics; with `seed`, only what lies within `depth` hops of that node."
    )
    def export_url(
        self,
        info: Info,
        format: Annotated[
            ExportFormat,
            strawberry.argument(description="File format; it sets the URL's extension."),
        ],
        filter: Annotated[
            ArticleFilter | None,
            strawberry.argument(
                description="Which articles to export (every condition given must hold; each topic and provider named must exist), with their providers and topics. Without it, the whole graph, stubs included."
            ),
        ] = None,
        seed: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Keep only what lies near this node (its ID); an unknown node is an error."
            ),
        ] = None,
        depth: Annotated[
            int | None,
            strawberry.argument(
                description=f"Hops around `seed`, both ways, 0 to {MAX_EXPORT_DEPTH} (default {DEFAULT_SEED_DEPTH}); outside that is an error, and so is a depth without a seed."
            ),
        ] = None,
    ) -> str:
        store = info.context.store
        if filter is not None:
            filter.checked_spec(store)
        if seed is not None and not store.has_node(decode_id(str(seed))):
            raise PublicError(f"no node with seed {str(seed)[:60]!r} in this graph")
        seed_hops(depth, seed is not None)
        return export_url(
            EXPORT_PATH + EXTENSIONS[format.name],
            filter,
            None if seed is None else str(seed),
            depth,
        )
