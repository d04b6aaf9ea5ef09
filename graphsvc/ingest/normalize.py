"""Pure value normalisation: dates, scalars, the provider domain of a URL; the identity rules
(canonical URLs, provider domains, topic folds, in ``graphsvc.identity``) and display text
(``graphsvc.text``) are re-exported here.

Each function follows one rule of DATA-MODEL.md and knows nothing of files or graphs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from urllib.parse import urlsplit

from graphsvc.identity import canonical_url, normalize_domain, topic_fold
from graphsvc.text import clean_text

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


def domain_of_url(url: str) -> str:
    """The provider domain implied by an article URL's host ("" when it has none)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return normalize_domain(host)


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
