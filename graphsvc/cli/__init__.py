"""The ``graphsvc`` command: ingest a corpus, serve it, export it."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graphsvc import __version__
from graphsvc.errors import GraphsvcError
from graphsvc.graph.loading import load_store
from graphsvc.graph.store import GraphStore, summarize
from graphsvc.settings import Settings

app = typer.Typer(
    name="graphsvc",
    help="A GraphQL knowledge-graph service for news corpora (Markdown + YAML frontmatter).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        print(f"graphsvc {__version__}")
        raise typer.Exit()


@app.callback()
def _group(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """graphsvc: ingest a news corpus into a graph and serve it over GraphQL."""


CorpusArg = Annotated[
    Path,
    typer.Argument(
        help="Corpus folder: Markdown news documents (.md, .markdown, .txt), searched recursively.",
        show_default=False,
    ),
]
NoCache = Annotated[
    bool, typer.Option("--no-cache", help="Parse every file again; do not read or write the cache.")
]
CacheDir = Annotated[
    Path | None,
    typer.Option(
        help="Parse cache folder (env GRAPHSVC_CACHE_DIR; default ~/.cache/graphsvc).",
        show_default=False,
    ),
]
Workers = Annotated[
    int | None,
    typer.Option("--ingest-workers", help="Processes for a cold parse (default: one per core)."),
]


def load_with_progress(
    corpus: Path, settings: Settings, *, show_progress: bool | None = None
) -> GraphStore:
    """Load a corpus, with a progress bar on a terminal; exit 2 when it is not a folder."""
    if not corpus.is_dir():
        err.print(f"[red]error:[/] {corpus} is not a folder (or does not exist)")
        raise typer.Exit(2)
    show = err.is_terminal if show_progress is None else show_progress
    kwargs: dict[str, Any] = {
        "cache_dir": settings.cache_dir,
        "use_cache": not settings.no_cache,
        "workers": settings.ingest_workers or None,
        "max_file_bytes": settings.max_file_bytes,
    }
    if not show:
        return load_store(corpus, **kwargs)
    with Progress(
        TextColumn("[bold]ingest[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(str(corpus), total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return load_store(corpus, progress=advance, **kwargs)


@app.command()
def ingest(
    corpus: CorpusArg,
    json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 when any file was rejected.")
    ] = False,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
    ingest_workers: Workers = None,
) -> None:
    """Read a corpus and report what it holds: counts, rejected files (with line), warnings.

    Exits 0 when the corpus loaded, 1 under --strict when a file was rejected, 2 on usage errors.
    """
    settings = _settings(
        no_cache=no_cache or None, cache_dir=cache_dir, ingest_workers=ingest_workers
    )
    try:
        store = load_with_progress(corpus, settings)
    except GraphsvcError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    summary = summarize(store)
    if json:
        sys.stdout.buffer.write(orjson.dumps(summary) + b"\n")
    else:
        print_report(summary, Console())
    if strict and summary["rejected"]:
        raise typer.Exit(1)


def print_report(summary: dict[str, Any], console: Console) -> None:
    """The ingest report as tables: counts, rejected files, warnings by kind."""
    counts = Table(title="Corpus", show_header=False, title_justify="left")
    counts.add_column(style="bold")
    counts.add_column(justify="right")
    for label, value in [
        ("files", summary["files"]),
        ("articles", summary["articles"]),
        ("stubs", summary["stubs"]),
        ("providers", summary["providers"]),
        ("topics", summary["topics"]),
        ("edges", summary["edges"]),
        *((f"  {k}", v) for k, v in summary["edgesByKind"].items()),
        ("rejected", len(summary["rejected"])),
        ("warnings", len(summary["warnings"])),
        ("parsed / from cache", f"{summary['parsed']} / {summary['cached']}"),
        ("seconds", summary["seconds"]),
    ]:
        counts.add_row(label, f"{value:,}" if isinstance(value, int) else str(value))
    console.print(counts)
    if summary["rejected"]:
        rejected = Table(title="Rejected files", title_justify="left")
        rejected.add_column("path", overflow="fold")
        rejected.add_column("line", justify="right")
        rejected.add_column("reason", overflow="fold")
        for row in summary["rejected"]:
            rejected.add_row(row["path"], str(row.get("line") or ""), row["reason"])
        console.print(rejected)
    if summary["warnings"]:
        kinds = Counter(w["kind"] for w in summary["warnings"])
        warnings = Table(title="Warnings (all listed by --json)", title_justify="left")
        warnings.add_column("kind")
        warnings.add_column("count", justify="right")
        warnings.add_column("first seen in", overflow="fold")
        for kind, n in kinds.most_common():
            first = next(w for w in summary["warnings"] if w["kind"] == kind)
            warnings.add_row(kind, str(n), f"{first['path']}: {first['reason']}")
        console.print(warnings)


def _settings(**overrides: Any) -> Settings:
    try:
        return Settings.from_env(**overrides)
    except GraphsvcError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None


@app.command()
def schema() -> None:
    """Print the GraphQL schema (SDL) that the service serves."""
    from graphsvc.api.schema import schema_sdl

    sys.stdout.write(schema_sdl())


def main() -> None:
    """Console-script entry point."""
    app()


# Commands that live in their own modules register themselves on ``app`` when imported.
from graphsvc.cli import build as _build  # noqa: E402, F401
from graphsvc.cli import export as _export  # noqa: E402, F401
from graphsvc.cli import serve as _serve  # noqa: E402, F401
