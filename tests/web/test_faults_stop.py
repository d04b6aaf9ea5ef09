"""Stopping a server during a cold ingest leaves no process behind (issue 17, item 5): the
parse pool's workers exit with the server, even when it is killed, and a stop shuts the pool
down. A real server on the real corpus, in a session of its own (so every process it started
can be found)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.web.faults import serve, session, until


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_stopping_during_a_cold_ingest_leaves_no_process(
    news_dir: Path, tmp_path: Path, how: signal.Signals
) -> None:
    cache = tmp_path / "cache"  # empty: every file is parsed, on a pool of two workers
    env = {"GRAPHSVC_INGEST_WORKERS": "2"}
    with serve(str(news_dir), "--cache-dir", str(cache), "--no-watch", env=env) as server:
        assert server.process is not None
        sid = server.process.pid
        # the server, the fork server, the resource tracker and the two workers
        until("the parse pool", lambda: len(session(sid)) >= 5, server)
        os.kill(sid, how)  # the server alone, as a terminal's ^C or the OOM killer would
        server.process.wait(timeout=120)
        left: list[str] = []

        def nothing_left() -> bool:
            left[:] = session(sid)
            return not left

        try:
            until("its processes to exit", nothing_left, timeout=30)  # a hang guard
        except AssertionError:
            raise AssertionError(f"still running after the server exited: {left}") from None
