"""What an export should hold, taken from the store alone, and readers that bring every format
back to the same plain form: {node key: key attributes} and {(source, target): (kind, rank)}."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote
from xml.parsers import expat

import networkx as nx

from graphsvc.export import FORMATS, Selection
from graphsvc.graph.store import GraphStore

Nodes = dict[str, dict[str, Any]]
Edges = dict[tuple[str, str], tuple[str, int | None]]

ARTICLE_KEYS = ("url", "title", "publishedAt", "quality", "heat", "isStub", "provider", "topics")
PROVIDER_KEYS = ("domain", "name", "articleCount")
TOPIC_KEYS = ("name", "articleCount")


def export_bytes(selection: Selection, name: str) -> bytes:
    """One format's whole output."""
    return b"".join(FORMATS[name].generate(selection, None))


# The truth, from the store ---------------------------------------------------------------
def store_node(store: GraphStore, key: str) -> dict[str, Any]:
    """Key attributes of a node, read from its record (not through graphsvc.export)."""
    if key.startswith("a:"):
        a = store.articles[key]
        when = a.published_at.isoformat().replace("+00:00", "Z") if a.published_at else None
        return {
            "url": a.url,
            "title": a.title,
            "publishedAt": when,
            "quality": a.quality,
            "heat": a.heat,
            "isStub": a.is_stub,
            "provider": a.provider[2:],
            "topics": tuple(store.topics[t].name for t in a.topics),
        }
    if key.startswith("p:"):
        p = store.providers[key]
        return {"domain": p.domain, "name": p.name, "articleCount": p.article_count}
    t = store.topics[key]
    return {"name": t.name, "articleCount": t.article_count}


def store_truth(store: GraphStore, keys: Iterable[str] | None = None) -> tuple[Nodes, Edges]:
    """Nodes (all, or these) and the edges among them, with RELATED ranks from related_out."""
    chosen = set(store.graph) if keys is None else set(keys)
    nodes = {k: store_node(store, k) for k in chosen}
    edges: Edges = {}
    for source, target, kind in store.iter_edges():
        if source in chosen and target in chosen:
            rank = None
            if kind.value == "RELATED":
                rank = store.related_out(source).index(target) + 1
            edges[source, target] = (kind.value, rank)
    return nodes, edges


# Readers --------------------------------------------------------------------------------
def _typed(data: dict[str, Any], key: str) -> dict[str, Any]:
    """Key attributes out of a flat attribute dict (topics joined with |, None for absent)."""
    if key.startswith("a:"):
        topics = data.get("topics")
        if isinstance(topics, str):
            topics = topics.split("|") if topics else []
        out = {k: data.get(k) for k in ARTICLE_KEYS}
        out["title"] = data.get("title") or ""  # GraphML cannot tell "" from absent
        out["topics"] = tuple(topics or ())
        return out
    if key.startswith("p:"):
        return {k: data.get(k) for k in PROVIDER_KEYS}
    return {k: data.get(k) for k in TOPIC_KEYS}


def from_nx(graph: nx.DiGraph) -> tuple[Nodes, Edges]:
    """Plain form of a graph read by NetworkX (GraphML, GEXF, node-link)."""
    nodes = {k: _typed(d, k) for k, d in graph.nodes(data=True)}
    edges = {(s, t): (d["kind"], d.get("rank")) for s, t, d in graph.edges(data=True)}
    return nodes, edges


def read_graphml(data: bytes) -> nx.DiGraph:
    return nx.read_graphml(io.BytesIO(data))


def read_gexf(data: bytes) -> nx.DiGraph:
    """The plain ``networkx.read_gexf``, as a user calls it (no patched reader)."""
    graph = nx.read_gexf(io.BytesIO(data))
    assert isinstance(graph, nx.DiGraph)
    return graph


def read_node_link(data: bytes) -> nx.DiGraph:
    return nx.node_link_graph(json.loads(data), edges="edges")


def read_cytoscape(data: bytes) -> nx.DiGraph:
    """NetworkX's Cytoscape.js reader (nodes named by ``data.value``), each node's ``value``
    checked against its ``id``."""
    graph = nx.cytoscape_graph(json.loads(data))
    assert isinstance(graph, nx.DiGraph) and not graph.is_multigraph()
    for key, node in graph.nodes(data=True):
        assert node["id"] == key, (key, node["id"])
    return graph


def edge_ids(name: str, data: bytes) -> list[str | None] | None:
    """The ``id`` of every edge element, in document order (None where one has none), for the
    formats whose edges carry ids (GEXF, Cytoscape.js); None for the others. Read from the
    document itself: a NetworkX DiGraph would fold edges that repeat a (source, target)."""
    if name == "cyjs":
        return [e["data"].get("id") for e in json.loads(data)["elements"]["edges"]]
    if name == "gexf":
        ids: list[str | None] = []

        def start(tag: str, attributes: dict[str, str]) -> None:
            if tag == "http://gexf.net/1.3 edge":
                ids.append(attributes.get("id"))

        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = start
        parser.Parse(data, True)
        return ids
    return None


NEO4J_CAST = {
    "int": int,
    "long": int,
    "boolean": lambda v: {"true": True, "false": False}[v],
    "string": str,
    "datetime": str,
}


def read_neo4j_zip(data: bytes) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[str]]]:
    """Each CSV file's rows, cells cast by their header type (empty means absent), and headers."""
    files: dict[str, list[dict[str, Any]]] = {}
    headers: dict[str, list[str]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not name.endswith(".csv"):
                continue
            reader = csv.reader(io.StringIO(archive.read(name).decode("utf-8"), newline=""))
            header = next(reader)
            headers[name] = header
            rows = []
            for cells in reader:
                assert len(cells) == len(header), (name, cells)
                row: dict[str, Any] = {}
                for column, cell in zip(header, cells, strict=True):
                    field, _, kind = column.partition(":")
                    if kind in {"ID", "LABEL", "START_ID", "END_ID", "TYPE"}:
                        row[":" + kind] = cell
                    elif cell != "":
                        row[field] = NEO4J_CAST[kind](cell)
                rows.append(row)
            files[name] = rows
    return files, headers


def from_neo4j(data: bytes) -> tuple[Nodes, Edges]:
    files, _ = read_neo4j_zip(data)
    nodes: Nodes = {}
    for name in ("articles.csv", "providers.csv", "topics.csv"):
        for row in files[name]:
            nodes[row[":ID"]] = _typed(row, row[":ID"])
    edges: Edges = {}
    for name in ("related.csv", "published_by.csv", "tagged.csv"):
        for row in files[name]:
            edges[row[":START_ID"], row[":END_ID"]] = (row[":TYPE"], row.get("rank"))
    return nodes, edges


def jsonld_key(node_id: str) -> str:
    if node_id.startswith("urn:graphsvc:provider:"):
        return "p:" + unquote(node_id.removeprefix("urn:graphsvc:provider:"))
    if node_id.startswith("urn:graphsvc:topic:"):
        return "t:" + unquote(node_id.removeprefix("urn:graphsvc:topic:"))
    return "a:" + node_id


def from_jsonld(data: bytes) -> tuple[Nodes, Edges]:
    """Plain form of the JSON-LD graph; RELATED ranks are the positions in ``mentions``."""
    doc = json.loads(data)
    assert doc["@context"] == "https://schema.org"
    names = {n["@id"]: n["name"] for n in doc["@graph"] if n["@type"] == "DefinedTerm"}
    nodes: Nodes = {}
    edges: Edges = {}
    for node in doc["@graph"]:
        key = jsonld_key(node["@id"])
        if node["@type"] == "NewsArticle":
            provider = node.get("publisher", {}).get("@id")
            nodes[key] = {
                "url": node["url"],
                "title": node["headline"],
                "publishedAt": node.get("datePublished"),
                "provider": jsonld_key(provider)[2:] if provider else None,
                "topics": tuple(names[t["@id"]] for t in node.get("about", ())),
            }
            if provider:
                edges[key, jsonld_key(provider)] = ("PUBLISHED_BY", None)
            for t in node.get("about", ()):
                edges[key, jsonld_key(t["@id"])] = ("TAGGED", None)
            for rank, m in enumerate(node.get("mentions", ()), start=1):
                edges[key, jsonld_key(m["@id"])] = ("RELATED", rank)
        elif node["@type"] == "Organization":
            nodes[key] = {"domain": key[2:], "name": node["name"]}
        else:
            assert node["@type"] == "DefinedTerm"
            nodes[key] = {"name": node["name"]}
    return nodes, edges


def read_any(name: str, data: bytes) -> tuple[Nodes, Edges]:
    """Any format, back to the plain form."""
    if name == "graphml":
        return from_nx(read_graphml(data))
    if name == "gexf":
        return from_nx(read_gexf(data))
    if name == "json":
        return from_nx(read_node_link(data))
    if name == "cyjs":
        return from_nx(read_cytoscape(data))
    if name == "neo4j-csv":
        return from_neo4j(data)
    assert name == "jsonld"
    return from_jsonld(data)


def restrict(nodes: Nodes, like: Nodes) -> Nodes:
    """``nodes`` keeping, per node, only the attributes the other side has (JSON-LD says less)."""
    return {k: {a: v for a, v in nodes[k].items() if a in like.get(k, {})} for k in nodes}
