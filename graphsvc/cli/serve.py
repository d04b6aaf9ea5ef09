"""``graphsvc serve``: run the GraphQL service with uvicorn.

Everything that can be checked is checked before serving: the port's range, the corpus folder
or snapshot file (a snapshot is read through, every section's checksum), and the port itself,
which is bound here before the app starts, so that the URL the log announces is the one that
answers (uvicorn is handed the bound socket).
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from graphsvc.cli import _settings, app, check_corpus, fail
from graphsvc.cli.help import NaturalCommand

if TYPE_CHECKING:
    import uvicorn
    from starlette.applications import Starlette

    from graphsvc.graph.store import GraphStore
    from graphsvc.settings import Settings

#: Exit code when the server cannot start: the port is taken, or uvicorn did not start.
STARTUP_FAILURE = 3


@app.command(cls=NaturalCommand)
def serve(
    corpus: Annotated[
        Path | None,
        typer.Argument(
            help="Corpus folder (env GRAPHSVC_CORPUS; default: the project's seeds/).",
            show_default=False,
            metavar="CORPUS",
        ),
    ] = None,
    host: Annotated[
        str | None,
        typer.Option(help="Interface (env GRAPHSVC_HOST; default 127.0.0.1).", metavar="HOST"),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            help="Port, 0 to 65535; 0 picks a free one (env GRAPHSVC_PORT; default 8000).",
            metavar="PORT",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Worker processes, forked from one that has read the snapshot, sharing its"
            " memory (env GRAPHSVC_WORKERS; default 1).",
            metavar="N",
        ),
    ] = None,
    log_level: Annotated[
        str | None,
        typer.Option(
            help="debug, info, warning or error (env GRAPHSVC_LOG_LEVEL; default info).",
            metavar="LEVEL",
        ),
    ] = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(
            help="Allow this browser origin, e.g. http://localhost:5173; repeatable"
            " (env GRAPHSVC_CORS_ORIGINS, comma-separated).",
            metavar="ORIGIN",
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
        Path | None,
        typer.Option(help="Parse cache folder (env GRAPHSVC_CACHE_DIR).", metavar="DIR"),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Parse every file on every load.")
    ] = False,
    snapshot: Annotated[
        Path | None,
        typer.Option(
            help="Start from a snapshot written by `graphsvc build` instead of parsing the"
            " corpus: a fast start, without live reload (env GRAPHSVC_SNAPSHOT).",
            metavar="FILE",
        ),
    ] = None,
) -> None:
    """Serve a corpus over GraphQL: HTTP and WebSocket at /graphql, the playground in a browser.

    Exits 2 on a bad option, corpus or snapshot, 3 when the port is taken.
    """
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
    if not 0 <= settings.port <= 65535:
        fail(f"port {settings.port} is out of range: give --port 0 to 65535 (0: any free port)")
    from graphsvc.web.workers import multiprocess_dir

    # With workers, their metric files' folder is set before prometheus-client is imported.
    with multiprocess_dir() if settings.workers > 1 else contextlib.nullcontext():
        if settings.snapshot is not None:
            checked = check_snapshot(settings.snapshot)
            settings = dataclasses.replace(
                settings, snapshot_checked=checked
            )  # the read skips the checksums
        elif not settings.corpus.exists():
            from graphsvc.settings import SEEDS_DIR

            hint = " (run the README's install command from a checkout)"
            fail(
                f"corpus folder {settings.corpus} does not exist"
                + (hint if settings.corpus == SEEDS_DIR else "")
            )
        else:
            check_corpus(settings.corpus)
        sock = bind(settings.host, settings.port)
        settings = _with_port(settings, sock.getsockname()[1])  # the real one, when 0 was asked
        run(settings, sock)


def check_snapshot(path: Path) -> str:
    """Exit 2, naming the file and what is wrong, unless ``path`` is a sound snapshot file;
    the identity of the file checked (``read_snapshot``'s ``checked``)."""
    if path.is_dir():
        fail(
            f"snapshot {path} is a folder, not a snapshot file: give the file that"
            " `graphsvc build -o FILE` wrote"
        )
    if not path.exists():
        fail(f"snapshot {path} does not exist")
    from graphsvc.graph.snapshot import SnapshotError, verify_snapshot

    try:
        return str(verify_snapshot(path)["identity"])
    except SnapshotError as exc:
        fail(str(exc))


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to host:port (not yet listening: uvicorn listens on it); on failure,
    exit 3 saying which port is taken, or exit 2 when the host cannot be used."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as exc:
        fail(f"cannot listen on host {host!r}: {exc.strerror or exc}")
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            fail(
                f"port {port} on {host} is already in use (another server is listening there):"
                " stop it, or pick another port with --port (e.g. --port 0 for any free one)",
                STARTUP_FAILURE,
            )
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", STARTUP_FAILURE)
    sock.set_inheritable(True)  # worker processes serve it too
    return sock


def _with_port(settings: Settings, port: int) -> Settings:
    return dataclasses.replace(settings, port=port)


def run(settings: Settings, sock: socket.socket) -> None:
    """Serve the app on the bound socket: in this process, or in ``settings.workers`` worker
    processes forked from this one (graphsvc/web/workers.py), after it has read the snapshot
    they all serve."""
    from graphsvc.web.app import configure_logging

    configure_logging(settings.log_level)
    if settings.workers > 1:
        from graphsvc.web.workers import supervise

        # Made and loaded once, here: the workers fork with the app and uvicorn's modules.
        config = _config(settings, _app(settings, _preload(settings)))
        config.load()
        code = supervise(
            settings.workers, lambda: serve_app(config, sock), failed_start=STARTUP_FAILURE
        )
        if code:
            raise typer.Exit(code)
        return
    if serve_app(_config(settings, _app(settings)), sock):
        raise typer.Exit(STARTUP_FAILURE)


def serve_app(config: uvicorn.Config, sock: socket.socket) -> int:
    """Run uvicorn on ``sock`` until it stops: 0, or STARTUP_FAILURE when it did not start."""
    import uvicorn

    server = uvicorn.Server(config)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            server.run(sockets=[sock])
    except SystemExit:  # uvicorn exits so when the app or the listening socket fails it
        if server.started:
            raise
    return 0 if server.started else STARTUP_FAILURE


def _config(settings: Settings, app: Starlette) -> uvicorn.Config:
    import uvicorn

    from graphsvc.web.connection import uvicorn_options

    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        **uvicorn_options(settings),
    )


def _app(settings: Settings, store: GraphStore | None = None) -> Starlette:
    """The app; its first load is ``store`` when given (read already), else what the
    settings name. It loads when uvicorn starts it (its lifespan), in each worker."""
    from graphsvc.web.app import create_app
    from graphsvc.web.metrics import MeteredHolder

    holder = None if store is None else MeteredHolder(settings, loader=lambda: store)
    return create_app(settings, holder=holder)


def _preload(settings: Settings) -> GraphStore | None:
    """The snapshot that every worker serves, read once here. None: each worker loads for
    itself, the corpus, or a snapshot that failed to read here (each then reports the
    failure as one worker does: ``/readyz`` says why)."""
    if settings.snapshot is None:
        return None
    from graphsvc.corpus import load_served
    from graphsvc.graph.snapshot import SnapshotError

    try:
        return load_served(settings).store
    except SnapshotError:
        return None
