"""The real corpus gives the worked example of docs/data-model.md, and yaml-rs agrees with PyYAML on it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from graphsvc.graph.store import GraphStore
from graphsvc.ingest.documents import HANDLER
from tests.support import pyyaml_frontmatter


def test_worked_example_counts(news_store: GraphStore) -> None:
    counts = news_store.counts
    # The figures are docs/data-model.md#a-worked-example, not this code's output.
    assert (counts.articles, counts.stubs, counts.providers, counts.topics) == (1368, 2559, 409, 20)
    assert (counts.related, counts.published_by, counts.tagged) == (41996, 3927, 1869)
    assert counts.edges == 47792
    kinds = Counter(w.kind for w in news_store.report.warnings)
    assert kinds["url-collision"] == 2
    assert kinds["self-related"] == 4
    assert news_store.report.rejected == []
    assert news_store.report.files == 1370


def test_biggest_topics_and_provider(news_store: GraphStore) -> None:
    topics = sorted(news_store.topics.values(), key=lambda t: -t.article_count)
    assert [(t.name, t.article_count) for t in topics[:3]] == [
        ("Azure", 1368),
        ("Databases", 58),
        ("AI", 51),
    ]
    top = max(news_store.providers.values(), key=lambda p: p.article_count)
    assert (top.domain, top.article_count) == ("microsoft.com", 615)


def test_store_invariants(news_store: GraphStore) -> None:
    graph = news_store.graph
    for key, article in news_store.articles.items():
        assert graph.nodes[key]["kind"] == "article"
        assert news_store.edge_kind(key, article.provider).value == "PUBLISHED_BY"
        if article.is_stub:
            assert not article.topics and not article.sources
            assert news_store.related_out(key) == []
        else:
            assert article.sources
    # Index lists are the full articles of each topic/provider, newest first.
    for tkey, keys in news_store.topic_articles.items():
        assert len(keys) == news_store.topics[tkey].article_count
        dates = [news_store.articles[k].published_at for k in keys]
        dated = [d for d in dates if d is not None]
        assert dated == sorted(dated, reverse=True)
    assert sum(len(v) for v in news_store.provider_articles.values()) == 1368


def test_yaml_rs_gives_the_same_objects_as_pyyaml(news_dir: Path) -> None:
    """The differential test of docs/architecture.md#the-yaml-parser: every real file, yaml-rs against PyYAML."""
    reference = pyyaml_frontmatter(news_dir)
    assert len(reference) == 1370
    for rel, expected in reference.items():
        fm, _ = HANDLER.split((news_dir / rel).read_text(encoding="utf-8"))
        assert HANDLER.load(fm) == expected, rel
