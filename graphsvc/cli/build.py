"""``graphsvc build``: ingest a corpus once and write a snapshot that a service reads in seconds."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from graphsvc.cli import (
    CacheDir,
    CorpusArg,
    NoCache,
    Workers,
    _settings,
    app,
    console,
    fail,
    load_with_progress,
    print_report,
)
from graphsvc.cli.help import NaturalCommand


@app.command("build", cls=NaturalCommand)
def build(
    corpus: CorpusArg,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Snapshot file to write (replaced whole at the end).",
            show_default=False,
            metavar="FILE",
        ),
    ],
    compress: Annotated[
        bool,
        typer.Option(
            "--compress",
            help="zlib-compress the snapshot: about a third of the size, but read into each"
            " worker's memory instead of mapped in place and shared.",
        ),
    ] = False,
    json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 (after writing) when any file was rejected.")
    ] = False,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
    ingest_workers: Workers = None,
) -> None:
    """Ingest a corpus and write its graph store to a snapshot file (safe, versioned, no pickle).

    Exits 0 when written, 1 under --strict when a file was rejected, 2 on errors.
    """
    settings = _settings(
        no_cache=no_cache or None, cache_dir=cache_dir, ingest_workers=ingest_workers
    )
    from graphsvc.errors import GraphsvcError
    from graphsvc.graph.searching import index_path_for, keep_index_at, search_index
    from graphsvc.graph.snapshot import write_snapshot
    from graphsvc.graph.store import summarize

    try:
        store = load_with_progress(corpus, settings, analytics=True)
        started = time.perf_counter()
        index = index_path_for(output)
        shutil.rmtree(index, ignore_errors=True)  # an index of the snapshot replaced
        size = write_snapshot(store, output, compress=compress)
        wrote = time.perf_counter()
        keep_index_at(store, index)
        search_index(store)  # built beside the snapshot: `serve --snapshot` opens it
    except GraphsvcError as exc:
        fail(str(exc))
    summary = summarize(store)
    summary["snapshot"] = {
        "path": str(output),
        "bytes": size,
        "compressed": compress,
        "seconds": round(wrote - started, 3),
        "searchIndex": str(index),
        "searchIndexSeconds": round(time.perf_counter() - wrote, 3),
    }
    if json:
        import orjson

        sys.stdout.buffer.write(orjson.dumps(summary) + b"\n")
    else:
        out = console(stderr=False)
        print_report(summary, out)
        out.print(
            f"snapshot [bold]{output}[/]: {size:,} bytes in {summary['snapshot']['seconds']} s;"
            f" search index [bold]{index}[/] in {summary['snapshot']['searchIndexSeconds']} s",
            highlight=False,
        )
    if strict and summary["rejected"]:
        raise typer.Exit(1)
