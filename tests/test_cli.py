"""The ``graphsvc`` command as a user runs it: a real subprocess."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from support import SEEDS, stop, wait_ready


def run(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "graphsvc", *args, "--cache-dir", str(cache)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_ingest_json_on_the_real_corpus(news_dir: Path, tmp_path: Path) -> None:
    done = run("ingest", str(news_dir), "--json", cache=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert {
        k: report[k] for k in ("files", "articles", "stubs", "providers", "topics", "edges")
    } == {
        "files": 1370,
        "articles": 1368,
        "stubs": 2559,
        "providers": 409,
        "topics": 20,
        "edges": 47792,
    }
    assert report["rejected"] == []
    assert {w["kind"] for w in report["warnings"]} >= {"url-collision", "self-related"}


def test_ingest_table_and_strict(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "good.md").write_text("---\ntitle: Good\nwebUrl: https://x.org/g\n---\n")
    (corpus / "bad.md").write_text("---\ntitle: Bad\n---\n")
    table = run("ingest", str(corpus), cache=tmp_path / "cache")
    assert table.returncode == 0
    assert (
        "Rejected files" in table.stdout and "bad.md" in table.stdout and "no URL" in table.stdout
    )
    strict = run("ingest", str(corpus), "--strict", "--json", cache=tmp_path / "cache")
    assert strict.returncode == 1
    assert json.loads(strict.stdout)["rejected"][0]["path"] == "bad.md"
    (corpus / "bad.md").unlink()
    assert run("ingest", str(corpus), "--strict", cache=tmp_path / "cache").returncode == 0


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    missing = run("ingest", str(tmp_path / "missing"), cache=tmp_path)
    assert missing.returncode == 2 and "not a folder" in missing.stderr
    assert run("ingest", str(SEEDS), "--no-such-flag", cache=tmp_path).returncode == 2


def test_help_lists_commands() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "graphsvc", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0 and "ingest" in done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[str]:
    """The command lines of a process's children (Linux: read from /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rpartition(")")[2].split()[1])
            if ppid == pid:
                out.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, ValueError, IndexError):
            continue  # the process ended meanwhile
    return out


def _refused(host: str, port: int) -> bool:
    """Whether nothing listens on host:port."""
    try:
        socket.create_connection((host, port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


@contextmanager
def _serving(*options: str, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`graphsvc serve` with these options and environment; stopped (SIGTERM) at the end."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "graphsvc", "serve", *options],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**clean, **env},
        )
    try:
        yield proc
    finally:
        stop(proc, timeout=30)


def test_serve_reads_host_port_workers_and_log_level_from_the_environment(
    tmp_path: Path,
) -> None:
    env_port, option_port = free_port(), free_port()
    env = {
        "GRAPHSVC_HOST": "127.0.0.2",  # loopback too, but not where the default listens
        "GRAPHSVC_PORT": str(env_port),
        "GRAPHSVC_WORKERS": "2",
        "GRAPHSVC_LOG_LEVEL": "warning",
        "GRAPHSVC_CACHE_DIR": str(tmp_path / "cache"),
        "GRAPHSVC_WATCH": "false",
    }

    # The environment alone: two worker processes on 127.0.0.2:env_port, nothing at INFO.
    log = tmp_path / "env.log"
    with _serving(env=env, log=log) as proc:
        wait_ready(f"http://127.0.0.2:{env_port}", 180, proc, log, workers=2)
        assert _refused("127.0.0.1", env_port)
        workers = [c for c in _children(proc.pid) if "spawn_main" in c]
        assert len(workers) == 2, _children(proc.pid)
        answer = httpx.post(
            f"http://127.0.0.2:{env_port}/graphql", json={"query": "{ stats { articles } }"}
        )
        assert answer.json()["data"] == {"stats": {"articles": 21}}
    output = log.read_text()
    assert "INFO" not in output, output  # the default level (info) logs "Uvicorn running on"

    # Options win over the environment: one process on 127.0.0.1:option_port, logging INFO.
    log = tmp_path / "options.log"
    with _serving(
        "--host",
        "127.0.0.1",
        "--port",
        str(option_port),
        "--workers",
        "1",
        "--log-level",
        "info",
        env=env,
        log=log,
    ) as proc:
        wait_ready(f"http://127.0.0.1:{option_port}", 180, proc, log)
        assert _refused("127.0.0.2", option_port) and _refused("127.0.0.2", env_port)
        assert not [c for c in _children(proc.pid) if "spawn_main" in c], _children(proc.pid)
        output = log.read_text()
        assert f"playground: http://127.0.0.1:{option_port}/graphql" in output, output
        assert "INFO:     graphsvc.web: graph loaded: 21 articles" in output, output
