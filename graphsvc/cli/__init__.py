"""The ``graphsvc`` command: ingest a corpus, serve it, export it.

Each command imports what it needs when it runs: ``graphsvc --version`` and ``--help`` load
neither the graph nor the web stack (``bench/startup.py`` measures it).
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from graphsvc import __version__
from graphsvc.cli.help import NaturalCommand, NaturalGroup

if TYPE_CHECKING:
    from rich.console import Console

    from graphsvc.graph.store import GraphStore
    from graphsvc.settings import Settings


#: Every command is declared with ``cls=NaturalCommand``: help that reads naturally.
app = typer.Typer(
    name="graphsvc",
    help="A GraphQL knowledge-graph service for news corpora (Markdown + YAML frontmatter).",
    cls=NaturalGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no rich import for --help
)


@cache
def console(stderr: bool = True) -> Console:
    """The rich console of stderr (messages, progress) or stdout (reports), made on first use."""
    from rich.console import Console

    return Console(stderr=stderr, soft_wrap=True) if stderr else Console()


def say(message: str, **kwargs: Any) -> None:
    """Print a message (rich markup) on stderr."""
    console().print(message, **kwargs)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code`` (2: a usage error)."""
    from rich.markup import escape

    say(f"[red]error:[/] {escape(message)}", highlight=False)  # a path may hold "[...]"
    raise typer.Exit(code)


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
        metavar="CORPUS",
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
        metavar="DIR",
    ),
]
Workers = Annotated[
    int | None,
    typer.Option(
        "--ingest-workers", help="Processes for a cold parse (default: one per core).", metavar="N"
    ),
]


def check_corpus(corpus: Path) -> None:
    """Exit 2 unless ``corpus`` is a folder, saying what it is instead."""
    if corpus.is_dir():
        return
    if corpus.exists():
        fail(f"{corpus} is a file, not a folder: give the corpus folder that holds the documents")
    fail(f"corpus folder {corpus} does not exist")


def load_with_progress(
    corpus: Path,
    settings: Settings,
    *,
    show_progress: bool | None = None,
    analytics: bool = False,
) -> GraphStore:
    """Load a corpus, with a progress bar on a terminal; exit 2 when it is not a folder.
    ``analytics``: with the whole-graph analytics (only ``build`` writes them out)."""
    check_corpus(corpus)
    from graphsvc.corpus import load_store

    show = sys.stderr.isatty() if show_progress is None else show_progress
    kwargs: dict[str, Any] = {
        "cache_dir": settings.cache_dir,
        "use_cache": not settings.no_cache,
        "workers": settings.ingest_workers or None,
        "max_file_bytes": settings.max_file_bytes,
        "analytics": analytics,
    }
    if not show:
        return load_store(corpus, **kwargs)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[bold]ingest[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console(),
        transient=True,
    ) as bar:
        task = bar.add_task(str(corpus), total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return load_store(corpus, progress=advance, **kwargs)


@app.command(cls=NaturalCommand)
def ingest(
    corpus: CorpusArg,
    json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Exit 1 when any file was rejected or no document found."),
    ] = False,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
    ingest_workers: Workers = None,
) -> None:
    """Read a corpus and report what it holds: counts, rejected files (with line), warnings.

    Exits 0 when the corpus loaded, 1 under --strict when a file was rejected or no document
    was found, 2 on usage errors.
    """
    settings = _settings(
        no_cache=no_cache or None, cache_dir=cache_dir, ingest_workers=ingest_workers
    )
    from graphsvc.errors import GraphsvcError
    from graphsvc.graph.store import summarize

    try:
        store = load_with_progress(corpus, settings)
    except GraphsvcError as exc:
        fail(str(exc))
    summary = summarize(store)
    if json:
        import orjson

        sys.stdout.buffer.write(orjson.dumps(summary) + b"\n")
    else:
        print_report(summary, console(stderr=False))
    empty = warn_if_empty(corpus, summary)
    if strict and (summary["rejected"] or empty):
        raise typer.Exit(1)


def warn_if_empty(corpus: Path, summary: dict[str, Any]) -> bool:
    """Say on stderr when the corpus holds no document at all; whether it did not."""
    if summary["files"]:
        return False
    from rich.markup import escape

    ignored = len(summary["ignored"])
    say(
        f"[yellow]warning:[/] no documents found in {escape(str(corpus))}: graphsvc reads .md,"
        " .markdown and .txt files (in any subfolder but hidden ones)"
        + (f"; {ignored} other entries ignored" if ignored else ""),
        highlight=False,
    )
    return True


def print_report(summary: dict[str, Any], out: Console) -> None:
    """The ingest report as tables: counts, rejected files, warnings by kind, ignored files."""
    from collections import Counter

    from rich.table import Table

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
        ("ignored", len(summary["ignored"])),
        ("parsed / from cache", f"{summary['parsed']} / {summary['cached']}"),
        ("seconds", summary["seconds"]),
    ]:
        counts.add_row(label, f"{value:,}" if isinstance(value, int) else str(value))
    out.print(counts)
    if summary["rejected"]:
        rejected = Table(title="Rejected files", title_justify="left")
        rejected.add_column("path", overflow="fold")
        rejected.add_column("line", justify="right")
        rejected.add_column("reason", overflow="fold")
        for row in summary["rejected"]:
            rejected.add_row(row["path"], str(row.get("line") or ""), row["reason"])
        out.print(rejected)
    if summary["warnings"]:
        kinds = Counter(w["kind"] for w in summary["warnings"])
        warnings = Table(title="Warnings (all listed by --json)", title_justify="left")
        warnings.add_column("kind")
        warnings.add_column("count", justify="right")
        warnings.add_column("first seen in", overflow="fold")
        for kind, n in kinds.most_common():
            first = next(w for w in summary["warnings"] if w["kind"] == kind)
            warnings.add_row(kind, str(n), f"{first['path']}: {first['reason']}")
        out.print(warnings)
    if summary["ignored"]:
        ignored = Table(title="Ignored (not documents)", title_justify="left", show_header=False)
        ignored.add_column(overflow="fold")
        for row in summary["ignored"][:MAX_IGNORED_ROWS]:
            ignored.add_row(row)
        more = len(summary["ignored"]) - MAX_IGNORED_ROWS
        if more > 0:
            ignored.add_row(f"… and {more:,} more (all listed by --json)")
        out.print(ignored)


#: Ignored paths listed in the table (``--json`` lists them all).
MAX_IGNORED_ROWS = 20


def _settings(**overrides: Any) -> Settings:
    from graphsvc.errors import GraphsvcError
    from graphsvc.settings import Settings

    try:
        return Settings.from_env(**overrides)
    except GraphsvcError as exc:
        fail(str(exc))


@app.command(cls=NaturalCommand)
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
