"""Reading single documents: delimiters, the safe YAML parser, and every kind of bad input."""

from __future__ import annotations

import re
import time

import frontmatter
import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphsvc.errors import IngestError
from graphsvc.ingest.documents import HANDLER, NewsHandler, _check_structure, read_record

GOOD = """---
title: "Hello &amp; welcome"
webUrl: "https://Example.com/a/?utm_source=x"
publishedDateTime: 2021-02-18T00:55:00Z
provider:
  name: Example
  domain: WWW.Example.com
topics: AI
related:
  - title: Other
    webUrl: https://other.org/b
  - null
  - title: Self
    webUrl: https://example.com/a
---
body
"""


def test_reads_a_good_document() -> None:
    record = read_record("good.md", GOOD.encode())
    assert record["url"] == "https://example.com/a"
    assert record["title"] == "Hello & welcome"
    assert record["provider"] == {"domain": "example.com", "name": "Example"}
    assert record["topics"] == ["AI"]
    assert [item["url"] for item in record["related"]] == ["https://other.org/b"]
    assert record["self_related"] == [3]
    assert ["related item 2 is null; dropped", "null-entry"] in record["warnings"]


def test_handler_works_through_python_frontmatter() -> None:
    post = frontmatter.loads(GOOD, handler=NewsHandler())
    assert post["title"] == "Hello &amp; welcome"
    assert post.content == "body"


@pytest.mark.parametrize(
    "text",
    [
        "\ufeff---\ntitle: t\nwebUrl: https://x.org/a\n---\n",
        "---  \ntitle: t\nwebUrl: https://x.org/a\n---\n",
        "---\r\ntitle: t\r\nwebUrl: https://x.org/a\r\n---\r\nbody\r\n",
        "---\ntitle: t\nwebUrl: https://x.org/a\n---",
    ],
)
def test_tolerated_openings(text: str) -> None:
    assert read_record("f.md", text.encode())["url"] == "https://x.org/a"


def test_closing_line_must_be_exact() -> None:
    # "---x" and "--- " do not close the block; the real closing line comes later.
    fm, body = HANDLER.split("---\na: 1\n---x\nb: 2\n--- \n---\nbody")
    assert fm == "a: 1\n---x\nb: 2\n--- \n"
    assert body == "body"


def rejected(raw: bytes | str) -> IngestError:
    data = raw.encode() if isinstance(raw, str) else raw
    with pytest.raises(IngestError) as info:
        read_record("bad.md", data)
    return info.value


def test_yaml_error_has_its_file_line() -> None:
    error = rejected("---\ntitle: ok\nwebUrl: https://x.org\nbroken: [1, 2\n---\n")
    assert error.reason.startswith("invalid YAML")
    assert error.line is not None and 4 <= error.line <= 6


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("no frontmatter here\n", "first line"),
        ("\n---\ntitle: t\n---\n", "first line"),
        ("---\ntitle: t\nwebUrl: https://x.org\n", "no closing"),
        ("---\n- a\n- b\n---\n", "list, not a mapping"),
        ("---\njust a string\n---\n", "string, not a mapping"),
        ("---\n---\n", "not a mapping"),
        ("---\nwebUrl: https://x.org/a\n---\n", "no title"),
        ("---\ntitle: '   '\nwebUrl: https://x.org/a\n---\n", "no title"),
        ("---\ntitle: true\nwebUrl: https://x.org/a\n---\n", "no title"),
        ("---\ntitle: [a, b]\nwebUrl: https://x.org/a\n---\n", "no title"),
        ("---\ntitle: t\n---\n", "no URL"),
        ("---\ntitle: t\nwebUrl: ''\noriginalUrl: 42\n---\n", "no URL"),
        ("---\ntitle: t\nwebUrl: 'http://[bad'\n---\n", "cannot be parsed"),
    ],
)
def test_rejections(raw: str, fragment: str) -> None:
    assert fragment in rejected(raw).reason


def test_binary_and_bad_encodings_are_rejected() -> None:
    assert "not UTF-8" in rejected(b"---\ntitle: caf\xe9\nwebUrl: https://x.org\n---\n").reason
    assert rejected(b"---\ntitle: caf\xe9\n").line == 2
    assert "NUL" in rejected(b"---\ntitle: a\x00b\nwebUrl: https://x.org\n---\n").reason
    assert "not UTF-8" in rejected(bytes(range(256)) * 10).reason


def test_numeric_title_and_original_url_fallback() -> None:
    record = read_record(
        "n.md", b"---\ntitle: 2021\nwebUrl: ' '\noriginalUrl: https://x.org/v\n---\n"
    )
    assert record["title"] == "2021"
    assert record["url"] == "https://x.org/v"


def test_wrong_value_types_become_null() -> None:
    record = read_record(
        "t.md",
        b"---\ntitle: t\nwebUrl: https://x.org/a\nquality: high\nheat: 1.5\npublished: 'yes'\n"
        b"publishedDateTime: someday\ntype: [a]\nprovider: acme\ntopics: {a: 1}\nimages: nope\n"
        b"related: {title: x}\nremoved: true\n---\n",
    )
    assert (record["quality"], record["heat"], record["published"], record["published_at"]) == (
        None,
        None,
        None,
        None,
    )
    assert record["type"] is None
    assert record["provider"] == {"domain": "x.org", "name": None}
    assert record["topics"] == [] and record["images"] == [] and record["related"] == []
    assert record["removed"] is True


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["---", "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']"]
    for i in range(ord("b"), ord("k")):
        prev = chr(i - 1)
        lines.append(f"{chr(i)}: &{chr(i)} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines += ["title: boom", "webUrl: https://x.org/bomb", "---", ""]
    started = time.perf_counter()
    error = rejected("\n".join(lines))
    assert time.perf_counter() - started < 5
    assert "invalid YAML" in error.reason


def test_python_tags_run_nothing(tmp_path: pytest.TempPathFactory) -> None:
    marker = f"{tmp_path}/pwned"
    raw = (
        "---\ntitle: !!python/object/apply:os.system ['touch " + marker + "']\n"
        "webUrl: https://x.org/tag\nexcerpt: !!python/name:os.system\n---\n"
    )
    try:
        record = read_record("tag.md", raw.encode())
    except IngestError:
        record = None
    import os

    assert not os.path.exists(marker)
    if record is not None:  # loaded as plain data: the title is a list, so it must be rejected
        raise AssertionError(f"a non-text title was accepted: {record['title']!r}")


def test_deep_nesting_is_rejected_not_crashing() -> None:
    raw = "---\ntitle: t\nwebUrl: https://x.org/d\ndeep: " + "[" * 5000 + "]" * 5000 + "\n---\n"
    try:
        record = read_record("deep.md", raw.encode())
    except IngestError as error:
        assert error.reason
    else:
        assert record["url"] == "https://x.org/d"


_REFERENCE_CLOSING = re.compile(r"^---\r?$", re.MULTILINE)


def _reference_split(text: str) -> tuple[str, str] | None:
    """The rule of docs/data-model.md#reading-a-file, literally: after a first line '---', up to the next line that is
    exactly '---' (the fast split searches for the newline first)."""
    first, sep, rest = text.removeprefix("\ufeff").partition("\n")
    if first.rstrip(" \t\r") != "---" or not sep:
        return None
    closing = _REFERENCE_CLOSING.search(rest)
    return None if closing is None else (rest[: closing.start()], rest[closing.end() + 1 :])


@given(st.lists(st.sampled_from(["---", "--- ", "----", "---\r", "a: 1", "", "x---", "\r"])))
def test_split_matches_the_rule_literally(lines: list[str]) -> None:
    text = "\n".join(["---", *lines])
    try:
        got: tuple[str, str] | None = NewsHandler().split(text)
    except ValueError:
        got = None
    assert got == _reference_split(text)


def test_deep_nesting_is_found_on_any_line() -> None:
    assert _check_structure(" " * 1000 + "a: 1")  # the first line
    assert _check_structure("a:\n" + "- " * 500 + "x")
    assert _check_structure("a: 1\r\n" + "\t" * 1000 + "b")
    assert _check_structure("a:\n" + " " * 999 + "x") is None
