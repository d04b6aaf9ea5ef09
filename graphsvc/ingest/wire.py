"""What a parse worker sends the loader: a packed record (ingest/records.py) whose items, when
this worker sent the same strings before, name that earlier item instead of repeating them.

A related item recurs in many documents' lists, usually with the same strings (10k synthetic
documents list 308k related items naming 26k articles). Numbering every string of every item
(``Strings.ids``: hashing and comparing each one) was most of the loader's own work on a cold
ingest; now each worker compares an item with the last it sent for that URL, and the loader
numbers only the strings sent. The numbers, and so the cache, are those of the plain format:
an item named by its slot was sent before by the same worker, so the loader has numbered all
its strings, and the others are numbered in the order ``pack`` gives them.

On the wire: JSON ``[digest, [string...], shape, [ref...]]``, one ref an item (the document's
own, then its related ones): a slot number (>= 0), or minus the count of its strings sent
(the topics' strings follow the document's own item's). Each worker numbers the items it sends
whole from 0 (a slot), per ``Sender.token``; the loader takes a worker's chunks in the order
that worker parsed them (a pool hands out chunks and gives back results in order).
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from graphsvc.ingest.documents import Record
from graphsvc.ingest.records import Strings, pack_items

#: Items a sender remembers; past this it starts afresh under a new token (and the loader
#: forgets the old token's slots): a worker's memory stays bounded on any corpus.
SENDER_ITEMS = 1 << 18


class Sender:
    """A parse worker's side, for one ingest: the items it sent whole, by URL."""

    def __init__(self, run: str) -> None:
        self.run = run
        self.token = uuid.uuid4().hex
        self.retired: list[str] = []  # tokens the loader can forget (said once)
        self._sent: dict[str | None, tuple[list[str | None], int]] = {}
        self._slots = 0

    def start_chunk(self) -> tuple[str, list[str]]:
        """The token of the next chunk's records, and the tokens retired since the last."""
        if len(self._sent) > SENDER_ITEMS:
            self.retired.append(self.token)
            self.token = uuid.uuid4().hex
            self._sent.clear()
            self._slots = 0
        retired, self.retired = self.retired, []
        return self.token, retired

    def encode(self, record: Record) -> bytes:
        """The record on the wire; TypeError (nothing remembered) when it is no JSON."""
        digest, items, topics, shape = pack_items(record)
        flat: list[str | None] = []
        refs: list[int] = []
        new: list[tuple[list[str | None], int]] = []
        slots = self._slots
        for k, strings in enumerate(items):
            known = self._sent.get(strings[0])
            if known is not None and known[0] == strings:
                refs.append(known[1])
            else:
                refs.append(-len(strings))
                flat += strings
                new.append((strings, slots))
                slots += 1
            if k == 0:
                flat += topics
        blob = orjson.dumps([digest, flat, shape, refs])
        for strings, slot in new:  # only once the record is sure to be sent
            self._sent[strings[0]] = (strings, slot)
        self._slots = slots
        return blob


class Receiver:
    """The loader's side: each worker's slots, as numbers of ``strings``."""

    def __init__(self, strings: Strings) -> None:
        self.strings = strings
        self._slots: dict[str, list[list[int]]] = {}

    def chunk(self, token: str, retired: list[str]) -> None:
        """A chunk of ``token``'s records comes next; ``retired`` tokens are done with."""
        for old in retired:
            self._slots.pop(old, None)
        self._current = self._slots.setdefault(token, [])

    def decode(self, blob: bytes) -> tuple[str, list[int], Any]:
        """A record off the wire as the cache keeps it: digest, numbers, shape."""
        digest, flat, shape, refs = orjson.loads(blob)
        fresh = self.strings.ids(flat)
        slots = self._current
        topics = shape[1]
        numbers: list[int] = []
        at = 0
        for k, ref in enumerate(refs):
            if ref >= 0:
                numbers += slots[ref]
            else:
                segment = fresh[at : at - ref]
                at -= ref
                slots.append(segment)
                numbers += segment
            if k == 0:
                numbers += fresh[at : at + topics]
                at += topics
        if at != len(fresh):
            raise ValueError("the strings sent do not fit the items")
        return digest, numbers, shape
