"""The ``graphsvc`` command as a user runs it: a real subprocess."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.support import SEEDS, flip_section_byte, stop, wait_ready


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
    assert missing.returncode == 2 and "does not exist" in missing.stderr
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


def _workers(pid: int) -> list[str]:
    """The worker processes of `graphsvc serve` running as ``pid``: children forked from it,
    so running its command line (graphsvc/web/workers.py)."""
    own = (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    return [c for c in _children(pid) if c == own]


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
        assert len(_workers(proc.pid)) == 2, _children(proc.pid)
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
        assert not _workers(proc.pid), _children(proc.pid)
        output = log.read_text()
        assert f"playground: http://127.0.0.1:{option_port}/graphql" in output, output
        assert "INFO:     graphsvc.web: graph loaded: 21 articles" in output, output


# Help that reads naturally ------------------------------------------------------------------
COMMANDS = ("ingest", "build", "export", "serve", "schema")


def _help(*command: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "graphsvc", *command, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "100"},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("command", [(), *((c,) for c in COMMANDS)])
def test_help_reads_naturally(command: tuple[str, ...]) -> None:
    """No Python types after options (``--json <bool>``, ``--topic <list[str]>``) and no
    ``{corpus}``: flags stand alone, values have a placeholder such as ``--port PORT``."""
    text = _help(*command)
    assert "Usage:" in text and "--help" in text
    assert not re.findall(r"<[a-z_\[\]]+>|\{[a-z_]+\}", text), text
    for flag in ("--help", "--json", "--strict", "--no-cache", "--version"):
        assert not re.search(rf"{flag} [A-Z<]", text), text


def test_help_names_the_placeholders() -> None:
    assert "CORPUS" in _help("ingest") and "--cache-dir DIR" in _help("ingest")
    serve = _help("serve")
    assert "[CORPUS]" in serve and "--port PORT" in serve and "--snapshot FILE" in serve
    export = _help("export")
    assert "--topic NAME" in export and "--provider DOMAIN" in export
    from graphsvc.cli.export import FORMAT_NAMES
    from graphsvc.export import FORMATS

    for fmt in FORMATS.values():  # the help's list of formats is written out: all of them
        assert re.search(
            rf"(^|, ){re.escape(fmt.name)}( \(\.{fmt.extension}\))?(,|$)", FORMAT_NAMES
        )


# Paths of the wrong kind, empty corpora, ignored files --------------------------------------
def test_a_path_of_the_wrong_kind_says_so(tmp_path: Path) -> None:
    file = tmp_path / "story.md"
    file.write_text("---\ntitle: A\nwebUrl: https://x.org/a\n---\n")
    for args in (("serve", str(file)), ("ingest", str(file))):
        done = run(*args, cache=tmp_path / "cache")
        assert done.returncode == 2, done
        assert f"{file} is a file, not a folder" in done.stderr, done.stderr
        assert "does not exist" not in done.stderr
    done = run("serve", "--snapshot", str(tmp_path), cache=tmp_path / "cache")
    assert done.returncode == 2, done
    assert f"snapshot {tmp_path} is a folder, not a snapshot file" in done.stderr, done.stderr
    missing = run("serve", str(tmp_path / "nowhere"), cache=tmp_path / "cache")
    assert missing.returncode == 2 and "does not exist" in missing.stderr, missing


def test_an_empty_corpus_says_no_documents_were_found(tmp_path: Path) -> None:
    corpus = tmp_path / "empty"
    corpus.mkdir()
    (corpus / "notes.pdf").write_bytes(b"%PDF")
    done = run("ingest", str(corpus), cache=tmp_path / "cache")
    assert done.returncode == 0, done
    assert f"no documents found in {corpus}" in done.stderr, done.stderr
    assert ".md, .markdown and .txt" in done.stderr and "1 other entries ignored" in done.stderr
    strict = run("ingest", str(corpus), "--strict", cache=tmp_path / "cache")
    assert strict.returncode == 1 and "no documents found" in strict.stderr, strict
    (corpus / "a.md").write_text("---\ntitle: A\nwebUrl: https://x.org/a\n---\n")
    some = run("ingest", str(corpus), "--strict", cache=tmp_path / "cache")
    assert some.returncode == 0 and "no documents found" not in some.stderr, some


def test_the_table_lists_ignored_files(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    (corpus / ".hidden").mkdir(parents=True)
    (corpus / "a.md").write_text("---\ntitle: A\nwebUrl: https://x.org/a\n---\n")
    (corpus / "photo.jpeg").write_bytes(b"\xff\xd8")
    done = run("ingest", str(corpus), cache=tmp_path / "cache")
    assert done.returncode == 0, done
    assert "Ignored" in done.stdout, done.stdout
    assert "photo.jpeg" in done.stdout and ".hidden/" in done.stdout, done.stdout
    report = json.loads(run("ingest", str(corpus), "--json", cache=tmp_path / "cache").stdout)
    assert len(report["ignored"]) == 2


# Snapshots checked before serving -----------------------------------------------------------
def test_a_bad_snapshot_is_refused_before_serving(tmp_path: Path) -> None:
    garbage = tmp_path / "bad.snap"
    garbage.write_bytes(b"not a snapshot at all\n" * 10)
    snap = tmp_path / "seeds.snap"
    built = run("build", str(SEEDS), "-o", str(snap), cache=tmp_path / "cache")
    assert built.returncode == 0, built.stderr
    damaged = tmp_path / "damaged.snap"
    shutil.copyfile(snap, damaged)
    flip_section_byte(damaged, 1 / 3)  # one byte inside a section: only its checksum tells
    for path, reason in (
        (garbage, "is not a graphsvc snapshot"),
        (damaged, "fails its checksum"),
    ):
        done = run("serve", "--snapshot", str(path), "--port", str(free_port()), cache=tmp_path)
        assert done.returncode == 2, done
        assert str(path) in done.stderr and reason in done.stderr, done.stderr
        assert "Uvicorn running" not in done.stdout + done.stderr


# Ports ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["option", "environment"])
def test_a_port_out_of_range_is_a_usage_error(tmp_path: Path, where: str) -> None:
    args = ["serve", str(SEEDS)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    if where == "option":
        args += ["--port", "99999"]
    else:
        env["GRAPHSVC_PORT"] = "99999"
    done = subprocess.run(
        [sys.executable, "-m", "graphsvc", *args, "--cache-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 2, done
    assert "port 99999 is out of range" in done.stderr and "0 to 65535" in done.stderr
    assert "playground" not in done.stdout + done.stderr


def test_a_port_in_use_is_named_before_anything_is_announced(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run("serve", str(SEEDS), "--port", str(port), "--no-watch", cache=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 3, output
    assert f"port {port} on 127.0.0.1 is already in use" in output, output
    assert "--port" in output
    assert "playground:" not in output and "Errno" not in output, output


def test_the_announced_url_is_the_one_that_answers(tmp_path: Path) -> None:
    """With --port 0 the server binds a free port first and announces that one."""
    log = tmp_path / "serve.log"
    env = {"GRAPHSVC_CACHE_DIR": str(tmp_path / "cache")}
    with _serving(str(SEEDS), "--port", "0", "--no-watch", env=env, log=log) as proc:
        found = None
        for _ in range(600):  # hang guard: 60 s
            found = re.search(r"playground: http://127\.0\.0\.1:(\d+)/graphql", log.read_text())
            if found or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert found, log.read_text()
        port = int(found.group(1))
        assert port != 0
        wait_ready(f"http://127.0.0.1:{port}", 120, proc, log)
        answer = httpx.post(
            f"http://127.0.0.1:{port}/graphql", json={"query": "{ stats { articles } }"}
        )
        assert answer.json()["data"] == {"stats": {"articles": 21}}


def test_the_serve_log_counts_ingest_warnings(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.md").write_text(
        "---\ntitle: A\nwebUrl: https://x.org/a\ntopics: [AI, null]\n"
        "related:\n  - null\n  - {title: B, webUrl: 'https://x.org/b'}\n---\n"
    )
    report = json.loads(run("ingest", str(corpus), "--json", cache=tmp_path / "cache").stdout)
    assert [w["kind"] for w in report["warnings"]] == ["null-entry", "null-entry"]
    log = tmp_path / "serve.log"
    env = {"GRAPHSVC_CACHE_DIR": str(tmp_path / "cache")}
    port = free_port()
    with _serving(str(corpus), "--port", str(port), "--no-watch", env=env, log=log) as proc:
        wait_ready(f"http://127.0.0.1:{port}", 120, proc, log)
        output = log.read_text()
    assert "0 rejected, 2 warnings (`graphsvc ingest` lists them)" in output, output


# Start-up: each command imports what it needs -------------------------------------------------
HEAVY = ("starlette", "strawberry", "networkx", "uvicorn", "rich", "graphsvc.graph", "graphql")


def _imported(*argv: str) -> set[str]:
    """The top-level packages (and graphsvc subpackages) loaded by running graphsvc ARGV."""
    code = (
        "import sys\nfrom graphsvc.cli import main\nsys.argv = ['graphsvc', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=120
    )
    return set(done.stderr.split())


@pytest.mark.parametrize("argv", [("--version",), ("--help",), ("serve", "--help")])
def test_version_and_help_load_neither_the_graph_nor_the_web_stack(argv: tuple[str, ...]) -> None:
    modules = _imported(*argv)
    assert "typer" in modules  # the probe ran
    assert not {m for m in modules if m.split(".")[0] in HEAVY or m.startswith(HEAVY)}


def test_ingest_loads_no_web_stack(tmp_path: Path) -> None:
    modules = _imported("ingest", str(SEEDS), "--json", "--cache-dir", str(tmp_path))
    assert "graphsvc.corpus" in modules  # the probe ran the command
    web = ("starlette", "strawberry", "uvicorn", "graphql", "graphsvc.web", "graphsvc.api")
    assert not {m for m in modules if m.startswith(web)}
