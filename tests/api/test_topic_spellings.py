"""A topic written with an HTML entity (``Q&amp;A``): its identity is the raw spelling, trimmed
and case-folded (DATA-MODEL.md), its display name the decoded one (``Q&A``). The topic's own
article list, the filter and the lookup by name must all find its articles under either name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import strawberry

from graphsvc.api.context import Context
from graphsvc.corpus import load_store

DOCUMENT = """---
title: "{title}"
webUrl: "https://news.example.com/{slug}"
publishedDateTime: 2021-03-0{day}T08:00:00Z
provider:
  name: Example News
  domain: example.com
topics: {topics}
---
"""


def test_an_entity_spelled_topic_is_found_by_its_display_name(
    schema: strawberry.Schema, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for day, (slug, topics) in enumerate(
        [("one", '["Q&amp;A", "Azure"]'), ("two", '["Azure"]'), ("three", '["q&amp;a"]')], 1
    ):
        (corpus / f"{slug}.md").write_text(
            DOCUMENT.format(title=slug.title(), slug=slug, day=day, topics=topics)
        )
    store = load_store(corpus, cache_dir=tmp_path / "cache")

    def run(query: str, **variables: Any) -> Any:
        result = schema.execute_sync(query, variable_values=variables, context_value=Context(store))
        assert not result.errors, result.errors
        return result.data

    query = """query($name: String!) {
      topic(name: $name) { name articleCount articles(first: 10) { totalCount edges { node { url } } } }
      articles(filter: {topics: [$name]}) { totalCount }
    }"""
    expected_urls = {"https://news.example.com/one", "https://news.example.com/three"}
    for name in ("Q&A", "q&a", "Q&amp;A", " q&amp;a "):
        data: dict[str, Any] = run(query, name=name)
        topic = data["topic"]
        assert topic is not None, name
        assert topic["name"] == "Q&A"
        assert topic["articleCount"] == 2
        assert topic["articles"]["totalCount"] == 2
        assert {e["node"]["url"] for e in topic["articles"]["edges"]} == expected_urls
        assert data["articles"]["totalCount"] == 2, name
    both = run('{ articles(filter: {topics: ["Q&A", "azure"]}) { totalCount } }')
    assert both["articles"]["totalCount"] == 1
    missing = schema.execute_sync(
        '{ articles(filter: {topics: ["Q and A"]}) { totalCount } }', context_value=Context(store)
    )
    assert missing.errors and "no topic named 'Q and A'" in missing.errors[0].message
