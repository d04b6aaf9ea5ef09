"""Walk a corpus folder into records: every file accounted for, unchanged files from the cache.

Cold parses run on every core (a process pool); a file's record is cached by its path, size
and mtime, so a warm run parses nothing it has seen.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import select
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from graphsvc.errors import GraphsvcError, IngestError
from graphsvc.ingest.cache import CACHE_VERSION, ParseCache, Stat, cache_path_for, is_rejection
from graphsvc.ingest.documents import Record, read_record
from graphsvc.ingest.records import Strings, pack, unpack
from graphsvc.model import Document, IngestReport, Problem

DOCUMENT_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
#: Default per-file size limit: real documents are about 26 KB, the largest under 200 KB.
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Below this many files to parse, a process pool costs more than it saves.
POOL_THRESHOLD = 48
_CHUNK = 32
_OVERSIZED = "file is "  # how the reason of a file refused for its size begins

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


class IngestCancelled(GraphsvcError):
    """An ingest stopped on request (a server shutting down) before it was done."""


@dataclass(slots=True)
class LoadResult:
    """Records in corpus path order, and the report of what was read."""

    records: list[tuple[str, Document]]
    report: IngestReport
    stats: dict[str, Stat] = field(default_factory=dict)
    version: str = ""  # a hash of every record: equal corpora give equal versions anywhere


@dataclass(frozen=True, slots=True)
class _Entry:
    rel: str
    path: str
    stat: Stat


@dataclass(slots=True)
class Scan:
    """A corpus folder walked: its documents with their size and mtime, and a report of the
    files skipped or refused on the way (nothing has been read yet)."""

    root: Path
    entries: list[_Entry]
    report: IngestReport
    max_file_bytes: int
    started: float
    oversized: list[str] = field(default_factory=list)  # refused for their size alone

    def fingerprint(self) -> str:
        """A hash of everything an ingest's result depends on, short of reading the files:
        each document's path, size and mtime, what the walk skipped, the parser and rules."""
        digest = hashlib.sha256(f"{CACHE_VERSION}|{self.max_file_bytes}".encode())
        for e in self.entries:
            digest.update(f"\0{e.rel}\0{e.stat[0]}\0{e.stat[1]}".encode())
        skipped = sorted((p.path, p.reason) for p in self.report.rejected)
        digest.update(orjson.dumps([self.report.ignored, skipped]))
        return digest.hexdigest()[:32]

    @property
    def stats(self) -> dict[str, Stat]:
        """Size and mtime of every document, by path."""
        return {e.rel: e.stat for e in self.entries}


def scan_corpus(root: Path, *, max_file_bytes: int = MAX_FILE_BYTES) -> Scan:
    """Walk ``root``; raise IngestError only if it is no folder."""
    started = time.perf_counter()
    if not root.is_dir():
        raise IngestError(str(root), "not a folder (or it does not exist)")
    report = IngestReport()
    entries = _walk(root, report, max_file_bytes)
    report.files = len(entries) + len(report.rejected)
    oversized = [p.path for p in report.rejected if p.reason.startswith(_OVERSIZED)]
    return Scan(root, entries, report, max_file_bytes, started, oversized)


def load_corpus(
    root: Path,
    *,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    workers: int | None = None,
    max_file_bytes: int = MAX_FILE_BYTES,
    progress: Progress | None = None,
    scan: Scan | None = None,
    cancel: threading.Event | None = None,
) -> LoadResult:
    """Read every document under ``root`` (walked now, or already by ``scan``); raise
    IngestError only if ``root`` is no folder, and IngestCancelled soon after ``cancel`` is
    set (the process pool shut down)."""
    scan = scan or scan_corpus(root, max_file_bytes=max_file_bytes)
    report, entries = scan.report, scan.entries
    decoded: dict[str, Document | Record] = {}  # a document, or a rejection
    digests: dict[str, bytes] = {}
    used: set[int] = set()  # the strings' numbers that records use

    def take(rel: str, blob: bytes, *, fresh: bool = False) -> bytes:
        """Decode a record (as stored, or ``fresh`` from a parse worker, its strings not
        numbered yet); give it as stored."""
        if is_rejection(blob):
            record = orjson.loads(blob)
            if not isinstance(record.get("error"), str):
                raise ValueError("not a rejection")
            digests[rel] = hashlib.sha256(blob).digest()
            decoded[rel] = record
            return blob
        digest, numbers, shape = orjson.loads(blob)
        if fresh:
            numbers = strings.ids(numbers)
            blob = orjson.dumps([digest, numbers, shape])
        decoded[rel] = unpack(shape, strings.shared(numbers))
        digests[rel] = bytes.fromhex(digest)
        used.update(numbers)
        return blob

    def take_cached(rel: str, blob: bytes) -> None:
        """A cached record that does not decode is a cache miss (its checksum matched, so
        it was written so: an older or foreign writer): the file is parsed again."""
        try:
            take(rel, blob)
        except Exception as exc:  # any shape of bad JSON: it is parsed again below
            decoded.pop(rel, None)
            log.warning(
                "parse cache: the record of %s cannot be used (%s); parsing it again", rel, exc
            )

    cache = ParseCache(cache_path_for(root, cache_dir)) if use_cache else None
    strings = Strings()
    try:
        with cache.reading() if cache else nullcontext():
            strings = Strings(cache.strings() if cache else None)
            known = cache.stats() if cache else {}
            fresh = [e for e in entries if known.get(e.rel) == e.stat]
            stale = [e for e in entries if known.get(e.rel) != e.stat]
            for rel, blob in cache.get_many(e.rel for e in fresh) if cache else ():
                take_cached(rel, blob)
        stale += [e for e in fresh if e.rel not in decoded]
        stats = {e.rel: e.stat for e in stale}
        # Each chunk is decoded and stored as it arrives, while the workers parse the next.
        for chunk in _parse_all(stale, workers, progress, len(entries) - len(stale), cancel):
            rows = [(rel, stats[rel], take(rel, blob, fresh=True)) for rel, blob in chunk]
            if cache:
                cache.put_many(rows, strings.stored, strings.texts[strings.stored :])
                strings.stored = len(strings.texts)
        fallback: dict[str, bytes] = {}
        if cache:
            bad = [rel for rel, rec in decoded.items() if isinstance(rec, dict)]
            fallback = cache.last_good([*bad, *scan.oversized])
            for kept in fallback.values():  # their strings stay in use
                used.update(orjson.loads(kept)[1])
            # An oversized file stays in the cache (with its last good record) like a bad one.
            cache.finish(
                {e.rel for e in entries}.union(scan.oversized),
                strings=len(strings.texts),
                used=len(used),
            )
    finally:
        if cache:
            cache.close()
    report.parsed = len(stale)
    report.cached = len(entries) - len(stale)
    # An oversized file with a last good record counts as that record, as a bad file does.
    for problem in [p for p in report.rejected if p.path in fallback]:
        report.rejected.remove(problem)
        decoded[problem.path] = {"error": problem.reason, "line": problem.line}
        digests[problem.path] = hashlib.sha256(problem.reason.encode()).digest()
    records: list[tuple[str, Document]] = []
    version = hashlib.sha256()
    for rel in sorted(decoded):
        record = decoded[rel]
        version.update(rel.encode() + b"\0" + digests[rel])
        if isinstance(record, dict):  # a rejection
            good = fallback.get(rel)
            if good is None:
                report.rejected.append(Problem(rel, record["error"], record.get("line")))
                continue
            reason = f"{record['error']} (its last good version is kept)"
            report.rejected.append(Problem(rel, reason, record.get("line")))
            _, numbers, shape = orjson.loads(good)
            record = unpack(shape, strings.shared(numbers))
        for reason, kind in record.warnings:
            report.warnings.append(Problem(rel, reason, None, kind))
        records.append((rel, record))
    report.rejected.sort(key=lambda p: p.path)
    report.seconds = time.perf_counter() - scan.started
    return LoadResult(records, report, scan.stats, version.hexdigest()[:16])


def _walk(root: Path, report: IngestReport, max_file_bytes: int) -> list[_Entry]:
    """Document files in path order; links, oversized and unreadable files reported.

    ``os.scandir`` with plain strings: one ``stat`` per regular file, which matters at 100k
    files (pathlib and three ``stat`` calls a file took 5 s there)."""
    real_root = root.resolve()
    entries: list[_Entry] = []
    folders = [(str(root), "")]  # (folder on disk, its corpus-relative prefix)
    while folders:
        folder, prefix = folders.pop()
        try:
            with os.scandir(folder) as listing:
                found = list(listing)
        except OSError as exc:
            report.ignored.append(f"{prefix or './'} (cannot be read: {exc.strerror or exc})")
            continue
        for entry in found:
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if entry.name.startswith("."):
                    report.ignored.append(f"{rel}/ (hidden folder)")
                else:
                    folders.append((entry.path, rel + "/"))
                continue
            if entry.is_symlink() and _links_to_folder(entry):
                report.ignored.append(f"{rel}/ (link to a folder, not followed)")
                continue
            if not _is_utf8(rel):
                shown = rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                report.rejected.append(Problem(shown, "file name is not valid UTF-8"))
                continue
            if os.path.splitext(entry.name)[1].lower() not in DOCUMENT_SUFFIXES:
                report.ignored.append(f"{rel} (not .md, .markdown or .txt)")
                continue
            problem = _check_file(entry, rel, real_root, max_file_bytes)
            if isinstance(problem, Problem):
                report.rejected.append(problem)
            else:
                entries.append(_Entry(rel, entry.path, problem))
    entries.sort(key=lambda e: e.rel)
    report.ignored.sort()
    return entries


def _links_to_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a link loop: reported as a file below
        return False


def _check_file(
    entry: os.DirEntry[str], rel: str, real_root: Path, max_file_bytes: int
) -> Problem | Stat:
    """The file's (size, mtime) or the reason it cannot be read."""
    try:
        if entry.is_symlink():
            target = Path(entry.path).resolve(strict=True)
            if not target.is_relative_to(real_root):
                return Problem(rel, f"link points outside the corpus folder ({target})")
        st = entry.stat()  # follows a link; cached by scandir for the others
    except RuntimeError:
        return Problem(rel, "link loop")
    except OSError as exc:
        return Problem(rel, f"cannot be read: {exc.strerror or exc}")
    if not stat.S_ISREG(st.st_mode):
        return Problem(rel, "not a regular file")
    if st.st_size > max_file_bytes:
        return Problem(
            rel,
            f"{_OVERSIZED}{st.st_size:,} bytes, over the limit of {max_file_bytes:,}"
            " (GRAPHSVC_MAX_FILE_BYTES)",
        )
    return (st.st_size, st.st_mtime_ns)


def _is_utf8(name: str) -> bool:
    """Whether a path came from valid UTF-8 bytes (Python keeps bad bytes as surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_file(rel: str, path: str) -> bytes:
    """One file's record as JSON bytes: packed (ingest/records.py), or a rejection's
    ``{"error": ..., "line": ...}``."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        record: Record = read_record(rel, raw)
    except IngestError as exc:
        record = {"error": exc.reason, "line": exc.line}
    except OSError as exc:
        record = {"error": f"cannot be read: {exc.strerror or exc}", "line": None}
    except RecursionError:
        record = {"error": "frontmatter nested too deeply", "line": None}
    except Exception as exc:  # never let one file stop an ingest
        record = {"error": f"cannot be read: {type(exc).__name__}: {exc}"[:300], "line": None}
    try:
        return orjson.dumps(record) if "error" in record else pack(record)
    except TypeError as exc:
        return orjson.dumps({"error": f"unsupported value: {exc}"[:300], "line": None})


def _parse_chunk(chunk: Sequence[tuple[str, str]]) -> list[tuple[str, bytes]]:
    return [(rel, parse_file(rel, path)) for rel, path in chunk]


def _parse_all(
    entries: list[_Entry],
    workers: int | None,
    progress: Progress | None,
    done: int,
    cancel: threading.Event | None = None,
) -> Iterator[list[tuple[str, bytes]]]:
    """Parse files, on a process pool when there are enough of them: chunks of (path, JSON
    record) in order, as they are done."""
    total = done + len(entries)
    jobs = [(e.rel, e.path) for e in entries]
    chunks = [jobs[i : i + _CHUNK] for i in range(0, len(jobs), _CHUNK)]
    workers = workers or os.cpu_count() or 1
    if progress:
        progress(done, total)
    for chunk_result in _map_chunks(chunks, workers if len(jobs) >= POOL_THRESHOLD else 1):
        if cancel is not None and cancel.is_set():
            raise IngestCancelled(f"stopped after {done:,} of {total:,} files")
        yield chunk_result
        done += len(chunk_result)
        if progress:
            progress(done, total)


def _map_chunks(
    chunks: list[list[tuple[str, str]]], workers: int
) -> Iterator[list[tuple[str, bytes]]]:
    context = _pool_context() if workers > 1 else None
    if context is None:
        yield from map(_parse_chunk, chunks)
        return
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=exit_with,
        initargs=(os.getpid(),),
    )
    try:
        yield from pool.map(_parse_chunk, chunks)
    finally:  # also when the caller stops early: chunks not started are dropped
        pool.shutdown(wait=True, cancel_futures=True)


def exit_with(owner: int) -> None:
    """Pool worker initializer: the worker exits as soon as process ``owner`` (the one that
    made the pool) is gone, even killed with SIGKILL. A worker's parent may be a fork server,
    not ``owner``, so this waits on a pidfd of ``owner`` in a thread rather than relying on
    ``PR_SET_PDEATHSIG``; where there are no pidfds, it polls once a second."""
    threading.Thread(target=_wait_for_exit, args=(owner,), daemon=True).start()


def _wait_for_exit(owner: int) -> None:
    try:
        fd = os.pidfd_open(owner)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # no pidfds here
        while _alive(owner):
            time.sleep(1)
    else:
        select.select([fd], [], [])  # readable once the process has exited
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _pool_context() -> multiprocessing.context.BaseContext | None:
    """How to start pool workers, or None to parse in this process.

    A process with one thread (the CLI, a script) forks: the workers start at once with
    everything imported. With other threads running (the server), forking could copy a lock
    held by one of them, so workers come from a fork server instead, which re-imports
    ``__main__`` from its file: when that file does not exist (a script read from stdin),
    parsing stays in this process.
    """
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    if main_file is not None and not os.path.exists(main_file):
        return None
    return multiprocessing.get_context("forkserver")
