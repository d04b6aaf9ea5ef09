"""Load a corpus: a folder to a GraphStore in one call, with the store itself cached between
runs. The one place where ingest (files to records) meets graph (records to a store): the
holder, the CLI and the exports all load through here.

Every whole-graph analytic is computed here too, before the store is returned
(graph/analytics/precompute.py).
The parse cache (ingest/cache.py) spares re-parsing unchanged files. On top of it, the store
built from a corpus is kept as a snapshot (graph/snapshot.py) in the same cache folder, named
by the corpus's fingerprint: every document's path, size and mtime, what the walk skipped, and
the parser and rules (``Scan.fingerprint``), with the build rules and the snapshot format.
When nothing has changed since, the next load walks the folder and reads that snapshot instead
of decoding and merging every record. A
snapshot that cannot be read (truncated, edited, an older format) is ignored and rebuilt. The
store's search index is kept beside it too, built there on first use (searching.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from graphsvc import __version__
from graphsvc.graph.build import BUILD_RULES, build_store, no_gc
from graphsvc.graph.searching import index_path_for, keep_index_at
from graphsvc.graph.snapshot import FORMAT as SNAPSHOT_FORMAT
from graphsvc.graph.snapshot import SnapshotError, read_snapshot, write_snapshot
from graphsvc.graph.store import GraphStore
from graphsvc.ingest.cache import cache_path_for
from graphsvc.ingest.loader import MAX_FILE_BYTES, Progress, Scan, load_corpus, scan_corpus
from graphsvc.settings import Settings

log = logging.getLogger(__name__)

_SUFFIX = ".store"


class Loaded(NamedTuple):
    """A store, and how to keep it for the next start (a no-op when there is nothing to do)."""

    store: GraphStore
    keep: Callable[[], None]


def load_store(
    root: Path,
    *,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    workers: int | None = None,
    max_file_bytes: int | None = None,
    progress: Progress | None = None,
    keep: bool = True,
    analytics: bool = True,
) -> GraphStore:
    """Ingest a corpus folder and build its store (or read it back when nothing changed).

    ``keep=False`` does not write a newly built store for the next start (a server's reloads:
    the write would delay the swap); a kept store that matches is still read.
    ``analytics=False`` leaves the whole-graph analytics to their first use (a command that
    only reports on the corpus; a store that is written still gets them)."""
    loaded = load_store_deferred(
        root,
        cache_dir=cache_dir,
        use_cache=use_cache,
        workers=workers,
        max_file_bytes=max_file_bytes,
        progress=progress,
        analytics=analytics,
    )
    if keep:
        loaded.keep()
    return loaded.store


def load_store_deferred(
    root: Path,
    *,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    workers: int | None = None,
    max_file_bytes: int | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    analytics: bool = True,
) -> Loaded:
    """``load_store`` that leaves writing the kept store to the caller, for later (a server
    swaps the store in first: the write took 11 s at 100k documents); ``cancel`` stops a
    parse under way (IngestCancelled)."""
    scan = scan_corpus(root, max_file_bytes=max_file_bytes or MAX_FILE_BYTES)
    kept = store_cache_path(scan, cache_dir) if use_cache else None
    if kept is not None:
        remove_stale_writes(kept.parent)
    if kept is not None and kept.exists():
        store = _read_kept(kept, scan, analytics)
        if store is not None:
            keep_index_at(store, index_path_for(kept))
            if progress:
                progress(len(scan.entries), len(scan.entries))
            return Loaded(store, _nothing)
    with no_gc():  # millions of small acyclic objects: the cyclic GC only slows this down
        result = load_corpus(
            root,
            cache_dir=cache_dir,
            use_cache=use_cache,
            workers=workers,
            progress=progress,
            scan=scan,
            cancel=cancel,
        )
        store = build_store(
            result.records,
            result.report,
            version=result.version,
            root=str(root),
            sources=result.stats,
        )
        # The records are done with: freed now, the collector (on again at the end of this
        # block) has only the store to look through, not the records' millions of objects too.
        del result
        if analytics:  # before anyone serves it: requests only look results up
            from graphsvc.graph.analytics import warm  # NumPy, SciPy, igraph: when needed

            warm(store)
    if kept is None:
        return Loaded(store, _nothing)
    path = kept

    def keep() -> None:
        if _keep(store, path):
            keep_index_at(store, index_path_for(path))

    return Loaded(store, keep)


def load_served(settings: Settings, *, cancel: threading.Event | None = None) -> Loaded:
    """The store a server starts from: the pinned snapshot ``graphsvc build`` wrote (with its
    search index beside it), or the corpus, loaded as ``load_store_deferred`` does."""
    if settings.snapshot is not None:
        store = read_snapshot(settings.snapshot, checked=settings.snapshot_checked)
        keep_index_at(store, index_path_for(settings.snapshot))  # `graphsvc build` wrote it
        return Loaded(store, _nothing)
    return load_store_deferred(
        settings.corpus,
        cache_dir=settings.cache_dir,
        use_cache=not settings.no_cache,
        workers=settings.ingest_workers or None,
        max_file_bytes=settings.max_file_bytes,
        cancel=cancel,
    )


def _nothing() -> None:
    return None


def remove_stale_writes(folder: Path) -> None:
    """Remove what killed writes left in the cache folder: a kept store's temporary file
    (``.NAME.PID.tmp``, graph/snapshot.py) or a search index being built
    (``.NAME.search.PID.THREAD``, searching.py) whose process is no longer running (another
    worker's write under way is left alone)."""
    try:
        leftovers = [
            p for p in folder.iterdir() if p.name.startswith(".") and _SUFFIX + "." in p.name
        ]
    except OSError:
        return
    for path in leftovers:
        pid = next((int(part) for part in path.name.split(".") if part.isdigit()), None)
        if pid is None or _running(pid):
            continue
        log.warning("removing %s, left by an interrupted write", path)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def store_cache_path(scan: Scan, cache_dir: Path | None = None) -> Path:
    """Where the store of a scanned corpus is kept: beside its parse cache, named by the
    corpus's fingerprint and the rules that build and write stores."""
    parse_cache = cache_path_for(scan.root, cache_dir)
    rules = f"{scan.fingerprint()}|{BUILD_RULES}|{SNAPSHOT_FORMAT}|{__version__}"
    name = hashlib.sha256(rules.encode()).hexdigest()[:32]
    return parse_cache.with_name(f"{parse_cache.stem}-{name}{_SUFFIX}")


def _read_kept(path: Path, scan: Scan, analytics: bool = True) -> GraphStore | None:
    """The kept store, its report saying that nothing was parsed; None if it is unreadable."""
    try:
        store = read_snapshot(path, analytics=analytics)
    except SnapshotError as exc:
        log.warning("ignoring the kept store (%s); building it again", exc)
        return None
    try:  # the fingerprint said equal: belt and braces (the list is parsed only now)
        same = store.sources.items() == scan.stats.items()
    except (ValueError, TypeError) as exc:
        log.warning("ignoring the kept store (its source list: %s); building it again", exc)
        return None
    if not same:
        return None
    report = dataclasses.replace(
        store.report,
        parsed=0,
        cached=len(scan.entries),
        seconds=time.perf_counter() - scan.started,
    )
    return dataclasses.replace(store, report=report, root=str(scan.root))


def _keep(store: GraphStore, path: Path) -> bool:
    """Write the store beside the parse cache and remove the corpus's older ones (and their
    search indexes); never fatal: False when it could not be written."""
    index = index_path_for(path)
    try:
        shutil.rmtree(index, ignore_errors=True)  # an index of an earlier store of this name
        write_snapshot(store, path)
    except (SnapshotError, OSError) as exc:
        log.warning("could not keep the built store for the next start: %s", exc)
        return False
    prefix = path.stem.rsplit("-", 1)[0] + "-"
    for old in path.parent.iterdir():
        if old in (path, index) or not old.name.startswith(prefix):
            continue
        if old.name.endswith(_SUFFIX):
            old.unlink(missing_ok=True)
        elif old.name.endswith(index.name.removeprefix(path.name)) and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    return True
