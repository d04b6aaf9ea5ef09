"""Records as the parse cache stores them: numbers into one table of a corpus's strings.

The same URLs, titles, excerpts and provider names recur in many documents' related lists
(100k synthetic documents list 3.1M items naming about 250k articles), so a record keeps
each string as a number into a ``Strings`` table, which holds it once for the whole corpus.

A parse worker ``pack``s a record: its distinct strings, in first-use order, and its shape
with each string replaced by its position in that list. The loader turns the positions into
the table's numbers (``Strings.ids``), which is what the cache stores, and ``unpack``s the
shape into the ``Document`` the graph builder takes, its equal strings one object.

Shape of a document (JSON arrays; ``S`` a string's number, ``null`` kept):
``[item, [S topic...], [item...] related, removed, [int...] self_related, [[reason, kind]...]]``
and of an item: ``[S url, [S...] other urls, S title, S excerpt, S published_at, S type,
quality, heat, published, S provider domain, S provider name, [[S url, width, height]...]]``.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from graphsvc.ingest.documents import Record
from graphsvc.model import Document, Item

#: A packed record: the hex SHA-256 of the record's JSON (what the ingest's version hashes),
#: its strings (or their numbers in a ``Strings`` table), and its shape.
Packed = list[Any]


def pack(record: Record) -> bytes:
    """A document's record as JSON ``[digest, [string...], shape]`` (module docstring)."""
    local: dict[str, int] = {}

    def s(text: str | None) -> int | None:
        if text is None:
            return None
        n = local.get(text)
        if n is None:
            n = local[text] = len(local)
        return n

    def item(f: Record) -> list[Any]:
        urls = f["urls"]
        provider = f["provider"]
        return [
            s(f["url"]),
            [s(u) for u in urls[1:]],
            s(f["title"]),
            s(f["excerpt"]),
            s(f["published_at"]),
            s(f["type"]),
            f["quality"],
            f["heat"],
            f["published"],
            s(provider["domain"]),
            s(provider["name"]),
            [[s(u), w, h] for u, w, h in f["images"]],
        ]

    shape = [
        item(record),
        [s(t) for t in record["topics"]],
        [item(i) for i in record["related"]],
        record.get("removed"),
        record["self_related"],
        record["warnings"],
    ]
    digest = hashlib.sha256(orjson.dumps(record)).hexdigest()
    return orjson.dumps([digest, list(local), shape])


class Strings:
    """A corpus's strings, numbered from 0 in the order they were first seen; the first
    ``stored`` of them are in the cache already."""

    def __init__(self, texts: list[str] | None = None) -> None:
        self.texts: list[str] = texts or []
        self.stored = len(self.texts)
        self._ids: dict[str, int] | None = None

    def ids(self, texts: list[str]) -> list[int]:
        """The numbers of these strings, new ones numbered now."""
        if self._ids is None:  # built on first use: a warm load numbers nothing
            self._ids = {t: n for n, t in enumerate(self.texts)}
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

    def shared(self, ids: list[int]) -> list[str]:
        """The strings of these numbers; IndexError for a number not in the table."""
        if ids and min(ids) < 0:
            raise IndexError("a negative string number")
        return list(map(self.texts.__getitem__, ids))


def unpack(packed: Packed, texts: list[str]) -> Document:
    """The document of a packed record whose strings are ``texts`` (in its numbering); raise
    IndexError, TypeError or ValueError when it does not have the shape of one."""
    own, topics, related, removed, self_related, warnings = packed

    def item(f: list[Any]) -> Item:
        (url, urls, title, excerpt, when, kind, quality, heat, published, domain, name) = f[:11]
        url = texts[url]
        return Item(
            url,
            (url, *(texts[u] for u in urls)) if urls else (url,),
            texts[title],
            None if excerpt is None else texts[excerpt],
            None if when is None else texts[when],
            None if kind is None else texts[kind],
            quality,
            heat,
            published,
            texts[domain],
            None if name is None else texts[name],
            tuple((texts[u], w, h) for u, w, h in f[11]),
        )

    return Document(
        item=item(own),
        topics=tuple(texts[t] for t in topics),
        related=tuple(item(i) for i in related),
        removed=removed,
        self_related=tuple(self_related),
        warnings=tuple((reason, kind) for reason, kind in warnings),
    )
