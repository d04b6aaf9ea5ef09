"""Node identity, in one place: key prefixes, key builders, ``kind_of``, the node ID codec,
and the canonical-URL, provider-domain and topic-fold rules that decide when two spellings
name one node.

Node keys are plain strings with a kind prefix (``a:`` article URL, ``p:`` provider domain,
``t:`` folded topic name; ``s:`` names a story, which is not a graph node), so that one
NetworkX graph can hold every kind without clashes. The API shows a key as an opaque ID, its
base64url form.
"""

from __future__ import annotations

import base64
import binascii
from typing import Final
from urllib.parse import urlsplit, urlunsplit

from graphsvc.model import NodeKind

__all__ = [
    "ARTICLE_PREFIX",
    "PROVIDER_PREFIX",
    "STORY_PREFIX",
    "TOPIC_PREFIX",
    "article_key",
    "canonical_url",
    "decode_id",
    "encode_id",
    "is_article",
    "is_story",
    "key_value",
    "kind_of",
    "normalize_domain",
    "provider_key",
    "topic_fold",
    "topic_key",
]

ARTICLE_PREFIX: Final = "a:"
PROVIDER_PREFIX: Final = "p:"
TOPIC_PREFIX: Final = "t:"
#: Stories are not graph nodes, but their IDs share the codec.
STORY_PREFIX: Final = "s:"

_KIND_OF_PREFIX: Final = {
    ARTICLE_PREFIX: NodeKind.ARTICLE,
    PROVIDER_PREFIX: NodeKind.PROVIDER,
    TOPIC_PREFIX: NodeKind.TOPIC,
}
_ID_PREFIXES: Final = frozenset({*_KIND_OF_PREFIX, STORY_PREFIX})


def article_key(url: str) -> str:
    """Node key of the article with this canonical URL."""
    return ARTICLE_PREFIX + url


def provider_key(domain: str) -> str:
    """Node key of the provider with this normalised domain."""
    return PROVIDER_PREFIX + domain


def topic_key(folded: str) -> str:
    """Node key of the topic with this trimmed, case-folded name."""
    return TOPIC_PREFIX + folded


def kind_of(key: str) -> NodeKind:
    """The kind of a node key.

    >>> kind_of("t:ai")
    <NodeKind.TOPIC: 'topic'>
    """
    try:
        return _KIND_OF_PREFIX[key[:2]]
    except KeyError:
        raise ValueError(f"not a node key: {key!r}") from None


def is_article(key: str) -> bool:
    """Whether a node key names an article."""
    return key.startswith(ARTICLE_PREFIX)


def is_story(key: str) -> bool:
    """Whether a key names a story."""
    return key.startswith(STORY_PREFIX)


def key_value(key: str) -> str:
    """The identity part of a node key (URL, domain or folded topic name).

    >>> key_value("p:bbc.co.uk")
    'bbc.co.uk'
    """
    return key[2:]


def encode_id(key: str) -> str:
    """The opaque, stable ID of a node key (base64url, no padding).

    >>> encode_id("t:ai")
    'dDphaQ'
    """
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode_id(node_id: str) -> str | None:
    """The key inside an ID (a node's or a story's), or None when it is not one.

    >>> decode_id("dDphaQ"), decode_id("not an id")
    ('t:ai', None)
    """
    try:
        padded = node_id + "=" * (-len(node_id) % 4)
        key = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
    except (ValueError, binascii.Error, UnicodeError):
        return None
    return key if key[:2] in _ID_PREFIXES else None


def canonical_url(url: str) -> str:
    """Canonical form of an article URL (DATA-MODEL.md "Canonical URL, literally").

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


def topic_fold(name: str) -> str:
    """A topic's identity: its name trimmed and case-folded.

    >>> topic_fold("  Machine Learning ")
    'machine learning'
    """
    return name.strip().casefold()
