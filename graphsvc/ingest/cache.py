"""The parse cache: one SQLite file per corpus, records stored as JSON, keyed by path, size, mtime.

JSON (not pickle) keeps the cache safe to read even if someone else wrote it. A record keeps
its strings as numbers into the corpus's table of strings (ingest/records.py), stored once in
the ``strings`` table, a row per batch: the same URLs, titles and excerpts recur in many
related lists, so the cache is a fraction of the corpus's size. Each record and each batch of
strings carries a SHA-256 of its key and JSON (``seal``): a damaged record is a cache miss,
parsed again; damaged strings empty the cache. A cache that cannot be opened or written is
never fatal: ingest goes on without it and says so; a file that is not (or no longer) an
SQLite database is moved aside and started afresh.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import orjson

log = logging.getLogger(__name__)

#: Bump when the record format or normalisation rules change: older caches are then dropped.
#: 9: checksummed records; 10: null topic entries give a null-entry warning; 11: packed records
#: and a table of strings (ingest/records.py).
RECORD_FORMAT = 11


def _lib_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:  # pragma: no cover - installed with the package
        return "?"


CACHE_VERSION = f"{RECORD_FORMAT}|yaml-rs {_lib_version('yaml-rs')}|ftfy {_lib_version('ftfy')}"

Stat = tuple[int, int]  # size, mtime_ns


def default_cache_dir() -> Path:
    """``$GRAPHSVC_CACHE_DIR``, else ``$XDG_CACHE_HOME/graphsvc``, else ``~/.cache/graphsvc``."""
    if env := os.environ.get("GRAPHSVC_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "graphsvc"


def cache_path_for(root: Path, cache_dir: Path | None = None) -> Path:
    """The cache file of one corpus folder (named by a hash of its absolute path)."""
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return (cache_dir or default_cache_dir()) / f"{root.resolve().name}-{digest}.sqlite"


_REJECTION = b'{"error"'


def is_rejection(blob: bytes) -> bool:
    """Whether a stored record is a rejected file's reason rather than a document."""
    return blob.startswith(_REJECTION)


_DIGEST = 64  # hex characters of a SHA-256


def _digest(path: str, record: bytes) -> bytes:
    return (
        hashlib.sha256(path.encode("utf-8", "surrogateescape") + b"\0" + record)
        .hexdigest()
        .encode()
    )


def seal(path: str, record: bytes) -> bytes:
    """A path's JSON record as stored: followed by a newline and the SHA-256 of the path and
    the record (JSON from orjson has no raw newline; the blob still starts as the record does,
    for ``is_rejection``)."""
    return record + b"\n" + _digest(path, record)


def unseal(path: str, blob: object) -> bytes | None:
    """The JSON record of a path's stored blob, or None when its checksum does not match (a
    damaged row, another path's record, a row edited by hand: SQLite may even give text)."""
    if not isinstance(blob, bytes) or len(blob) <= _DIGEST:
        return None
    record, digest = blob[: -_DIGEST - 1], blob[-_DIGEST - 1 :]
    if digest != b"\n" + _digest(path, record):
        return None
    return record


def _text_list(record: bytes) -> list[str] | None:
    """A batch of strings, or None when it is not a list of strings."""
    try:
        texts = orjson.loads(record)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        return None
    return texts


def _damaged(path: str) -> None:
    log.warning("parse cache: the record of %s is damaged (checksum); parsing it again", path)


#: SQLite's result codes for a file that is not a database, or a damaged one.
_CORRUPT = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


def is_corrupt(exc: sqlite3.Error) -> bool:
    """Whether an SQLite error says the file is no (sound) database."""
    return getattr(exc, "sqlite_errorcode", None) in _CORRUPT


#: Free bytes the cache leaves on its disk: below this, it stops writing (and says so) rather
#: than let its write-ahead log take the disk's last bytes.
RESERVE_BYTES = 64 * 1024 * 1024
_SCHEMA = (
    "CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, record BLOB,"
    " good BLOB)"
)
#: Strings numbered ``first`` on, a JSON list (sealed with the key ``strings FIRST``).
_STRINGS_SCHEMA = "CREATE TABLE strings (first INTEGER PRIMARY KEY, texts BLOB)"
#: Strings no longer used by any record are dropped, with every record, when they are more
#: than the strings in use and more than this many: the next ingest parses every file again.
GARBAGE_STRINGS = 100_000


def _connect(path: Path) -> sqlite3.Connection:
    """Open (or create) the cache file; the files table is dropped when its format is older."""
    db = sqlite3.connect(path, timeout=30, check_same_thread=False)
    try:
        # WAL: several workers read while one writes. The log is emptied back to at most
        # 4 MiB after each checkpoint (``journal_size_limit``), and ``put_many`` stops writing
        # when the disk is nearly full: the log never keeps a full disk's last bytes.
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA journal_size_limit=4194304")
        # A cache: after a power cut it may lose its last writes (never its consistency),
        # which costs a re-parse; in exchange commits do not wait for the disk.
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute(_SCHEMA.replace("TABLE", "TABLE IF NOT EXISTS", 1))
        db.execute(_STRINGS_SCHEMA.replace("TABLE", "TABLE IF NOT EXISTS", 1))
        row = db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
        if row is None or row[0] != CACHE_VERSION:
            db.execute("DROP TABLE files")
            db.execute("DROP TABLE strings")
            db.execute(_SCHEMA)
            db.execute(_STRINGS_SCHEMA)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (CACHE_VERSION,))
            db.commit()
    except BaseException:
        db.close()
        raise
    return db


def _move_aside(path: Path) -> None:
    """Rename a damaged cache file out of the way (over the one moved aside before, if any:
    one copy for a look, never a pile) and drop its log, to start a new one."""
    aside = path.with_name(f"{path.name}.damaged")
    os.replace(path, aside)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    log.warning("parse cache %s was damaged; moved it to %s and starting afresh", path, aside)


class ParseCache:
    """Stored records of a corpus's files; every method fails soft (logs, then acts empty)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._full = False  # the disk is nearly full (or strings failed): nothing more written
        self._staged = 0  # bytes of records written since the last commit
        self._seen: int | None = None  # the database's data_version when it was read
        self._writing = False  # this connection holds the write lock (until ``finish``)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._db = _connect(path)
            except sqlite3.DatabaseError as exc:
                if not is_corrupt(exc):
                    raise
                _move_aside(path)
                self._db = _connect(path)
        except (sqlite3.Error, OSError) as exc:
            log.warning("parse cache %s unusable (%s); ingesting without it", path, exc)

    @property
    def enabled(self) -> bool:
        """Whether the cache could be opened."""
        return self._db is not None

    def _read_failed(self, exc: sqlite3.Error) -> None:
        log.warning("parse cache read failed: %s", exc)
        if is_corrupt(exc) and self._db is not None:  # damaged past its first pages
            self._db.close()
            self._db = None
            try:
                _move_aside(self.path)
            except OSError as err:
                log.warning("could not move the damaged parse cache aside: %s", err)

    def stats(self) -> dict[str, Stat]:
        """Size and mtime of every cached path."""
        if self._db is None:
            return {}
        try:
            rows = self._db.execute("SELECT path, size, mtime_ns FROM files").fetchall()
        except sqlite3.Error as exc:
            self._read_failed(exc)
            return {}
        return {path: (size, mtime) for path, size, mtime in rows}

    def get_many(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """Stored records (JSON bytes) of these paths, one at a time; a damaged record is left
        out, with a warning (a read error ends them early: the paths not given are parsed
        again)."""
        if self._db is None:
            return
        wanted = set(paths)
        try:
            for path, blob in self._db.execute("SELECT path, record FROM files"):
                if path in wanted:
                    record = unseal(path, blob)
                    if record is None:
                        _damaged(path)
                    else:
                        yield path, record
        except sqlite3.Error as exc:
            self._read_failed(exc)

    def last_good(self, paths: Iterable[str]) -> dict[str, bytes]:
        """The last good record of each path that has one: kept when a file turns bad, or
        the path's record when it is none (a file now refused before being read)."""
        wanted = set(paths)
        if self._db is None or not wanted:
            return {}
        if not self._as_read():  # its numbers may now be another ingest's strings
            log.warning("parse cache: changed by another ingest meanwhile; no last good records")
            return {}
        found: dict[str, bytes] = {}
        try:
            for path, blob, good in self._db.execute("SELECT path, record, good FROM files"):
                if path not in wanted:
                    continue
                if good is None and isinstance(blob, bytes) and not is_rejection(blob):
                    good = blob
                if good is None:
                    continue
                record = unseal(path, good)
                if record is None:
                    _damaged(path)
                else:
                    found[path] = record
        except sqlite3.Error as exc:
            self._read_failed(exc)
        return found

    @contextmanager
    def reading(self) -> Iterator[None]:
        """One read transaction: what ``strings``, ``stats`` and ``get_many`` give inside it
        is one state of the cache, even while another ingest of the corpus commits (numbers
        and the records that use them always agree)."""
        began = False
        if self._db is not None:
            try:
                self._db.execute("BEGIN")
                began = True
                # before the reads: a commit by another ingest from now on changes it
                self._seen = self._data_version()
            except sqlite3.Error as exc:
                self._read_failed(exc)
        try:
            yield
        finally:
            if began and self._db is not None and self._db.in_transaction:
                try:
                    self._db.commit()
                except sqlite3.Error as exc:
                    log.warning("parse cache: ending a read failed: %s", exc)

    def _data_version(self) -> int:
        assert self._db is not None
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def _as_read(self) -> bool:
        """Whether no other ingest committed since ``reading`` (always true once this one
        writes: it holds the write lock until ``finish``)."""
        if self._writing or self._seen is None or self._db is None:
            return True
        try:
            return self._data_version() == self._seen
        except sqlite3.Error:
            return False

    def strings(self) -> list[str | None]:
        """The stored strings, by number from 1 (0 is null). A damaged batch empties the
        cache (records that use its numbers cannot be told apart, and new strings must not
        take them): every file is parsed again. Call it first: ``stats`` is then empty too."""
        texts: list[str | None] = [None]
        if self._db is None:
            return texts
        try:
            for first, blob in self._db.execute("SELECT first, texts FROM strings ORDER BY first"):
                record = unseal(f"strings {first}", blob)
                batch = None if record is None or first != len(texts) else _text_list(record)
                if batch is None:
                    log.warning("parse cache: its strings are damaged; emptying it")
                    with self._db:
                        self._db.execute("DELETE FROM files")
                        self._db.execute("DELETE FROM strings")
                    return [None]
                texts += batch
        except sqlite3.Error as exc:
            self._read_failed(exc)
            return [None]
        return texts

    def put_many(
        self,
        rows: Iterable[tuple[str, Stat, bytes]],
        first: int = 1,
        texts: Sequence[str | None] = (),
    ) -> None:
        """Stage new records (a rejection keeps the path's last good record) and the strings
        numbered ``first`` on that they use; ``finish`` commits them all in one transaction.
        Nothing more is written once the disk has less than ``RESERVE_BYTES`` free (those
        files are parsed again next time), nor when another ingest of the corpus committed
        since ``reading`` (its strings may have taken this one's numbers), nor once strings
        could not be written."""
        if self._db is None or self._full:
            return
        if not self._writing:
            try:  # the write lock first: no other ingest commits from now to ``finish``
                if not self._db.in_transaction:
                    self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                self._full = True
                log.warning("parse cache write failed: %s; not caching more records", exc)
                return
            if not self._as_read():
                self._db.rollback()
                self._full = True
                log.warning(
                    "parse cache: another ingest of this corpus changed it meanwhile;"
                    " not caching this run's records"
                )
                return
            self._writing = True
        if texts:
            batch = seal(f"strings {first}", orjson.dumps(list(texts)))
            self._staged += len(batch)
            try:
                self._db.execute("INSERT INTO strings VALUES (?, ?)", (first, batch))
            except sqlite3.Error as exc:
                self._full = True
                log.warning("parse cache write failed: %s; not caching more records", exc)
                return
        rows = [(path, st, seal(path, rec)) for path, st, rec in rows]
        self._staged += sum(len(blob) for _, _, blob in rows)
        try:
            free = shutil.disk_usage(self.path.parent).free
        except OSError:
            free = RESERVE_BYTES + self._staged
        # What is staged sits in the log now, and takes as much again in the database file
        # when the log is copied there at the commit.
        if free - self._staged < RESERVE_BYTES:
            self._full = True
            log.warning(
                "parse cache: the disk of %s is nearly full (%s bytes free); not caching more"
                " records this time, to leave %s bytes free",
                self.path.parent,
                f"{free:,}",
                f"{RESERVE_BYTES:,}",
            )
            return
        try:
            # `good` is kept only while a path's record is a rejection: it is the record
            # the path had before it turned bad (right-hand sides see the old row).
            self._db.executemany(
                "INSERT INTO files VALUES (?, ?, ?, ?, NULL) ON CONFLICT(path) DO UPDATE SET"
                " size=excluded.size, mtime_ns=excluded.mtime_ns, record=excluded.record,"
                " good=CASE WHEN ? THEN (CASE WHEN substr(files.record, 1, 8) = ?"
                " THEN files.good ELSE files.record END) END",
                [
                    (path, st[0], st[1], blob, is_rejection(blob), _REJECTION)
                    for path, st, blob in rows
                ],
            )
        except sqlite3.Error as exc:
            log.warning("parse cache write failed: %s", exc)

    def finish(self, keep: set[str], *, strings: int = 0, used: int = 0) -> None:
        """Forget the paths that are no longer in the corpus, and commit. When most of the
        ``strings`` numbered are no longer ``used`` by a record (files edited or deleted),
        past ``GARBAGE_STRINGS``, the cache is emptied instead: the next run parses again."""
        if self._db is None:
            return
        try:
            with self._db:
                if strings - used > max(used, GARBAGE_STRINGS) and self._as_read():
                    log.warning(
                        "parse cache: %s of its %s strings are no longer used; emptying it",
                        f"{strings - used:,}",
                        f"{strings:,}",
                    )
                    self._db.execute("DELETE FROM files")
                    self._db.execute("DELETE FROM strings")
                    keep = set()
                gone = [
                    (p,) for (p,) in self._db.execute("SELECT path FROM files") if p not in keep
                ]
                self._db.executemany("DELETE FROM files WHERE path = ?", gone)
            self._staged = 0
        except sqlite3.Error as exc:
            log.warning("parse cache write failed: %s", exc)
        self._writing = False  # committed or rolled back: the write lock is released

    def close(self) -> None:
        """Close the database."""
        if self._db is not None:
            self._db.close()
            self._db = None
