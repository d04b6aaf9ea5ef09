"""Format details: the Neo4j header grammar and README, JSON-LD through a JSON-LD processor
(pyld, offline), XML escaping, and the docstring examples of graphsvc.export."""

from __future__ import annotations

import doctest
import importlib
import io
import re
import zipfile
from typing import Any

import pytest

from graphsvc.export import SelectionSpec, select
from graphsvc.export.jsonld import document_loader
from graphsvc.export.neo4j import NODE_FILES, RELATIONSHIP_FILES, import_command
from graphsvc.graph.queries import ArticleFilter
from graphsvc.graph.store import GraphStore
from tests.export.export_expect import export_bytes, read_graphml, read_neo4j_zip

# neo4j-admin's header grammar: `name:type`, a bare name (a string property), or a special
# field with an optional name (`id:ID`, `:LABEL`, `:START_ID`, `:END_ID`, `:TYPE`).
PROPERTY = re.compile(
    r"^[A-Za-z_][A-Za-z0-9_]*(:(int|long|float|double|boolean|string|datetime))?$"
)
SPECIAL = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)?:(ID|LABEL|START_ID|END_ID|TYPE)$")


def check_header(name: str, header: list[str]) -> None:
    for column in header:
        assert PROPERTY.match(column) or SPECIAL.match(column), (name, column)
    names = [c.split(":")[0] for c in header if c.split(":")[0]]
    assert len(names) == len(set(names)), (name, header)
    specials = sorted(c.split(":")[1] for c in header if SPECIAL.match(c))
    if name in {f.name for f in NODE_FILES}:
        assert specials == ["ID", "LABEL"], (name, header)
    else:
        assert specials == ["END_ID", "START_ID", "TYPE"], (name, header)


@pytest.mark.corpus
def test_neo4j_headers_follow_the_grammar(news_store: GraphStore) -> None:
    data = export_bytes(select(news_store), "neo4j-csv")
    files, headers = read_neo4j_zip(data)
    assert set(headers) == {f.name for f in NODE_FILES} | set(RELATIONSHIP_FILES.values())
    for name, header in headers.items():
        check_header(name, header)
    assert "publishedAt:datetime" in headers["articles.csv"]
    assert "quality:int" in headers["articles.csv"]
    assert headers["related.csv"][-1] == "rank:int"
    ids = {row[":ID"] for f in NODE_FILES for row in files[f.name]}
    for name in RELATIONSHIP_FILES.values():
        for row in files[name]:
            assert row[":START_ID"] in ids and row[":END_ID"] in ids
    labels = {row[":LABEL"] for row in files["articles.csv"]}
    assert labels == {"Article", "Article;Stub"}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        readme = archive.read("README.md").decode()
        assert archive.testzip() is None
    assert "neo4j-admin database import full" in readme and import_command() in readme
    for name in headers:
        assert (
            f"--{'nodes' if name in {f.name for f in NODE_FILES} else 'relationships'}={name}"
            in readme
        )
    assert "| related.csv | 41,996 |" in readme


def test_neo4j_csv_quotes_strings_and_leaves_nulls_empty(seeds_store: GraphStore) -> None:
    files, _ = read_neo4j_zip(export_bytes(select(seeds_store), "neo4j-csv"))
    raw = export_bytes(select(seeds_store), "neo4j-csv")
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        lines = archive.read("articles.csv").decode().splitlines()
    assert lines[1].startswith('"a:') and ',Article,"' in lines[1]
    stub = next(r for r in files["articles.csv"] if r.get("isStub"))
    assert "sources" not in stub and stub[":LABEL"] == "Article;Stub"


def expand(document: Any) -> list[dict[str, Any]]:
    jsonld = pytest.importorskip("pyld.jsonld")
    return jsonld.expand(document, {"documentLoader": document_loader})  # type: ignore[no-any-return]


def test_jsonld_expands_offline_to_schema_org_terms(seeds_store: GraphStore) -> None:
    import json

    doc = json.loads(export_bytes(select(seeds_store), "jsonld"))
    expanded = expand(doc)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for node in expanded:
        for t in node["@type"]:
            by_type.setdefault(t, []).append(node)
    assert len(by_type["http://schema.org/NewsArticle"]) == len(seeds_store.articles)
    assert len(by_type["http://schema.org/Organization"]) == len(seeds_store.providers)
    assert len(by_type["http://schema.org/DefinedTerm"]) == len(seeds_store.topics)
    full = next(
        n for n in by_type["http://schema.org/NewsArticle"] if "http://schema.org/about" in n
    )
    for term in ("headline", "datePublished", "url", "publisher", "about", "mentions"):
        assert f"http://schema.org/{term}" in full, term
    assert full["http://schema.org/url"] == [{"@id": full["@id"]}]
    publisher = full["http://schema.org/publisher"][0]["@id"]
    assert publisher.startswith("urn:graphsvc:provider:")
    jsonld = pytest.importorskip("pyld.jsonld")
    quads = jsonld.to_rdf(doc, {"documentLoader": document_loader, "format": "application/n-quads"})
    assert "<http://schema.org/headline>" in quads


@pytest.mark.corpus
def test_jsonld_of_a_news_topic_is_valid_json_ld(news_store: GraphStore) -> None:
    import json

    selection = select(news_store, SelectionSpec(ArticleFilter(topics=("AI",))))
    expanded = expand(json.loads(export_bytes(selection, "jsonld")))
    articles = [n for n in expanded if "http://schema.org/NewsArticle" in n["@type"]]
    assert len(articles) == len(selection.articles) == 51
    headlines = {n["@id"]: n["http://schema.org/headline"][0]["@value"] for n in articles}
    assert headlines == {
        news_store.articles[k].url: news_store.articles[k].title for k in selection.articles
    }


def test_the_offline_loader_serves_only_the_schema_org_context() -> None:
    assert (
        document_loader("https://schema.org")["document"]["@context"]["@vocab"]
        == "http://schema.org/"
    )
    with pytest.raises(ValueError, match="offline"):
        document_loader("https://example.com/context.jsonld")


def test_xml_survives_hostile_text(seeds_store: GraphStore) -> None:
    """Markup, quotes, line breaks and control characters in values still give valid XML."""
    import dataclasses

    key = seeds_store.full_by_date[0]
    article = seeds_store.articles[key]
    nasty = "A <b>\"bold\"</b> & 'quoted'\ttitle\r\nline two\x01"
    articles = dict(seeds_store.articles)
    articles[key] = dataclasses.replace(article, title=nasty)
    store = dataclasses.replace(seeds_store, articles=articles)
    graph = read_graphml(export_bytes(select(store), "graphml"))
    assert graph.nodes[key]["title"] == nasty.replace("\x01", "\ufffd")
    from tests.export.export_expect import read_gexf

    gexf = read_gexf(export_bytes(select(store), "gexf"))
    assert gexf.nodes[key]["label"] == nasty.replace("\x01", "\ufffd")
    assert gexf.nodes[key]["title"] == nasty.replace("\x01", "\ufffd")


@pytest.mark.parametrize(
    "module",
    [
        "graphsvc.export",
        "graphsvc.export.fields",
        "graphsvc.export.stream",
        "graphsvc.export.cytoscape",
        "graphsvc.export.select",
        "graphsvc.export.neo4j",
        "graphsvc.export.jsonld",
        "graphsvc.api.export_field",
    ],
)
def test_docstring_examples(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0
