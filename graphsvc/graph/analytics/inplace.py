"""Stories and provider links read in place: arrays of a mapped snapshot, objects on demand.

At 100,000 documents the stories as Python objects (a ``Story`` each, its members, the index
by article) cost every worker about 57 MB, and the provider links 34 MB. A snapshot keeps them
as arrays and record heaps instead (graph/mapped.py), and the mappings here build a ``Story``
or a provider's links only when a request asks for that one. ``sections`` writes them, and
``read_stories`` and ``read_links`` read them back (graph/analytics/kept.py calls both).

A story's key is ``story_key``'s hash of its smallest member: its 64 bits are kept as a
number, sorted once, so finding a story by key is a binary search.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Protocol

import numpy as np

from graphsvc.graph.analytics.providers import ProviderLinks
from graphsvc.graph.analytics.stories import Stories, Story, StoryOrder
from graphsvc.graph.mapped import (
    KeySeq,
    Section,
    check_csr,
    ends,
    heap_record,
    is_permutation,
    record_heap,
)
from graphsvc.identity import STORY_PREFIX

_HEX = frozenset("0123456789abcdef")


class Sections(Protocol):
    """What the readers take a snapshot's sections from (graph/snapshot.py)."""

    def raw(self, name: str) -> memoryview | bytes: ...
    def u32(self, name: str) -> np.ndarray: ...
    def u64(self, name: str) -> np.ndarray: ...


def iso(when: datetime | None) -> str | None:
    """A time as the file keeps it."""
    return None if when is None else when.isoformat()


def from_iso(text: str | None) -> datetime | None:
    """A time as the file keeps it, read back."""
    return None if text is None else datetime.fromisoformat(text)


# Stories ---------------------------------------------------------------------------------
def story_sections(found: Stories, index: Mapping[str, int]) -> Iterator[Section]:
    """The stories of ``found`` with articles by number (``index``: key -> article number)."""
    stories = list(found.by_key.values())
    number = {story.key: i for i, story in enumerate(stories)}
    offsets, members = array("Q", [0]), array("I")
    for story in stories:
        members.extend(index[k] for k in story.members)
        offsets.append(len(members))
    yield "story_member_offsets", offsets
    yield "story_members", members
    record_offsets, records = record_heap(
        [index[s.representative], iso(s.first_at), iso(s.last_at), s.topics, s.providers]
        for s in stories
    )
    yield "story_record_offsets", record_offsets
    yield "story_records", records
    hashes = np.array([int(s.key.removeprefix(STORY_PREFIX), 16) for s in stories], np.uint64)
    yield "story_hashes", array("Q", hashes.tolist())
    yield "story_by_hash", array("I", np.argsort(hashes, kind="stable").tolist())
    of_article = np.zeros(len(index), np.uint32)  # story number + 1; 0: in no story
    for k, story_key in found.of_article.items():
        of_article[index[k]] = number[story_key] + 1
    yield "story_of_article", array("I", of_article.tolist())
    for order in StoryOrder:
        yield f"story_order:{order.value}", array("I", (number[k] for k in found.orders[order]))


@dataclass(frozen=True, eq=False)
class StoryTable:
    """The stories of a mapped snapshot as arrays (``story_sections``)."""

    keys: Sequence[str]  # article number -> key
    numbers: Mapping[str, int]  # article key -> number (other keys may be there too)
    articles: int
    member_offsets: np.ndarray
    members: np.ndarray
    record_offsets: np.ndarray
    records: memoryview | bytes
    hashes: np.ndarray
    by_hash: np.ndarray
    of_article: np.ndarray

    def key(self, i: int) -> str:
        """Story number ``i``'s key."""
        return f"{STORY_PREFIX}{int(self.hashes[i]):016x}"

    def find(self, key: object) -> int | None:
        """The number of the story with this key, or None."""
        if not isinstance(key, str) or not key.startswith(STORY_PREFIX):
            return None
        digits = key[len(STORY_PREFIX) :]
        if len(digits) != 16 or not _HEX.issuperset(digits):
            return None
        value = np.uint64(int(digits, 16))
        at = int(np.searchsorted(self.hashes, value, sorter=self.by_hash))
        if at < len(self.by_hash) and self.hashes[self.by_hash[at]] == value:
            return int(self.by_hash[at])
        return None

    def story(self, i: int) -> Story:
        """Story number ``i``."""
        start, end = self.member_offsets[i], self.member_offsets[i + 1]
        representative, first, last, topics, providers = heap_record(
            self.records, self.record_offsets, i
        )
        return Story(
            key=self.key(i),
            members=tuple(map(self.keys.__getitem__, self.members[start:end].tolist())),
            first_at=from_iso(first),
            last_at=from_iso(last),
            representative=self.keys[representative],
            topics=tuple((k, n) for k, n in topics),
            providers=tuple((k, n) for k, n in providers),
        )


class _StoriesByKey(Mapping[str, Story]):
    """Story key -> Story, in the order the stories were written."""

    __slots__ = ("_t",)

    def __init__(self, table: StoryTable) -> None:
        self._t = table

    def __len__(self) -> int:
        return len(self._t.hashes)

    def __iter__(self) -> Iterator[str]:
        return map(self._t.key, range(len(self)))

    def __contains__(self, key: object) -> bool:
        return self._t.find(key) is not None

    def __getitem__(self, key: str) -> Story:
        i = self._t.find(key)
        if i is None:
            raise KeyError(key)
        return self._t.story(i)


class _StoryOfArticle(Mapping[str, str]):
    """Article key -> the key of its story (articles in no story are not keys)."""

    __slots__ = ("_len", "_t")

    def __init__(self, table: StoryTable) -> None:
        self._t, self._len = table, int(np.count_nonzero(table.of_article))

    def _story(self, key: object) -> int:
        i = self._t.numbers.get(key) if isinstance(key, str) else None
        return 0 if i is None or i >= self._t.articles else int(self._t.of_article[i])

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[str]:
        return map(self._t.keys.__getitem__, np.flatnonzero(self._t.of_article).tolist())

    def __contains__(self, key: object) -> bool:
        return self._story(key) != 0

    def __getitem__(self, key: str) -> str:
        story = self._story(key)
        if not story:
            raise KeyError(key)
        return self._t.key(story - 1)

    def stories_in(self, articles: Sequence[str], order: Sequence[str]) -> KeySeq | None:
        """The stories of ``articles`` in ``order`` (a kept order), worked out on the file's
        numbers, naming no key: None unless both are number sequences of this file. (Named
        one by one, the articles of a big topic touched every key: in a forked worker, a
        private copy of their pages.)"""
        if not (isinstance(articles, KeySeq) and isinstance(order, KeySeq)):
            return None
        mine, ordered = articles.numbers_of(self._t.keys), order.numbers_of(self._t)
        if mine is None or ordered is None:
            return None
        found = self._t.of_article[mine[mine < self._t.articles]]
        wanted = np.zeros(len(self._t.hashes) + 1, dtype=bool)
        wanted[found] = True  # story number + 1; 0 (no story) is dropped below
        return KeySeq(ordered[wanted[ordered + 1]], self._t.key)


def read_stories(
    s: Sections, method: str, keys: Sequence[str], numbers: Mapping[str, int], articles: int
) -> Stories:
    """The stories of ``story_sections``, read in place (``keys`` / ``numbers``: the
    articles' keys by number and back)."""
    t = StoryTable(
        keys=keys,
        numbers=numbers,
        articles=articles,
        member_offsets=s.u64("story_member_offsets"),
        members=s.u32("story_members"),
        record_offsets=s.u64("story_record_offsets"),
        records=s.raw("story_records"),
        hashes=s.u64("story_hashes"),
        by_hash=s.u32("story_by_hash"),
        of_article=s.u32("story_of_article"),
    )
    count = len(t.hashes)
    check_csr(t.member_offsets, t.members, count, articles, "story member")
    check_csr(t.record_offsets, t.records, count, 0, "story record")
    if not is_permutation(t.by_hash, count) or len(t.of_article) != articles:
        raise ValueError("the story index arrays do not match the stories")
    if len(t.of_article) and int(t.of_article.max()) > count:
        raise ValueError("the story index arrays are out of bounds")
    orders = {}
    for order in StoryOrder:
        numbers_in_order = s.u32(f"story_order:{order.value}")
        if not is_permutation(numbers_in_order, count):
            raise ValueError(f"the story order {order.value} is not an order of the stories")
        orders[order] = KeySeq(numbers_in_order, t.key)
    for i in ends(count):  # the ends decode (each is covered by the checksum)
        t.story(i)
    return Stories(method, _StoriesByKey(t), _StoryOfArticle(t), MappingProxyType(orders))


# Provider links --------------------------------------------------------------------------
def link_sections(links: ProviderLinks, providers: Mapping[str, int]) -> Iterator[Section]:
    """Provider links with providers by number (``providers``: key -> number)."""
    listed = array("I", (providers[p] for p in links.out))
    offsets, targets, counts = array("Q", [0]), array("I"), array("Q")
    for found in links.out.values():
        targets.extend(providers[q] for q, _n in found)
        counts.extend(n for _q, n in found)
        offsets.append(len(targets))
    yield "links_providers", listed
    yield "links_totals", array("Q", (links.totals[p] for p in links.out))
    yield "links_offsets", offsets
    yield "links_targets", targets
    yield "links_counts", counts


class _LinksOut(Mapping[str, tuple[tuple[str, int], ...]]):
    """Provider key -> its links to other providers (target, count), most first."""

    __slots__ = ("_counts", "_keys", "_offsets", "_row", "_targets")

    def __init__(
        self,
        keys: Sequence[str],
        row: Mapping[str, int],
        offsets: np.ndarray,
        targets: np.ndarray,
        counts: np.ndarray,
    ) -> None:
        self._keys, self._row = keys, row
        self._offsets, self._targets, self._counts = offsets, targets, counts

    def __len__(self) -> int:
        return len(self._row)

    def __iter__(self) -> Iterator[str]:
        return iter(self._row)

    def __getitem__(self, provider: str) -> tuple[tuple[str, int], ...]:
        i = self._row[provider]
        start, end = self._offsets[i], self._offsets[i + 1]
        names = map(self._keys.__getitem__, self._targets[start:end].tolist())
        return tuple(zip(names, self._counts[start:end].tolist(), strict=True))


def read_links(s: Sections, providers: Sequence[str]) -> ProviderLinks:
    """The provider links of ``link_sections`` (``providers``: provider keys by number)."""
    listed, totals = s.u32("links_providers"), s.u64("links_totals")
    offsets, targets, counts = s.u64("links_offsets"), s.u32("links_targets"), s.u64("links_counts")
    bound = len(providers)
    check_csr(offsets, targets, len(listed), bound, "provider link")
    if len(totals) != len(listed) or len(counts) != len(targets):
        raise ValueError("the provider link arrays do not match")
    if len(listed) and int(listed.max()) >= bound:
        raise ValueError("the provider link arrays are out of bounds")
    names = [providers[i] for i in listed.tolist()]
    row = {p: i for i, p in enumerate(names)}
    return ProviderLinks(
        _LinksOut(providers, MappingProxyType(row), offsets, targets, counts),
        MappingProxyType(dict(zip(names, totals.tolist(), strict=True))),
    )
