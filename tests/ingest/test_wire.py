"""A parse worker's records on the wire (ingest/wire.py): an item sent before is named by its
slot, and the loader still numbers every string as the plain packed format does."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from graphsvc.ingest import wire
from graphsvc.ingest.documents import Record, read_record
from graphsvc.ingest.loader import DOCUMENT_SUFFIXES
from graphsvc.ingest.records import Strings, pack
from graphsvc.ingest.wire import Receiver, Sender


def news_records(root: Path) -> list[Record]:
    records = []
    for path in sorted(root.rglob("*")):
        if path.suffix.lower() in DOCUMENT_SUFFIXES and path.is_file():
            try:
                records.append(read_record(str(path), path.read_bytes()))
            except Exception:  # a rejected file: the loader tests cover those
                continue
    return records


def plain(records: list[Record]) -> list[tuple[str, list[int], object]]:
    """Each record packed the plain way and numbered by one table, in order."""
    strings = Strings()
    out = []
    for record in records:
        digest, flat, shape = orjson.loads(pack(record))
        out.append((digest, strings.ids(flat), shape))
    return out


def sent(records: list[Record], chunk: int = 32) -> tuple[list[tuple[str, list[int], object]], int]:
    """The same records through a sender and a receiver, a chunk at a time; and how many
    strings went on the wire."""
    sender, receiver = Sender("run"), Receiver(Strings())
    out, strings_sent = [], 0
    for start in range(0, len(records), chunk):
        receiver.chunk(*sender.start_chunk())
        for record in records[start : start + chunk]:
            blob = sender.encode(record)
            strings_sent += len(orjson.loads(blob)[1])
            out.append(receiver.decode(blob))
    return out, strings_sent


def test_the_wire_gives_the_plain_numbers_sending_each_item_once(news_dir: Path) -> None:
    records = news_records(news_dir)
    expected = plain(records)
    got, strings_sent = sent(records)
    assert got == expected
    plain_strings = sum(len(numbers) for _, numbers, _ in expected)
    # 1,370 documents list 42k related items naming 3.5k articles: most go as a slot number
    assert strings_sent < plain_strings / 4


def test_a_sender_that_starts_afresh_still_gives_the_plain_numbers(
    news_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wire, "SENDER_ITEMS", 50)
    records = news_records(news_dir)[:300]
    sender, receiver = Sender("run"), Receiver(Strings())
    tokens = set()
    got = []
    for start in range(0, len(records), 10):
        token, retired = sender.start_chunk()
        tokens.add(token)
        receiver.chunk(token, retired)
        got += [receiver.decode(sender.encode(r)) for r in records[start : start + 10]]
        assert len(receiver._slots) <= 2  # a retired sender's slots are forgotten
    assert got == plain(records)
    assert len(tokens) > 3


def test_a_record_that_cannot_be_sent_leaves_the_sender_as_it_was(news_dir: Path) -> None:
    records = news_records(news_dir)[:60]
    sender, receiver = Sender("run"), Receiver(Strings())
    receiver.chunk(*sender.start_chunk())
    got = [receiver.decode(sender.encode(r)) for r in records[:30]]
    bad = dict(records[30], removed=2**70)  # no JSON integer: orjson refuses it
    with pytest.raises(TypeError):
        sender.encode(bad)
    got += [receiver.decode(sender.encode(r)) for r in records[30:]]
    assert got == plain(records)
