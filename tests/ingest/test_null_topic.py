"""A null topic entry is dropped with a ``null-entry`` warning, as null related items and
images are; blank and non-string topics are dropped as before."""

from __future__ import annotations

from graphsvc.ingest.documents import build_record


def test_a_null_topic_gives_a_null_entry_warning() -> None:
    record = build_record(
        "a.md", {"title": "A", "webUrl": "https://x.org/a", "topics": ["AI", None, " ", None]}
    )
    assert record["topics"] == ["AI"]
    assert record["warnings"] == [
        ["topic 2 is null; dropped", "null-entry"],
        ["topic 4 is null; dropped", "null-entry"],
    ]


def test_topics_without_nulls_give_no_warning() -> None:
    record = build_record("a.md", {"title": "A", "webUrl": "https://x.org/a", "topics": "AI"})
    assert record["topics"] == ["AI"] and record["warnings"] == []
