"""Small corpora whose expected graphs were worked out by hand from docs/data-model.md.

Each folder's expected.json says, in its "how" key, how every number follows from the rules.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

import pytest

from graphsvc.corpus import load_store
from graphsvc.graph.store import GraphStore
from graphsvc.identity import article_key, provider_key, topic_key
from tests.support import DATA, SEEDS

CASES = {
    "basic": DATA / "basic",
    "dupes": DATA / "dupes",
    "bad": DATA / "bad",
    "seeds": SEEDS,
}


def expected_for(name: str) -> dict[str, Any]:
    path = DATA / ("seeds_expected.json" if name == "seeds" else f"{name}/expected.json")
    return dict(json.loads(path.read_text()))


@pytest.fixture(scope="module", params=sorted(CASES))
def case(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[GraphStore, dict[str, Any]]:
    name = request.param
    store = load_store(CASES[name], cache_dir=tmp_path_factory.mktemp("cache"))
    return store, expected_for(name)


def test_counts(case: tuple[GraphStore, dict[str, Any]]) -> None:
    store, want = case
    counts = store.counts
    python_tag_loaded = article_key("https://good.example.com/thirteen") in store.articles
    if python_tag_loaded:  # the "either" file of bad/ loaded as plain data
        want = {**want, **want["counts_if_python_tag_loaded"]}
    got = {
        "articles": counts.articles,
        "stubs": counts.stubs,
        "providers": counts.providers,
        "topics": counts.topics,
        "edges": counts.edges,
        "edges_by_kind": {
            "RELATED": counts.related,
            "PUBLISHED_BY": counts.published_by,
            "TAGGED": counts.tagged,
        },
    }
    assert got == {k: want[k] for k in got}
    kinds = Counter(w.kind for w in store.report.warnings)
    assert kinds["url-collision"] == want["collisions"]
    assert kinds["self-related"] == want["self_related"]
    unusable = sum(  # null images and topics give null-entry warnings too
        1
        for w in store.report.warnings
        if w.kind == "null-entry" and w.reason.startswith("related")
    )
    assert unusable + kinds["bad-related"] == want["unusable_related_items"]


def test_rejected_files(case: tuple[GraphStore, dict[str, Any]]) -> None:
    store, want = case
    rejected = {p.path: p for p in store.report.rejected}
    either = set(want.get("either", {}))
    assert set(rejected) - either == {r["path"] for r in want["rejected"]}
    for row in want["rejected"]:
        if row["line"] is not None:
            assert rejected[row["path"]].line == row["line"], row
    for name in want.get("ignored_files", []):
        assert any(entry.startswith(name) for entry in store.report.ignored)
    for spec in want.get("either", {}).values():
        assert not os.path.exists(spec["must_not_exist_after_ingest"])


def test_providers_and_topics(case: tuple[GraphStore, dict[str, Any]]) -> None:
    store, want = case
    extra: Counter[str] = Counter()  # the "either" file of bad/, when it loaded as plain data
    for spec in want.get("either", {}).values():
        loaded = store.articles.get(article_key(spec["or_loaded_as"]))
        if loaded is not None:
            extra[loaded.provider] += 1
    for domain, spec in want["providers_detail"].items():
        provider = store.providers[provider_key(domain)]
        count = spec["articleCount"] + extra[provider.key]
        assert (provider.name, provider.article_count) == (spec["name"], count), domain
    for folded, spec in want["topics_detail"].items():
        topic = store.topics[topic_key(folded)]
        assert (topic.name, topic.article_count) == (spec["name"], spec["articleCount"]), folded
    absent = want.get("absent", {})
    for domain in absent.get("providers", []):
        assert provider_key(domain) not in store.providers
    for folded in absent.get("topics", []):
        assert topic_key(folded) not in store.topics
    for url in absent.get("articles", []):
        assert article_key(url) not in store.articles


def test_articles_and_stubs(case: tuple[GraphStore, dict[str, Any]]) -> None:
    store, want = case
    for path, url in want.get("article_urls", {}).items():
        article = store.articles[article_key(url)]
        assert path in article.sources and not article.is_stub
    for url, title in {**want.get("article_titles", {}), **want.get("titles", {})}.items():
        assert store.articles[article_key(url)].title == title
    for url, excerpt in want.get("excerpts", {}).items():
        assert store.articles[article_key(url)].excerpt == excerpt
    for url, when in want.get("published_at", {}).items():
        published = store.articles[article_key(url)].published_at
        assert published is not None and published.strftime("%Y-%m-%dT%H:%M:%SZ") == when
    for url in want.get("stub_urls", []):
        assert store.articles[article_key(url)].is_stub
    for url, spec in want.get("stubs_detail", {}).items():
        stub = store.articles[article_key(url)]
        assert stub.is_stub
        if "title" in spec:
            assert stub.title == spec["title"]
        if "publishedAt" in spec and stub.published_at is not None:
            assert stub.published_at.strftime("%Y-%m-%dT%H:%M:%SZ") == spec["publishedAt"]
        if "provider" in spec:
            assert stub.provider == provider_key(spec["provider"])
    by_path = {path: a.key for a in store.articles.values() for path in a.sources}
    for path, targets in want.get("related_out_in_order", {}).items():
        assert [k[2:] for k in store.related_out(by_path[path])] == targets
    for url, spec in want.get("articles_detail", {}).items():
        article = store.articles[article_key(url)]
        for field, value in spec.items():
            if field == "sourcePaths":
                assert list(article.sources) == value
            elif field == "provider":
                assert article.provider == provider_key(value)
            elif field == "topics":
                assert [t[2:] for t in article.topics] == value
            elif field == "images":
                assert len(article.images) == value
            elif field == "related_in":
                assert sorted(k[2:] for k in store.related_in(article.key)) == sorted(value)
            else:
                assert getattr(article, field) == value, (url, field)
