"""``graphsvc export``: write the graph, or the part a filter or seed picks, in one format."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO

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
)
from graphsvc.cli.help import NaturalCommand

if TYPE_CHECKING:
    from graphsvc.export import ExportFormat
    from graphsvc.export.select import Selection

#: Option names of the parameters a SelectionError can name.
OPTION_OF = {
    "format": "--format",
    "topic": "--topic",
    "provider": "--provider",
    "after": "--after",
    "before": "--before",
    "minQuality": "--min-quality",
    "includeStubs": "--include-stubs",
    "seed": "--seed",
    "depth": "--depth",
}
#: The formats of graphsvc.export.FORMATS, written out so that --help imports no exporter
#: (tests/test_cli.py checks that it names them all).
FORMAT_NAMES = "graphml, gexf, json, cyjs, neo4j-csv (.zip), jsonld"
_FORMAT_HELP = f"Output format: {FORMAT_NAMES}"


def _fail(option: str, message: str) -> typer.Exit:
    console().print(f"[red]error:[/] {option}: {message}", highlight=False, markup=True)
    return typer.Exit(2)


@app.command("export", cls=NaturalCommand)
def export_graph(
    corpus: CorpusArg,
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            help="File to write (replaced whole at the end), or - for stdout.",
            metavar="FILE",
        ),
    ],
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help=_FORMAT_HELP + ". Default: from the --output extension.",
            metavar="FORMAT",
        ),
    ] = None,
    topic: Annotated[
        list[str] | None,
        typer.Option(
            help="Articles carrying this topic (repeat: all of them). Case-insensitive.",
            metavar="NAME",
        ),
    ] = None,
    provider: Annotated[
        list[str] | None,
        typer.Option(
            help="Articles from this provider domain (repeat: any of them).", metavar="DOMAIN"
        ),
    ] = None,
    after: Annotated[
        str | None,
        typer.Option(
            help="Published at or after: YYYY, YYYY-MM, YYYY-MM-DD or ISO 8601 (UTC).",
            metavar="DATE",
        ),
    ] = None,
    before: Annotated[
        str | None, typer.Option(help="Published before (same forms as --after).", metavar="DATE")
    ] = None,
    min_quality: Annotated[
        int | None, typer.Option(help="Quality at least this.", metavar="N")
    ] = None,
    include_stubs: Annotated[
        bool | None,
        typer.Option(
            "--include-stubs/--exclude-stubs",
            help="Keep stub articles in a filtered export (left out unless given).",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        str | None,
        typer.Option(
            help="Export the surroundings of this node: an article URL or a node ID.",
            metavar="URL|ID",
        ),
    ] = None,
    depth: Annotated[
        int | None,
        typer.Option(help="Hops around --seed, edges followed both ways (default 1).", metavar="N"),
    ] = None,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
    ingest_workers: Workers = None,
) -> None:
    """Export the graph: GraphML, GEXF, node-link JSON, Cytoscape.js, Neo4j CSV or JSON-LD.

    No filter and no --seed: the whole graph, stubs included.

    Filters pick articles as the API's ArticleFilter does (stubs only with --include-stubs).

    --seed keeps what lies within --depth hops of a node (and passes the filters, if any).

    Articles bring their providers and topics; an edge goes when both ends do. Bad option: exit 2.
    """
    from graphsvc.errors import GraphsvcError
    from graphsvc.export import SelectionError, parse_spec, select

    fmt = _pick_format(format, output)
    target = None if output == "-" else Path(output)
    if target is not None and not target.parent.is_dir():
        raise _fail("--output", f"folder {target.parent} does not exist")
    if target is not None and target.is_dir():
        raise _fail("--output", f"{target} is a folder: give a file name")
    settings = _settings(
        no_cache=no_cache or None, cache_dir=cache_dir, ingest_workers=ingest_workers
    )
    try:
        store = load_with_progress(corpus, settings)
        spec = parse_spec(
            store,
            topics=topic or (),
            providers=provider or (),
            after=after,
            before=before,
            min_quality=min_quality,
            include_stubs=include_stubs,
            seed=seed,
            depth=depth,
        )
    except SelectionError as exc:
        raise _fail(OPTION_OF.get(exc.parameter, exc.parameter), exc.message) from None
    except GraphsvcError as exc:
        fail(str(exc))
    selection = select(store, spec)
    err = console()
    chunks = _with_progress(fmt, selection) if err.is_terminal else fmt.generate(selection, None)
    size = _write_stdout(chunks) if target is None else _write_file(chunks, target)
    err.print(
        f"{fmt.name}: {selection.node_count:,} nodes, {size:,} bytes"
        f" → {'stdout' if target is None else target}",
        highlight=False,
    )


def _pick_format(name: str | None, output: str) -> ExportFormat:
    """The format asked for, or the one the output file's extension names."""
    from graphsvc.export import SelectionError, get_format

    try:
        if name is not None:
            return get_format(name)
        suffix = Path(output).suffix.lstrip(".")
        if output == "-" or not suffix:
            raise _fail("--format", "give --format (it cannot be told from the output name)")
        return get_format(suffix)
    except SelectionError as exc:
        raise _fail("--format", exc.message) from None


def _with_progress(fmt: ExportFormat, selection: Selection) -> Iterator[bytes]:
    """The format's chunks, with a progress bar over nodes and edges on stderr."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    total = selection.node_count + selection.edge_count()
    with Progress(
        TextColumn(f"[bold]export[/] {fmt.name}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console(),
        transient=True,
    ) as bar:
        task = bar.add_task(fmt.name, total=total)
        yield from fmt.generate(selection, lambda n: bar.advance(task, n))


def _write_stdout(chunks: Iterator[bytes]) -> int:
    """Write chunks to stdout; a closed pipe (``| head``) ends the export quietly."""
    stream: BinaryIO = sys.stdout.buffer
    size = 0
    try:
        for chunk in chunks:
            stream.write(chunk)
            size += len(chunk)
        stream.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return size


def _write_file(chunks: Iterator[bytes], target: Path) -> int:
    """Write chunks to a temporary file beside ``target``, then put it in place whole."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    size = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
                size += len(chunk)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)  # as open() would have made it, not mkstemp's 0600
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return size
