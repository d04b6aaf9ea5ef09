"""Full-text search: ranking, kinds, prefixes, safe snippets, hostile queries, the real corpus."""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.graph.search import (
    MAX_FIRST,
    MAX_QUERY_CHARS,
    SNIPPET_CHARS,
    SearchDoc,
    SearchHit,
    SearchIndex,
)

NEWS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "news"
MARK = re.compile(r"</?mark>")

DOCS = [
    SearchDoc("a:title", "article", "Kubernetes in production", "Lessons from running clusters."),
    SearchDoc("a:body", "article", "Running clusters", "Lessons from Kubernetes in production."),
    SearchDoc("a:once", "article", "Serverless notes", "Functions scale. Containers help here."),
    SearchDoc("a:twice", "article", "Serverless notes", "Functions scale. Containers, containers."),
    SearchDoc("a:xss", "article", "<script>alert('x')</script> & Kubernetes", "Body & <b>bold</b>"),
    SearchDoc("a:creme", "article", "Crème brûlée at the café", "Dessert, not containers."),
    SearchDoc("a:kublr", "article", "Kublr adds features", "A Kubernetes distribution."),
    SearchDoc("a:abc", "article", "Alpha beta", "Nothing else."),
    SearchDoc("a:a", "article", "Alpha only", "Nothing else."),
    SearchDoc("t:kubernetes", "topic", "Kubernetes", ""),
    SearchDoc("t:ai", "topic", "AI", ""),
    SearchDoc("p:example.com", "provider", "Example News", ""),
]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(DOCS)


def keys(hits: list[SearchHit]) -> list[str]:
    return [hit.key for hit in hits]


def test_len_and_later_duplicate_wins() -> None:
    index = SearchIndex.build(
        [SearchDoc("a:1", "article", "old words", ""), SearchDoc("a:1", "article", "new", "")]
    )
    assert len(index) == 1
    assert index.search("old") == []
    assert keys(index.search("new")) == ["a:1"]


def test_empty_index() -> None:
    index = SearchIndex.build([])
    assert len(index) == 0
    assert index.search("anything") == []


def test_title_match_beats_body_match(index: SearchIndex) -> None:
    ranked = keys(index.search("production", kinds={"article"}))
    assert ranked.index("a:title") < ranked.index("a:body")


def test_more_occurrences_beat_fewer(index: SearchIndex) -> None:
    ranked = keys(index.search("containers notes"))
    assert ranked == ["a:twice", "a:once"]


def test_all_words_required_then_any_word(index: SearchIndex) -> None:
    assert keys(index.search("alpha beta")) == ["a:abc"]
    # No document has all three words: the ones with more of them come first.
    assert keys(index.search("alpha beta zeta")) == ["a:abc", "a:a"]


def test_scores_descend_and_first_limits(index: SearchIndex) -> None:
    hits = index.search("kubernetes", first=3)
    assert len(hits) == 3
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.score > 0 for h in hits)
    assert len(index.search("kubernetes", first=100)) == 5


def test_kinds_filter(index: SearchIndex) -> None:
    assert keys(index.search("kubernetes", kinds={"topic"})) == ["t:kubernetes"]
    assert {h.kind for h in index.search("kubernetes", kinds=["article"])} == {"article"}
    assert keys(index.search("kubernetes", kinds="topic")) == ["t:kubernetes"]
    assert index.search("kubernetes", kinds=[]) == []
    assert index.search("kubernetes", kinds={"nope"}) == []
    assert index.search("example", kinds={"provider", "topic"})[0].key == "p:example.com"


def test_prefix_of_last_word(index: SearchIndex) -> None:
    assert "t:kubernetes" in keys(index.search("kube"))
    assert keys(index.search("kubernetes prod")) == ["a:title", "a:body"]
    # The most frequent completion leads: "kub" means kubernetes before the rarer "kublr".
    assert index.search("kub", kinds={"topic", "article"})[0].key == "t:kubernetes"
    # A space after the word ends it; one letter is no prefix.
    assert index.search("kube ") == []
    assert index.search("k") == []


def test_case_and_diacritics_folded(index: SearchIndex) -> None:
    for query in ("creme brulee", "CRÈME", "Brûlée", "cafe", "CAFÉ"):
        assert keys(index.search(query)) == ["a:creme"], query
    assert index.search("creme")[0].snippet == "<mark>Crème</mark> brûlée at the café"


def test_snippet_marks_and_escapes(index: SearchIndex) -> None:
    (hit,) = index.search("script", kinds={"article"})
    assert hit.snippet == (
        "&lt;<mark>script</mark>&gt;alert(&#x27;x&#x27;)&lt;/<mark>script</mark>&gt; &amp; Kubernetes"
    )
    for hit in index.search("kubernetes") + index.search("bold"):
        plain = MARK.sub("", hit.snippet)
        assert "<" not in plain and ">" not in plain
        assert "<mark>" in hit.snippet


def test_snippet_prefers_field_with_more_matches(index: SearchIndex) -> None:
    (hit,) = index.search("lessons kubernetes production", kinds={"article"}, first=1)
    assert hit.key == "a:title"
    assert hit.snippet == "<mark>Kubernetes</mark> in <mark>production</mark>"
    body_hit = next(h for h in index.search("lessons kubernetes") if h.key == "a:body")
    assert body_hit.snippet == "<mark>Lessons</mark> from <mark>Kubernetes</mark> in production."


def test_long_body_snippet_is_a_window() -> None:
    body = " ".join(["filler"] * 100) + " the needle is here " + " ".join(["tail"] * 100)
    index = SearchIndex.build([SearchDoc("a:long", "article", "Long", body + "\r\n\r\nend")])
    (hit,) = index.search("needle")
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert "<mark>needle</mark>" in hit.snippet
    assert len(MARK.sub("", hit.snippet)) <= SNIPPET_CHARS + 2
    assert "\r" not in hit.snippet and "  " not in hit.snippet


HOSTILE = [
    "",
    "   \t\n",
    '"',
    '"unbalanced',
    "((((",
    "a AND OR NOT NEAR b",
    "NEAR(kubernetes production, 2)",
    "title:kubernetes",
    "kube*",
    "*",
    "^kubernetes",
    "-kubernetes",
    "+kubernetes~2",
    "[a-z]+.*(?:x)|\\d{1,3}$",
    "\x00",
    "kuber\x00netes",
    "🙂🙂 kubernetes 🙂",
    "\ud800 lone surrogate \udfff",
    "'; DROP TABLE docs; --",
    "x" * 100_000,
    "kubernetes " * 10_000,
    "k" * 41,
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_raise(index: SearchIndex, query: str) -> None:
    hits = index.search(query)
    assert isinstance(hits, list)
    assert len(hits) <= len(DOCS)


def test_blank_queries_and_odd_first_return_nothing(index: SearchIndex) -> None:
    assert index.search("") == []
    assert index.search("  \n ") == []
    assert index.search("kubernetes", first=0) == []
    assert index.search("kubernetes", first=-5) == []
    assert len(index.search("kubernetes", first=10**18)) == 5


def test_query_is_cut_at_max_query_chars(index: SearchIndex) -> None:
    padding = "zz " * (MAX_QUERY_CHARS // 3 + 1)
    assert index.search(padding + "kubernetes") == []
    assert index.search("kubernetes " + padding) != []


QUERY_PIECES = [
    *("kube", "kubernetes", "production", "crème", "é", "🙂", " ", "\x00", "\\", "title:"),
    *("AND", "OR", "NOT", "NEAR", '"', "(", ")", "*", ":", "^", "-", "+", "{", "}", "\ud800"),
]


@settings(max_examples=300, deadline=None)
@given(
    query=st.one_of(
        st.text(st.characters(exclude_categories=()), max_size=600),
        st.lists(
            st.sampled_from(QUERY_PIECES),
            max_size=40,
        ).map("".join),
    ),
    first=st.integers(min_value=-(2**70), max_value=2**70),
    kinds=st.none() | st.sets(st.sampled_from(["article", "topic", "provider", "x", ""])),
)
def test_any_text_query_never_raises(
    index: SearchIndex, query: str, first: int, kinds: set[str] | None
) -> None:
    hits = index.search(query, first=first, kinds=kinds)
    assert len(hits) <= min(max(first, 0), MAX_FIRST)
    for hit in hits:
        assert kinds is None or hit.kind in kinds
        plain = MARK.sub("", hit.snippet)
        assert "<" not in plain and ">" not in plain


def test_concurrent_searches_agree_with_serial(index: SearchIndex) -> None:
    queries = ["kubernetes", "kub", "containers", "crème", "alpha beta zeta", "script", "ai"] * 40
    serial = {q: index.search(q) for q in queries}
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda q: (q, index.search(q)), queries))
    assert all(hits == serial[q] for q, hits in results)


# --------------------------------------------------------------------------- real corpus


def _frontmatter(path: Path, loads: Any) -> dict[str, Any]:
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    fences = [i for i, line in enumerate(lines) if line.rstrip() == "---"][:2]
    data = loads("\n".join(lines[fences[0] + 1 : fences[1]]))
    assert isinstance(data, dict), path
    return data


def _corpus_docs(corpus: Path) -> list[SearchDoc]:
    """Articles (documents and related items, by URL), topics and providers of a corpus."""
    import yaml_rs

    docs: list[SearchDoc] = []
    for path in sorted(corpus.glob("*.md")):
        data = _frontmatter(path, yaml_rs.loads)
        for item in [data, *(data.get("related") or [])]:
            if not isinstance(item, dict):
                continue
            url = item.get("webUrl") or item.get("originalUrl")
            title, excerpt = str(item.get("title") or ""), str(item.get("excerpt") or "")
            if url:
                docs.append(SearchDoc(f"a:{url}", "article", title, excerpt))
            provider = item.get("provider") or {}
            if provider.get("domain"):
                name = str(provider.get("name") or provider["domain"])
                docs.append(SearchDoc(f"p:{provider['domain']}", "provider", name, ""))
        for topic in data.get("topics") or []:
            if isinstance(topic, str) and topic.strip():
                docs.append(SearchDoc(f"t:{topic.strip().casefold()}", "topic", topic.strip(), ""))
    return docs


@pytest.mark.corpus
def test_real_corpus_kubernetes() -> None:
    if not NEWS.is_dir():
        reason = f"the shared news corpus is not at {NEWS}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (mandatory when CI=true)")
        pytest.skip(reason)
    docs = _corpus_docs(NEWS)
    index = SearchIndex.build(docs)
    assert 3000 < len(index) <= len(docs)
    by_key = {doc.key: doc for doc in docs}

    hits = index.search("kubernetes", first=50)
    assert len(hits) == 50
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for hit in hits:
        doc = by_key[hit.key]
        assert "kubernetes" in (doc.title + " " + doc.body).casefold(), hit
        assert "<mark>" in hit.snippet
    # Title matches lead; typing a prefix finds the same best hit.
    assert "kubernetes" in by_key[hits[0].key].title.casefold()
    assert index.search("Kuber")[0].key == hits[0].key
    assert index.search("kubernetes", kinds={"article"})[0].kind == "article"


def test_odd_document_text_is_indexed() -> None:
    docs = [
        SearchDoc("a:s", "article", "lone \ud800 surrogate kubernetes", "nul \x00 byte"),
        SearchDoc("a:e", "article", "", ""),
        SearchDoc("a:l", "article", "x" * 50 + " long", "🙂 " * 1000 + "emoji"),
    ]
    index = SearchIndex.build(docs)
    assert len(index) == 3
    assert keys(index.search("kubernetes")) == ["a:s"]
    assert keys(index.search("byte")) == ["a:s"]
    assert keys(index.search("emoji")) == ["a:l"]
    assert index.search("x" * 50) == []  # words over 40 bytes are not indexed


# ------------------------------------------------------------------ an index kept on disk


def test_an_index_built_in_a_folder_opens_with_the_same_answers(
    index: SearchIndex, tmp_path: Path
) -> None:
    folder = tmp_path / "index"
    SearchIndex.build(DOCS, folder, "v1")
    opened = SearchIndex.open(folder, DOCS, "v1")
    for query in ("graph", "kub", "news provider", "café"):
        assert [(h.key, h.snippet) for h in opened.search(query)] == [
            (h.key, h.snippet) for h in index.search(query)
        ]
    assert len(opened) == len(index)


def test_an_index_of_other_documents_or_half_written_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    SearchIndex.build(DOCS, folder, "v1")
    with pytest.raises(ValueError, match="not of these documents"):
        SearchIndex.open(folder, DOCS, "v2")
    with pytest.raises(ValueError, match="not of these documents"):
        SearchIndex.open(folder, DOCS[:-1], "v1")
    (folder / "graphsvc-documents").unlink()  # written last: without it, the build never ended
    with pytest.raises(ValueError, match="no complete search index"):
        SearchIndex.open(folder, DOCS, "v1")
