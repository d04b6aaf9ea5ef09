"""``graphsvc serve``: run the GraphQL service with uvicorn."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from graphsvc.cli import _settings, app, err
from graphsvc.settings import SEEDS_DIR
from graphsvc.web.app import configure_logging, create_app
from graphsvc.web.connection import uvicorn_options
from graphsvc.web.metrics import multiprocess_dir


@app.command()
def serve(
    corpus: Annotated[
        Path | None,
        typer.Argument(
            help="Corpus folder (env GRAPHSVC_CORPUS; default: the project's seeds/).",
            show_default=False,
        ),
    ] = None,
    host: Annotated[
        str | None, typer.Option(help="Interface (env GRAPHSVC_HOST; default 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port (env GRAPHSVC_PORT; default 8000).")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Worker processes, each with its own snapshot (env GRAPHSVC_WORKERS; default 1)."
        ),
    ] = None,
    log_level: Annotated[
        str | None,
        typer.Option(help="debug, info, warning or error (env GRAPHSVC_LOG_LEVEL; default info)."),
    ] = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(
            help="Allow this browser origin, e.g. http://localhost:5173; repeatable"
            " (env GRAPHSVC_CORS_ORIGINS, comma-separated)."
        ),
    ] = None,
    watch: Annotated[
        bool | None,
        typer.Option(
            "--watch/--no-watch",
            help="Reload when corpus files change (env GRAPHSVC_WATCH; default on).",
        ),
    ] = None,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Parse cache folder (env GRAPHSVC_CACHE_DIR).")
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Parse every file on every load.")
    ] = False,
    snapshot: Annotated[
        Path | None,
        typer.Option(
            help="Start from a snapshot written by `graphsvc build` instead of parsing the"
            " corpus: a fast start, without live reload (env GRAPHSVC_SNAPSHOT)."
        ),
    ] = None,
) -> None:
    """Serve a corpus over GraphQL: HTTP and WebSocket at /graphql, the playground in a browser."""
    settings = _settings(
        corpus=corpus,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        cors_origins=tuple(cors_origin) if cors_origin else None,
        watch=watch,
        cache_dir=cache_dir,
        no_cache=no_cache or None,
        snapshot=snapshot,
    )
    if settings.snapshot is not None:
        if not settings.snapshot.is_file():
            err.print(f"[red]error:[/] snapshot {settings.snapshot} does not exist")
            raise typer.Exit(2)
    elif not settings.corpus.is_dir():
        hint = (
            " (run the README's install command from a checkout)"
            if settings.corpus == SEEDS_DIR
            else ""
        )
        err.print(f"[red]error:[/] corpus folder {settings.corpus} does not exist{hint}")
        raise typer.Exit(2)
    configure_logging(settings.log_level)
    if settings.workers > 1:
        # Each worker process builds its app from GRAPHSVC_* variables.
        env = {
            "GRAPHSVC_CORPUS": str(settings.corpus.resolve()),
            "GRAPHSVC_HOST": settings.host,
            "GRAPHSVC_PORT": str(settings.port),
            "GRAPHSVC_LOG_LEVEL": settings.log_level,
            "GRAPHSVC_CORS_ORIGINS": ",".join(settings.cors_origins),
            "GRAPHSVC_WATCH": str(settings.watch).lower(),
            "GRAPHSVC_NO_CACHE": str(settings.no_cache).lower(),
        }
        if settings.snapshot:
            env["GRAPHSVC_SNAPSHOT"] = str(settings.snapshot.resolve())
        if settings.cache_dir:
            env["GRAPHSVC_CACHE_DIR"] = str(settings.cache_dir)
        os.environ.update(env)
        with multiprocess_dir():  # /metrics sums the workers' values
            uvicorn.run(
                "graphsvc.web.app:create_app_from_env",
                factory=True,
                host=settings.host,
                port=settings.port,
                workers=settings.workers,
                log_level=settings.log_level,
                **uvicorn_options(settings),
            )
    else:
        uvicorn.run(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
            **uvicorn_options(settings),
        )
