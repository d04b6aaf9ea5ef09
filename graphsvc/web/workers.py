"""Several worker processes on one socket (``graphsvc serve --workers N``), forked from a
parent that has imported the app and, with ``--snapshot``, read the snapshot already.

Why fork: a worker started afresh imports everything again and reads the snapshot into its
own objects (the interpreter and libraries, the node keys, the indexes: about 180 MiB private
per worker at 100,000 documents). Forked, the workers share those pages with the parent until
they write to them. ``gc.freeze()`` before the fork keeps the collector from writing to every
object it would otherwise visit; what a worker touches (reference counts) it copies, page by
page, so nothing on a worker's path may walk every key (docs/architecture.md, "Workers are
forked from the reader"; the figures are in bench/README.md).

The parent serves nothing. It starts the workers, starts another when one dies (a second
later if it lived under 5 s), and on SIGINT or SIGTERM stops them all (SIGTERM each:
uvicorn's graceful shutdown) and waits. A worker that could not start (``serve`` returned
``failed_start``) stops the whole server with that code. A worker whose parent is gone
(killed with SIGKILL) gets SIGTERM from the kernel (``PR_SET_PDEATHSIG``).

Metrics are summed over the workers through files (prometheus-client's multiprocess mode;
graphsvc/web/metrics.py): ``multiprocess_dir`` must be entered before prometheus-client is
first imported, which is why it lives here.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from graphsvc.web.holder import release_memory

log = logging.getLogger("graphsvc.web")

#: Where prometheus-client's multiprocess mode keeps each process's values.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

_STOP = (signal.SIGINT, signal.SIGTERM)
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_SHORT_LIFE = 5.0  # seconds: a worker that dies sooner is replaced a second later


@contextlib.contextmanager
def multiprocess_dir() -> Iterator[None]:
    """For the worker processes started inside: a fresh folder for their metric files in
    ``PROMETHEUS_MULTIPROC_DIR``, removed at the end. An operator's own setting is kept, and
    its folder left alone (made if missing; empty it between runs)."""
    if given := os.environ.get(MULTIPROC_ENV):
        os.makedirs(given, exist_ok=True)
        yield
        return
    path = tempfile.mkdtemp(prefix="graphsvc-metrics-")
    os.environ[MULTIPROC_ENV] = path
    try:
        yield
    finally:
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(path, ignore_errors=True)


def supervise(workers: int, serve: Callable[[], int], *, failed_start: int) -> int:
    """Fork ``workers`` processes that each run ``serve`` (uvicorn on the inherited socket,
    returning an exit code); keep that many running until SIGINT or SIGTERM. The exit code:
    0 after a stop, ``failed_start`` when a worker could not start."""
    running: dict[int, tuple[int, float]] = {}  # pid -> worker number (1..workers), start
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in running:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def fork(number: int) -> None:
        # Signals wait until the new worker has its own handlers and the parent knows its pid.
        signal.pthread_sigmask(signal.SIG_BLOCK, _STOP)
        try:
            if stopping:  # a stop came after the caller looked: no new worker
                return
            parent = os.getpid()
            pid = os.fork()
            if pid == 0:
                _worker(serve, parent)  # never returns
            running[pid] = number, time.monotonic()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP)

    for sig in _STOP:
        signal.signal(sig, stop)
    # What the read left free goes back to the system now, once, not left to the parent
    # alone after each worker trims its own copy (8 MB of the parent's private memory at 100k).
    release_memory()
    gc.freeze()  # what the parent holds is never visited by a worker's collections
    for number in range(1, workers + 1):
        fork(number)
    log.info("%d workers forked (pids %s)", workers, ", ".join(map(str, running)))
    _forget_own_metrics()
    code = 0
    while running:
        pid, status = os.wait()  # retried after a signal's handler (PEP 475)
        if pid not in running:
            continue
        number, started = running.pop(pid)
        _forget_metrics_of(pid)  # its live gauges, had it no time to remove them
        if stopping:
            continue
        exit_code = os.waitstatus_to_exitcode(status)
        if exit_code == failed_start:
            log.error("worker %d could not start: stopping the server", number)
            code = failed_start
            stop(signal.SIGTERM, None)
            continue
        how = f"by signal {-exit_code}" if exit_code < 0 else f"with code {exit_code}"
        log.warning("worker %d (pid %d) exited %s; starting another", number, pid, how)
        if time.monotonic() - started < _SHORT_LIFE:
            time.sleep(1)  # one that dies at once is not forked again in a tight loop
        fork(number)
    return code


def _worker(serve: Callable[[], int], parent: int) -> None:
    """The forked worker: default signal handlers (uvicorn installs its own), SIGTERM when
    the parent dies, then serve."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(AttributeError, OSError):  # Linux: prctl(PR_SET_PDEATHSIG)
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died before that
        os.kill(os.getpid(), signal.SIGTERM)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP)
    code = 1
    try:
        code = serve()
    except KeyboardInterrupt:
        code = 0
    except BaseException:
        log.exception("worker %d stopped on an error", os.getpid())
    finally:
        logging.shutdown()
        os._exit(code)


def _forget_metrics_of(pid: int) -> None:
    """A worker is gone: its live gauges (open connections, its snapshot) leave the sums, as
    its own shutdown would have done (graphsvc/web/metrics.py's ``process_stopped``)."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


def _forget_own_metrics() -> None:
    """Remove the metric files the parent made when it imported the app (zeros, under its
    pid): the workers write their own, and a live gauge of the parent's would be summed in."""
    folder = os.environ.get(MULTIPROC_ENV)
    if not folder:
        return
    for path in Path(folder).glob(f"*_{os.getpid()}.db"):
        path.unlink(missing_ok=True)
