"""How export bytes go out: text gathered into chunks of about 64 KiB, and XML escaping.

Writers are generators of byte chunks, so an HTTP response or a file receives the document a
piece at a time and memory stays flat however large the graph is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from xml.sax.saxutils import escape

import orjson

#: Called with the number of items (nodes and edges) written since the last call.
Progress = Callable[[int], None]

CHUNK_CHARS = 1 << 16

# Characters XML 1.0 cannot carry at all, even escaped: they become U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Anything that needs work in text or attributes (one scan; most values have none of these).
_TEXT_WORK = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTR_WORK = re.compile('[&<>"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')
_ATTR_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
_TEXT_ENTITIES = {"\r": "&#13;"}  # parsers turn a bare CR into LF


class Chunks:
    """A text buffer that hands out UTF-8 chunks once it holds about ``size`` characters."""

    __slots__ = ("_items", "_parts", "_progress", "_size", "_used")

    def __init__(self, progress: Progress | None = None, size: int = CHUNK_CHARS) -> None:
        self._parts: list[str] = []
        self._used = 0
        self._items = 0
        self._size = size
        self._progress = progress

    def write(self, text: str) -> None:
        """Add text to the buffer."""
        self._parts.append(text)
        self._used += len(text)

    def item(self, count: int = 1) -> None:
        """Count nodes or edges written, for the progress callback."""
        self._items += count

    @property
    def full(self) -> bool:
        """Whether the buffer holds a chunk's worth of text."""
        return self._used >= self._size

    def take(self) -> bytes:
        """The buffered text as UTF-8 (and the buffer emptied); reports progress."""
        data = "".join(self._parts).encode("utf-8")
        self._parts.clear()
        self._used = 0
        if self._progress is not None and self._items:
            self._progress(self._items)
        self._items = 0
        return data


def json_items(
    out: Chunks, values: Iterable[Any], weight: Callable[[Any], int] | None = None
) -> Iterator[bytes]:
    """Write ``values`` into ``out`` as comma-separated JSON, yielding chunks as it fills.

    ``weight`` gives the nodes and edges a value stands for (progress); 1 each by default."""
    separator = ""
    for value in values:
        out.write(separator + orjson.dumps(value).decode())
        separator = ","
        out.item(1 if weight is None else weight(value))
        if out.full:
            yield out.take()


def xml_text(value: str) -> str:
    """Character data for an XML element (``&``, ``<``, ``>`` and CR escaped; characters XML
    cannot hold replaced).

    >>> xml_text("a < b & c\\x01")
    'a &lt; b &amp; c\\ufffd'
    """
    if not _TEXT_WORK.search(value):
        return value
    if _NOT_XML.search(value):
        value = _NOT_XML.sub("\ufffd", value)
    return escape(value, _TEXT_ENTITIES) if "\r" in value else escape(value)


def xml_attr(value: str) -> str:
    """A double-quoted XML attribute value, quotes included; newlines and tabs kept as
    character references so that parsers do not fold them into spaces.

    >>> xml_attr('say "hi"\\n')
    '"say &quot;hi&quot;&#10;"'
    """
    if not _ATTR_WORK.search(value):
        return '"' + value + '"'
    if _NOT_XML.search(value):
        value = _NOT_XML.sub("\ufffd", value)
    return '"' + escape(value, _ATTR_ENTITIES) + '"'
