"""Normalisation rules of docs/data-model.md#values, one by one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from urllib.parse import urlsplit, urlunsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphsvc.ingest.normalize import (
    canonical_url,
    clean_text,
    domain_of_url,
    normalize_domain,
    to_bool,
    to_datetime,
    to_int,
    topic_fold,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://WWW.Example.COM/Path/", "https://www.example.com/Path"),
        ("https://example.com/", "https://example.com/"),
        ("https://example.com", "https://example.com"),
        ("https://example.com/a#frag", "https://example.com/a"),
        (
            "https://example.com/a?utm_source=x&b=2&utm_medium=y&a=1",
            "https://example.com/a?b=2&a=1",
        ),
        ("https://example.com/a?utm_source=x", "https://example.com/a"),
        ("https://example.com/a?UTM_source=x", "https://example.com/a?UTM_source=x"),
        ("https://example.com/a?x_utm_source=1", "https://example.com/a?x_utm_source=1"),
        ("https://example.com/a%2Fb/", "https://example.com/a%2Fb"),
        ("https://example.com:8080/a", "https://example.com:8080/a"),
        ("https://example.com/a//", "https://example.com/a/"),
        ("  https://example.com/a  ", "https://example.com/a"),
    ],
)
def test_canonical_url(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


def _slow_canonical(url: str) -> str:
    """The rule written plainly, without the fast path."""
    parts = urlsplit(url.strip())
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("utm_"))
    path = parts.path[:-1] if len(parts.path) > 1 and parts.path.endswith("/") else parts.path
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user}@{host.lower()}"
    else:
        netloc = netloc.lower()
    return urlunsplit((parts.scheme.lower(), netloc, path, query, ""))


@given(
    st.from_regex(
        r"\A(https?|HTTP)://[A-Za-z.]{1,12}(/[A-Za-z0-9%._-]{0,6}){0,3}/?(\?[a-z_=&A-Z]{0,12})?(#[a-z]{0,3})?\Z"
    )
)
def test_fast_path_agrees_with_the_plain_rule(url: str) -> None:
    assert canonical_url(url) == _slow_canonical(url)


def test_domains() -> None:
    assert normalize_domain("WWW.Example.com") == "example.com"
    assert normalize_domain("wwwexample.com") == "wwwexample.com"
    assert domain_of_url("https://WWW.News.Example.org:443/x") == "news.example.org"
    assert domain_of_url("not a url") == ""


def test_topic_fold() -> None:
    assert topic_fold("  AI ") == topic_fold("ai") == topic_fold("Ai") == "ai"
    assert topic_fold("Straße") == "strasse"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("Don&amp;#39;t", "Don't"),
        ("&amp;amp;lt;", "<"),
        ("Itâ€™s here", "It’s here"),
        ("ï»¿Hello", "Hello"),
        ("\ufeffHello", "Hello"),
        ("  café  ", "  café  "),
        ("Ünïcödé stays", "Ünïcödé stays"),
        ("plain", "plain"),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_dates() -> None:
    assert to_datetime(
        datetime(2021, 2, 18, 2, 0, tzinfo=timezone(timedelta(hours=2)))
    ) == datetime(2021, 2, 18, 0, 0, tzinfo=UTC)
    assert to_datetime(datetime(2021, 2, 18, 2, 0)) == datetime(2021, 2, 18, 2, 0, tzinfo=UTC)
    assert to_datetime(date(2021, 2, 18)) == datetime(2021, 2, 18, tzinfo=UTC)
    assert to_datetime("2021-02-18T00:55:00Z") == datetime(2021, 2, 18, 0, 55, tzinfo=UTC)
    assert to_datetime("2021-02-18") == datetime(2021, 2, 18, tzinfo=UTC)
    for bad in ("last tuesday", "", 20210218, None, ["2021-02-18"], True):
        assert to_datetime(bad) is None


def test_scalars() -> None:
    assert to_int(5) == 5
    assert to_int(True) is None
    assert to_int("5") is None
    assert to_int(5.0) is None
    assert to_bool(False) is False
    assert to_bool("false") is None
    assert to_bool(0) is None
