"""Records as the parse cache stores them: numbers into one table of a corpus's strings.

The same URLs, titles, excerpts and provider names recur in many documents' related lists
(10k synthetic documents list 308k related items naming 26k articles), so a record keeps
each string as a number into a ``Strings`` table, which holds it once for the whole corpus.

A parse worker ``pack``s a record: the hex SHA-256 of its JSON (what the ingest's version
hashes), its strings in one flat list, in a fixed order, and its shape, the rest. The loader
turns the strings into the table's numbers (``Strings.ids``: one C-level pass), which is what
the cache stores, and ``unpack``s the shape and the numbers' strings into the ``Document``
the graph builder takes, its equal strings one object. Number 0 stands for null.

Shape of a document: ``[item, topic count, [item...] related, removed, [int...]
self_related, [[reason, kind]...] warnings]``; of an item: ``[count of other URLs, quality,
heat, published, width, height, width, height...]`` (two numbers an image). Its strings, in
order: per item (the document's own, then its related ones) the URL, title, excerpt,
published_at, type, provider domain and name, other URLs, image URLs; the topics right after
the document's own item.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

import orjson

from graphsvc.ingest.documents import Record
from graphsvc.model import Document, Item

#: A packed record: ``[digest, strings (or their numbers), shape]`` (module docstring).
Packed = list[Any]
_ITEM_STRINGS = 7  # URL, title, excerpt, published_at, type, provider domain and name
_ITEM = tuple.__new__  # makes an Item from its 12 values without NamedTuple's Python __new__


def pack(record: Record) -> bytes:
    """A document's record as JSON ``[digest, [string...], shape]`` (module docstring)."""
    flat: list[str | None] = []
    extend = flat.extend

    def item(f: Record) -> list[Any]:
        urls, provider, images = f["urls"], f["provider"], f["images"]
        extend((f["url"], f["title"], f["excerpt"], f["published_at"], f["type"]))
        extend((provider["domain"], provider["name"]))
        if len(urls) > 1:
            extend(urls[1:])
        shape = [len(urls) - 1, f["quality"], f["heat"], f["published"]]
        for link, width, height in images:
            flat.append(link)
            shape += (width, height)
        return shape

    own = item(record)
    extend(record["topics"])
    related = [item(i) for i in record["related"]]
    shape = [
        own,
        len(record["topics"]),
        related,
        record.get("removed"),
        record["self_related"],
        record["warnings"],
    ]
    digest = hashlib.sha256(orjson.dumps(record)).hexdigest()
    return orjson.dumps([digest, flat, shape])


class Strings:
    """A corpus's strings, numbered from 1 in the order they were first seen (0 is null);
    the numbers below ``stored`` are in the cache already."""

    def __init__(self, texts: list[str | None] | None = None) -> None:
        self.texts: list[str | None] = texts or [None]
        self.stored = len(self.texts)
        self._ids: dict[str | None, int] | None = None

    def ids(self, texts: list[str | None]) -> list[int]:
        """The numbers of these strings (0 for None), new ones numbered now."""
        if self._ids is None:  # built on first use: a warm load numbers nothing
            self._ids = {t: n for n, t in enumerate(self.texts)}
            self._ids[None] = 0
        known, table = self._ids, self.texts
        out: list[int | None] = list(map(known.get, texts))  # in C: most strings are known
        if None in out:
            for at, n in enumerate(out):
                if n is None:
                    text = texts[at]
                    n = known.get(text)  # a string twice in ``texts``: numbered once
                    if n is None:
                        n = known[text] = len(table)
                        table.append(text)
                    out[at] = n
        return out  # type: ignore[return-value]  # no None left

    def shared(self, ids: list[int]) -> list[str | None]:
        """The strings of these numbers; IndexError for a number not in the table."""
        if ids and min(ids) < 0:
            raise IndexError("a negative string number")
        return list(map(self.texts.__getitem__, ids))


def unpack(packed: Packed, strings: list[str | None]) -> Document:
    """The document of a packed record's shape and its ``strings``; raise ValueError (or
    IndexError, TypeError) when they do not fit together."""
    own, topics, related, removed, self_related, warnings = packed
    document, at = _item(own, strings, 0)
    names = strings[at : at + topics]
    at += topics
    items = []
    for fields in related:
        item, at = _item(fields, strings, at)
        items.append(item)
    if at != len(strings) or None in names:
        raise ValueError("the strings do not fit the shape")
    return Document(
        item=document,
        topics=tuple(cast(list[str], names)),
        related=tuple(items),
        removed=removed,
        self_related=tuple(self_related),
        warnings=tuple((reason, kind) for reason, kind in warnings),
    )


def _item(f: list[Any], strings: list[str | None], at: int) -> tuple[Item, int]:
    """The item of shape ``f`` whose strings start at ``at``, and where the next one's do."""
    url, title, excerpt, when, kind, domain, name = strings[at : at + _ITEM_STRINGS]
    at += _ITEM_STRINGS
    others = f[0]
    urls: tuple[str | None, ...] = (url,)
    if others:
        urls = (url, *strings[at : at + others])
        at += others
    images: tuple[tuple[str, int | None, int | None], ...] = ()
    if len(f) > 4:  # [width, height] of each image after the four scalars
        links = strings[at : at + (len(f) - 4) // 2]
        at += len(links)
        if None in links:
            raise ValueError("an image without a URL")
        images = tuple(zip(cast(list[str], links), f[4::2], f[5::2], strict=True))
    if url is None or title is None or domain is None or None in urls:
        raise ValueError("an item without a URL, title or provider domain")
    item = _ITEM(
        Item,
        (url, urls, title, excerpt, when, kind, f[1], f[2], f[3], domain, name, images),
    )
    return item, at
