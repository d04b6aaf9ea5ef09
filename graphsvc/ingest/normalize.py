"""Pure value normalisation: canonical URLs, provider domains, topic keys, text, dates, scalars.

Each function follows one rule of docs/data-model.md#values and knows nothing of files or graphs.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, time
from urllib.parse import urlsplit, urlunsplit

_AMP_RUN = re.compile(r"&(?:amp;|#38;|#[xX]0*26;)+")
_MAX_UNESCAPE_PASSES = 8

#: UTF-8 read as Windows-1252 always shows one of these lead characters; text without any
#: of them is left alone, which spares ftfy's slower checks on most accented text.
_MOJIBAKE_LEADS = frozenset("ÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ")

__all__ = [
    "canonical_url",
    "clean_text",
    "domain_of_url",
    "normalize_domain",
    "to_bool",
    "to_datetime",
    "to_int",
    "topic_fold",
]


def canonical_url(url: str) -> str:
    """Canonical form of an article URL (docs/data-model.md#values).

    Scheme and host are lower-cased, the fragment goes, ``utm_*`` query parameters go (the
    rest keep their order), and one trailing ``/`` goes from a non-root path.

    >>> canonical_url("HTTPS://WWW.Example.com/a/b/?utm_source=x&id=3&UTM_keep=1#top")
    'https://www.example.com/a/b?id=3&UTM_keep=1'
    >>> canonical_url("https://example.com/?utm_medium=rss")
    'https://example.com/'
    """
    url = url.strip()
    fast = _fast_canonical(url)
    return fast if fast is not None else _full_canonical(url)


def _full_canonical(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        netloc = f"{userinfo}@{host.lower()}"
    else:
        netloc = netloc.lower()
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("utm_"))
    path = parts.path
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    return urlunsplit((parts.scheme.lower(), netloc, path, query, ""))


def _fast_canonical(url: str) -> str | None:
    """Fast path for the common case, a URL with no query, fragment or user info and a
    lower-case scheme and host: the URL itself, less one trailing ``/`` of a non-root path.
    None when the full rules must run."""
    if "#" in url or "?" in url or "@" in url or "[" in url:
        return None
    start = url.find("://")
    if start <= 0:
        return None
    slash = url.find("/", start + 3)
    head = url if slash < 0 else url[:slash]
    if not head.islower() and head != head.lower():
        return None
    if slash < 0 or slash == len(url) - 1 or not url.endswith("/"):
        return url
    return url[:-1]


def normalize_domain(domain: str) -> str:
    """A provider domain: trimmed, lower-cased, a leading ``www.`` removed.

    >>> normalize_domain(" WWW.Example.COM ")
    'example.com'
    """
    d = domain.strip().lower()
    return d[4:] if d.startswith("www.") else d


def domain_of_url(url: str) -> str:
    """The provider domain implied by an article URL's host ("" when it has none)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return normalize_domain(host)


def topic_fold(name: str) -> str:
    """A topic's identity: its name trimmed and case-folded.

    >>> topic_fold("  Machine Learning ")
    'machine learning'
    """
    return name.strip().casefold()


def clean_text(text: str) -> str:
    """Text for display: HTML entities decoded until stable, mojibake repaired, BOMs removed.

    Nothing is trimmed.

    >>> clean_text("Don&amp;#39;t â€œpanicâ€\\ufeff")
    'Don\\'t “panic”'
    """
    out = text
    if "&" in out:
        # A run of encoded ampersands decodes to one "&", however long: collapsing it first
        # keeps "decode until stable" linear (an &amp;amp;amp;... title is not quadratic).
        out = _AMP_RUN.sub("&", out)
        for _ in range(_MAX_UNESCAPE_PASSES):
            decoded = html.unescape(out)
            if decoded == out:
                break
            out = decoded
    if not out.isascii():
        if _MOJIBAKE_LEADS.intersection(out):
            import ftfy  # only here: its import costs more than reading a kept store

            out = ftfy.fix_encoding(out)
        out = out.replace("\ufeff", "")
    return out


def to_datetime(value: object) -> datetime | None:
    """A UTC datetime from a YAML timestamp, date or ISO string; None when unparseable.

    Naive timestamps and bare dates are taken as UTC.

    >>> to_datetime("2021-02-18T02:55:00+02:00").isoformat()
    '2021-02-18T00:55:00+00:00'
    >>> to_datetime("yesterday") is None
    True
    """
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime.combine(value, time())
    elif isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    try:
        return dt.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # GraphQL's Int is 32-bit


def to_int(value: object) -> int | None:
    """An integer field (quality, heat, width, height): 32-bit ints only, booleans excluded."""
    if isinstance(value, int) and not isinstance(value, bool) and INT_MIN <= value <= INT_MAX:
        return value
    return None


def to_bool(value: object) -> bool | None:
    """A boolean field (published, removed): booleans only."""
    return value if isinstance(value, bool) else None
