"""Read one document: split its frontmatter, parse the YAML safely, normalise it into a record.

A record is plain JSON-ready data (so the parse cache can store it as JSON): the document's own
fields, cleaned, and its related items, each normalised on its own. Merging documents into
articles happens later, in ``graph.build``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import yaml_rs
from frontmatter.default_handlers import BaseHandler

from graphsvc.errors import IngestError
from graphsvc.identity import canonical_url, normalize_domain
from graphsvc.ingest.normalize import (
    domain_of_url,
    to_bool,
    to_datetime,
    to_int,
)
from graphsvc.model import Document, Item
from graphsvc.text import clean_text

#: A document as parsed, JSON-ready: what the parse cache keeps (ingest/cache.py), or a
#: rejection (``{"error": ..., "line": ...}``). ``compact`` makes it the typed ``Document``
#: that leaves ingest.
Record = dict[str, Any]


def compact(record: Record, strings: dict[str, str]) -> Document:
    """The typed document of a (non-rejection) record, its related items as ``Item`` tuples
    whose strings are shared through ``strings`` (one table for a whole corpus: the same item
    recurs in many lists)."""
    share = strings.setdefault
    return Document(
        item=item_of(record),
        topics=tuple(record["topics"]),
        related=tuple(item_of(item, share) for item in record["related"]),
        removed=record.get("removed"),
        self_related=tuple(record["self_related"]),
        warnings=tuple((reason, kind) for reason, kind in record["warnings"]),
    )


def _same(value: str, default: str) -> str:
    return value


def item_of(fields: Record, share: Callable[[str, str], str] = _same) -> Item:
    """The article fields of a record or of one of its related items, as an ``Item``; strings
    go through ``share`` (``strings.setdefault`` shares equal ones)."""
    url = share(fields["url"], fields["url"])
    provider = fields["provider"]
    name = provider["name"]
    title, excerpt = fields["title"], fields["excerpt"]
    when, kind = fields["published_at"], fields["type"]
    urls = fields["urls"]
    return Item(
        url,
        (url,) if len(urls) == 1 else tuple(share(u, u) for u in urls),
        share(title, title),
        None if excerpt is None else share(excerpt, excerpt),
        None if when is None else share(when, when),
        None if kind is None else share(kind, kind),
        fields["quality"],
        fields["heat"],
        fields["published"],
        share(provider["domain"], provider["domain"]),
        None if name is None else share(name, name),
        tuple((share(u, u), w, h) for u, w, h in fields["images"]) if fields["images"] else (),
    )


#: YAML alias replays allowed per file: refuses "billion laughs" bombs in well under a second.
ALIAS_LIMITS = yaml_rs.AliasLimits(max_total_replayed_events=1_000_000)
_YAML_LINE = re.compile(r"line (\d+)")
#: The closing line ``---`` (or ``---\r``) after a newline. Searching for the newline first
#: is about 6x faster than a MULTILINE ``^---\r?$`` over 35 MB of frontmatter.
_CLOSING = re.compile(r"\n---\r?(?=\n|\Z)")
_CLOSING_FIRST = re.compile(r"---\r?(?=\n|\Z)")
UNKNOWN_DOMAIN = "unknown"


class NewsHandler(BaseHandler):
    """python-frontmatter handler with the yaml-rs parser and the exact delimiters of
    docs/data-model.md#reading-a-file.

    Frontmatter starts at a first line ``---`` (a byte-order mark and trailing blanks
    tolerated) and ends at the next line that is exactly ``---``. yaml-rs is a safe loader:
    ``!!python/...`` tags come back as plain data and alias bombs are refused.
    Usable on its own: ``frontmatter.loads(text, handler=NewsHandler())``.
    """

    FM_BOUNDARY = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "---"

    def split(self, text: str) -> tuple[str, str]:
        """Frontmatter text and body; ValueError when there is no frontmatter block."""
        text = text.removeprefix("\ufeff")
        first, sep, rest = text.partition("\n")
        if first.rstrip(" \t\r") != "---" or not sep:
            raise ValueError("the first line is not '---', so there is no frontmatter")
        first_line = _CLOSING_FIRST.match(rest)  # an empty frontmatter block
        if first_line is not None:
            return "", rest[first_line.end() + 1 :]
        closing = _CLOSING.search(rest)
        if closing is None:
            raise ValueError("the frontmatter has no closing '---' line")
        return rest[: closing.start() + 1], rest[closing.end() + 1 :]

    def load(self, fm: str) -> Any:
        """Parse frontmatter YAML with yaml-rs (duplicate keys: the last wins, as in PyYAML)."""
        return yaml_rs.loads(
            fm,
            alias_limits=ALIAS_LIMITS,
            duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.LastWins,
        )  # not always a mapping: parse_frontmatter checks

    def export(self, metadata: dict[str, object], **kwargs: object) -> str:
        """Metadata back to YAML text."""
        return str(yaml_rs.dumps(metadata))


HANDLER = NewsHandler()


def parse_frontmatter(path: str, raw: bytes) -> dict[str, Any]:
    """Decode and parse a document's frontmatter mapping, or raise IngestError."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise IngestError(path, f"not UTF-8 text (byte {exc.start})", line) from None
    if "\x00" in text:
        raise IngestError(
            path, "binary content (NUL byte)", text[: text.index("\x00")].count("\n") + 1
        )
    try:
        fm, _body = HANDLER.split(text)
    except ValueError as exc:
        raise IngestError(path, str(exc), 1) from None
    problem = _check_structure(fm)
    if problem:
        raise IngestError(path, problem, None)
    try:
        data = HANDLER.load(fm)
    except yaml_rs.YAMLDecodeError as exc:
        message = str(exc).strip()
        m = _YAML_LINE.search(message)
        yaml_line = int(m.group(1)) + 1 if m else None  # +1: the opening '---' line
        reason = message.splitlines()[-1].strip() if message else "invalid YAML"
        raise IngestError(path, f"invalid YAML: {reason}", yaml_line) from None
    except Exception as exc:  # the parser's own limits, e.g. recursion
        raise IngestError(path, f"invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise IngestError(path, f"frontmatter is a {_type_name(data)}, not a mapping", 2)
    return data


#: Nesting deeper than this (a line's leading spaces and "- " markers) is refused before
#: parsing: yaml-rs recurses per level and a 24 KB file nested 12,000 deep overflows its stack.
MAX_NESTING_PREFIX = 1000
_DEEP_PREFIX = rf"[ \t-]{{{MAX_NESTING_PREFIX}}}"
_DEEP_FIRST, _DEEP_LINE = re.compile(_DEEP_PREFIX), re.compile(rf"\n{_DEEP_PREFIX}")
#: Aliases may repeat an anchored value this many bytes in all (estimated as aliases × size):
#: the replay limit counts events, not bytes, so one big anchored string could fill memory.
MAX_ALIAS_BYTES = 50_000_000
_ALIAS = re.compile(r"(?:^|[\s\[{,:])\*[^\s,\[\]{}]+")


def _check_structure(fm: str) -> str | None:
    """Why this frontmatter must not reach the YAML parser, or None."""
    if _DEEP_FIRST.match(fm) or _DEEP_LINE.search(fm):
        return f"frontmatter nested too deeply (a line indented over {MAX_NESTING_PREFIX} levels)"
    # Every alias has a "*", so the count of "*" (fast) bounds the count of aliases (slow).
    if "&" in fm and fm.count("*") * len(fm) > MAX_ALIAS_BYTES:
        aliases = len(_ALIAS.findall(fm))
        if aliases * len(fm) > MAX_ALIAS_BYTES:
            return (
                f"YAML aliases could expand to over {MAX_ALIAS_BYTES:,} bytes"
                f" ({aliases:,} aliases in {len(fm):,} bytes)"
            )
    return None


def read_record(path: str, raw: bytes) -> Record:
    """The normalised record of one document's bytes, or raise IngestError."""
    return build_record(path, parse_frontmatter(path, raw))


def build_record(path: str, data: dict[str, Any]) -> Record:
    """Normalise parsed frontmatter into a record (docs/data-model.md), or raise IngestError."""
    warnings: list[list[str]] = []
    url_raw = _url_of(data)
    if url_raw is None:
        raise IngestError(path, "no URL: neither webUrl nor originalUrl is a non-blank string")
    try:
        url = _canonical(url_raw)
    except ValueError as exc:
        raise IngestError(path, f"URL {url_raw!r} cannot be parsed: {exc}") from None
    title = _title_of(data.get("title"))
    if title is None:
        raise IngestError(path, "no title: title is missing, blank or not text")
    record: Record = _article_fields(data, url_raw, url, title, warnings)
    record.update(
        removed=to_bool(data.get("removed")),
        topics=_topics_of(data.get("topics"), warnings),
    )
    record["related"], record["self_related"] = _related_of(data.get("related"), url, warnings)
    record["warnings"] = warnings
    return record


def _article_fields(
    data: dict[str, Any], raw: str, url: str, title: str, warnings: list[list[str]]
) -> dict[str, Any]:
    """Fields shared by documents and related items (one dict: this runs for every item)."""
    get = data.get
    excerpt = get("excerpt")
    kind = get("type")
    images = get("images")
    return {
        "url": url,
        "urls": _all_urls(data, url, raw),
        "title": _clean(title, "title", warnings),
        "excerpt": _clean(excerpt, "excerpt", warnings) if isinstance(excerpt, str) else None,
        "published_at": _iso_datetime(get("publishedDateTime")),
        "type": kind if isinstance(kind, str) else None,
        "quality": to_int(get("quality")),
        "heat": to_int(get("heat")),
        "published": to_bool(get("published")),
        "provider": _provider_of(get("provider"), url, warnings),
        "images": [] if images is None else _images_of(images, warnings),
    }


#: Per-process memos of the rules that see the same values again and again (a URL, a date or
#: a title recurs in many related lists): emptied when they reach ``_MEMO_LIMIT`` entries.
_MEMO_LIMIT = 1 << 16
K = TypeVar("K")
V = TypeVar("V")
_CANONICAL: dict[str, str] = {}
_CLEAN: dict[str, str] = {}
_DATES: dict[object, str | None] = {}
_MISSING = object()
_DOMAINS: dict[str, str] = {}


def _memoised(memo: dict[K, V], key: K, compute: Callable[[K], V]) -> V:
    """``compute(key)``, kept in ``memo`` (emptied when full; an error is not kept)."""
    value = memo.get(key, _MISSING)
    if value is _MISSING:
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        value = memo[key] = compute(key)
    return value  # type: ignore[return-value]  # not _MISSING


def _canonical(raw: str) -> str:
    """``canonical_url``, memoised (a URL that cannot be parsed raises each time)."""
    return _memoised(_CANONICAL, raw, canonical_url)


def _iso_datetime(value: object) -> str | None:
    """``to_datetime`` as ISO 8601 text, memoised for timestamps and strings."""
    kind = type(value)
    if kind is not datetime and kind is not str:
        return None if value is None else _iso(value)
    return _memoised(_DATES, value, _iso)


def _iso(value: object) -> str | None:
    when = to_datetime(value)
    return when.isoformat() if when else None


def _domain(value: str) -> str:
    """``normalize_domain``, memoised."""
    return _memoised(_DOMAINS, value, normalize_domain)


def _related_of(
    value: object, url: str, warnings: list[list[str]]
) -> tuple[list[Record], list[int]]:
    """Distinct related items in list order, and the positions of items naming the article
    itself (reported by ``graph.build``, for the documents that win their URL only)."""
    selves: list[int] = []
    items: list[Record] = []
    if value is None:
        return items, []
    if not isinstance(value, list):
        warnings.append(["related is not a list; ignored", "bad-related"])
        return items, []
    position: dict[str, int] = {}  # URL -> index in items (the first mention fixes the rank)
    for index, item in enumerate(value, start=1):
        if item is None:
            warnings.append([f"related item {index} is null; dropped", "null-entry"])
            continue
        if not isinstance(item, dict):
            warnings.append([f"related item {index} is not a mapping; dropped", "bad-related"])
            continue
        item_url_raw = _url_of(item)
        if item_url_raw is None:
            warnings.append([f"related item {index} has no URL; dropped", "bad-related"])
            continue
        try:
            item_url = _canonical(item_url_raw)
        except ValueError:
            warnings.append([f"related item {index} has a bad URL; dropped", "bad-related"])
            continue
        if item_url == url:
            selves.append(index)
            continue
        title = _title_of(item.get("title")) or ""
        fields = _article_fields(item, item_url_raw, item_url, title, warnings)
        if item_url in position:
            warnings.append(
                [f"related item {index} repeats {item_url}; counted once", "duplicate-related"]
            )
            # A stub's fields come from its latest mention (docs/data-model.md#merging), a
            # repeat in the same list included; on a tie the later mention wins, as the later
            # path does.
            kept = items[position[item_url]]
            if (fields["published_at"] or "") >= (kept["published_at"] or ""):
                items[position[item_url]] = fields
            continue
        position[item_url] = len(items)
        items.append(fields)
    return items, selves


def _url_of(data: dict[str, Any]) -> str | None:
    """``webUrl`` when it is a non-blank string, else ``originalUrl``, else None."""
    for key in ("webUrl", "originalUrl"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _all_urls(data: dict[str, Any], url: str, raw: str) -> list[str]:
    """Every canonical URL an article can be looked up by, its own (``url``, made from the
    value ``raw``) first."""
    urls = [url]
    for key in ("webUrl", "originalUrl"):
        value = data.get(key)
        if value is None or value is raw or value == url:
            continue
        if isinstance(value, str) and value.strip():
            try:
                other = _canonical(value)
            except ValueError:
                continue
            if other not in urls:
                urls.append(other)
    return urls


def _title_of(value: object) -> str | None:
    """A title: text, or a number made text; None when missing or blank."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        value = str(value)
    if isinstance(value, str) and value.strip():
        return value
    return None


def _topics_of(value: object, warnings: list[list[str]]) -> list[str]:
    """Topic spellings, trimmed: a bare string is a one-item list; non-strings and blanks go,
    a null entry with a ``null-entry`` warning (as null related items and images get)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    for index, topic in enumerate(value, start=1):
        if topic is None:
            warnings.append([f"topic {index} is null; dropped", "null-entry"])
    return [t.strip() for t in value if isinstance(t, str) and t.strip()]


def _provider_of(value: object, url: str, warnings: list[list[str]]) -> dict[str, Any]:
    """Provider domain (normalised, or the URL's host) and its raw display name."""
    domain = ""
    name = None
    if isinstance(value, dict):
        if isinstance(value.get("domain"), str):
            domain = _domain(value["domain"])
        raw_name = value.get("name")
        if isinstance(raw_name, str) and raw_name.strip():
            name = raw_name
    if not domain:
        domain = domain_of_url(url) or UNKNOWN_DOMAIN
    return {"domain": domain, "name": name}


def _images_of(value: object, warnings: list[list[str]]) -> list[list[Any]]:
    """Images as ``[url, width, height]``; entries without a URL are reported and dropped."""
    if not isinstance(value, list):
        return []
    images: list[list[Any]] = []
    for index, image in enumerate(value, start=1):
        if isinstance(image, dict) and isinstance(image.get("url"), str) and image["url"].strip():
            images.append([image["url"], to_int(image.get("width")), to_int(image.get("height"))])
        else:
            kind = "null-entry" if image is None else "bad-image"
            warnings.append([f"image {index} has no URL; dropped", kind])
    return images


def _clean(text: str, field: str, warnings: list[list[str]]) -> str:
    if text.isascii() and "&" not in text:
        return text  # nothing to repair (most text): spares a call
    cleaned = _memoised(_CLEAN, text, clean_text)
    if cleaned != text:
        warnings.append([f"{field} text repaired", "repaired-text"])
    return cleaned


def _type_name(value: object) -> str:
    return {list: "list", str: "string", type(None): "empty document"}.get(
        type(value), type(value).__name__
    )
