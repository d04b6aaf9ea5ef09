"""The parse cache: one SQLite file per corpus, records stored as JSON, keyed by path, size, mtime.

JSON (not pickle) keeps the cache safe to read even if someone else wrote it. A cache that
cannot be opened or written is never fatal: ingest goes on without it and says so.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

log = logging.getLogger(__name__)

#: Bump when the record format or normalisation rules change: older caches are then dropped.
RECORD_FORMAT = 9  # 9: null topic entries give a null-entry warning


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


class ParseCache:
    """Stored records of a corpus's files; every method fails soft (logs, then acts empty)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=30, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            # A cache: after a power cut it may lose its last writes (never its consistency),
            # which costs a re-parse; in exchange commits do not wait for the disk.
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            db.execute(
                "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER,"
                " mtime_ns INTEGER, record BLOB, good BLOB)"
            )
            row = db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
            if row is None or row[0] != CACHE_VERSION:
                db.execute("DROP TABLE files")
                db.execute(
                    "CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER,"
                    " mtime_ns INTEGER, record BLOB, good BLOB)"
                )
                db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (CACHE_VERSION,))
                db.commit()
            self._db = db
        except (sqlite3.Error, OSError) as exc:
            log.warning("parse cache %s unusable (%s); ingesting without it", path, exc)

    @property
    def enabled(self) -> bool:
        """Whether the cache could be opened."""
        return self._db is not None

    def stats(self) -> dict[str, Stat]:
        """Size and mtime of every cached path."""
        if self._db is None:
            return {}
        try:
            rows = self._db.execute("SELECT path, size, mtime_ns FROM files").fetchall()
        except sqlite3.Error as exc:
            log.warning("parse cache read failed: %s", exc)
            return {}
        return {path: (size, mtime) for path, size, mtime in rows}

    def get_many(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """Stored records (JSON bytes) of these paths, one at a time (a read error ends
        them early: the paths not given are parsed again)."""
        if self._db is None:
            return
        wanted = set(paths)
        try:
            for path, record in self._db.execute("SELECT path, record FROM files"):
                if path in wanted:
                    yield path, record
        except sqlite3.Error as exc:
            log.warning("parse cache read failed: %s", exc)

    def last_good(self, paths: Iterable[str]) -> dict[str, bytes]:
        """The last good record of each path that has one (kept when a file turns bad)."""
        wanted = set(paths)
        if self._db is None or not wanted:
            return {}
        try:
            rows = self._db.execute("SELECT path, good FROM files WHERE good IS NOT NULL")
            return {path: good for path, good in rows if path in wanted}
        except sqlite3.Error as exc:
            log.warning("parse cache read failed: %s", exc)
            return {}

    def put_many(self, rows: Iterable[tuple[str, Stat, bytes]]) -> None:
        """Stage new records (a rejection keeps the path's last good record); ``finish``
        commits them all in one transaction."""
        if self._db is None:
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
                    (path, st[0], st[1], rec, is_rejection(rec), _REJECTION)
                    for path, st, rec in rows
                ],
            )
        except sqlite3.Error as exc:
            log.warning("parse cache write failed: %s", exc)

    def finish(self, keep: set[str]) -> None:
        """Forget the paths that are no longer in the corpus, and commit."""
        if self._db is None:
            return
        try:
            with self._db:
                gone = [
                    (p,) for (p,) in self._db.execute("SELECT path FROM files") if p not in keep
                ]
                self._db.executemany("DELETE FROM files WHERE path = ?", gone)
        except sqlite3.Error as exc:
            log.warning("parse cache write failed: %s", exc)

    def close(self) -> None:
        """Close the database."""
        if self._db is not None:
            self._db.close()
            self._db = None
