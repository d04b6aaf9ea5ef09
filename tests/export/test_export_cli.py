"""``graphsvc export`` as a user runs it: a real subprocess, its stderr a pipe or a terminal."""

from __future__ import annotations

import json
import os
import pty
import re
import select as select_fd
import subprocess
import sys
import termios
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graphsvc.export import SelectionSpec, select
from graphsvc.graph.queries import ArticleFilter
from graphsvc.graph.store import GraphStore
from tests.export.export_expect import read_any, read_graphml, store_truth
from tests.support import REPO, SEEDS


def graphsvc(*args: str, cache: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "graphsvc", "export", *args, "--cache-dir", str(cache)],
        capture_output=True,
        timeout=300,
    )


def test_writes_a_file_named_by_its_extension(
    seeds_store: GraphStore, cache_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "seeds.gexf"
    done = graphsvc(str(SEEDS), "--output", str(out), cache=cache_dir)
    assert done.returncode == 0, done.stderr
    nodes, edges = read_any("gexf", out.read_bytes())
    want_nodes, want_edges = store_truth(seeds_store)
    assert nodes == want_nodes and edges == want_edges
    assert b"gexf" in done.stderr and done.stdout == b""
    assert [p.name for p in tmp_path.iterdir()] == ["seeds.gexf"]  # no temporary file left


def test_dash_writes_to_stdout(seeds_store: GraphStore, cache_dir: Path) -> None:
    done = graphsvc(
        str(SEEDS), "-o", "-", "--format", "json", "--topic", "Kubernetes", cache=cache_dir
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    selection = select(seeds_store, SelectionSpec(ArticleFilter(topics=("Kubernetes",))))
    assert [n["id"] for n in document["nodes"]] == list(selection.nodes())


def test_every_format_by_name(cache_dir: Path, tmp_path: Path) -> None:
    for name, ext in [
        ("graphml", "graphml"),
        ("cyjs", "cyjs"),
        ("neo4j-csv", "zip"),
        ("jsonld", "jsonld"),
    ]:
        out = tmp_path / f"out.{ext}"
        done = graphsvc(str(SEEDS), "-f", name, "-o", str(out), "--include-stubs", cache=cache_dir)
        assert done.returncode == 0, done.stderr
        assert out.stat().st_size > 1000


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["-o", "-"], "--format"),
        (["-o", "-", "-f", "xml"], "--format"),
        (["-o", "x.unknown"], "--format"),
        (["-o", "-", "-f", "json", "--topic", "no such topic"], "--topic"),
        (["-o", "-", "-f", "json", "--provider", "nowhere.example"], "--provider"),
        (["-o", "-", "-f", "json", "--after", "yesterday"], "--after"),
        (["-o", "-", "-f", "json", "--before", "2021-02-30"], "--before"),
        (["-o", "-", "-f", "json", "--seed", "https://nowhere.example/"], "--seed"),
        (["-o", "-", "-f", "json", "--depth", "2"], "--depth"),
        (["-o", "-", "-f", "json", "--min-quality", "high"], "--min-quality"),
        (["-o", "/no/such/folder/out.json"], "--output"),
    ],
)
def test_errors_exit_2_naming_the_option(cache_dir: Path, args: list[str], option: str) -> None:
    done = graphsvc(str(SEEDS), *args, cache=cache_dir)
    assert done.returncode == 2, done.stderr
    assert option in done.stderr.decode()
    assert done.stdout == b""


@pytest.mark.corpus
def test_a_filtered_news_export(
    news_store: GraphStore, news_dir: Path, cache_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "ai.graphml"
    done = graphsvc(
        str(news_dir), "-o", str(out), "--topic", "AI", "--after", "2020", cache=cache_dir
    )
    assert done.returncode == 0, done.stderr
    graph = read_graphml(out.read_bytes())
    after = datetime(2020, 1, 1, tzinfo=UTC)
    selection = select(news_store, SelectionSpec(ArticleFilter(("AI",), published_after=after)))
    assert set(graph) == set(selection.nodes())
    assert graph.number_of_edges() == selection.edge_count()


# Environment variables that make rich call a non-terminal a terminal, or the reverse.
RICH_OVERRIDES = (
    "FORCE_COLOR",
    "NO_COLOR",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "COLUMNS",
    "LINES",
)
# What rich writes besides text: CSI sequences (colours, cursor moves, line erasing, cursor
# hiding) and the bar's own characters.
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
BAR_CHARS = "━╸╺"


def plain_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in RICH_OVERRIDES}
    env["TERM"] = "xterm-256color"
    return env


def export_json_args(out: Path, cache: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "graphsvc",
        "export",
        str(SEEDS),
        "--format",
        "json",
        "--output",
        str(out),
        "--cache-dir",
        str(cache),
    ]


def run_with_stderr_on_a_pty(args: list[str], timeout: float = 300) -> tuple[int, bytes]:
    """Run ``args`` with stderr on a fresh pseudo-terminal (120 columns); its exit code and
    every byte written to the terminal."""
    leader, follower = pty.openpty()
    termios.tcsetwinsize(follower, (40, 120))
    try:
        proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=follower,
            env=plain_env(),
            cwd=REPO,
        )
    finally:
        os.close(follower)
    written = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select_fd.select([leader], [], [], 1.0)
            if not ready:
                continue
            try:
                chunk = os.read(leader, 1 << 16)
            except OSError:  # EIO: every writer has closed the terminal
                break
            if not chunk:
                break
            written += chunk
        else:
            proc.kill()
        return proc.wait(timeout=30), bytes(written)
    finally:
        os.close(leader)


def test_a_terminal_gets_a_progress_bar(
    seeds_store: GraphStore, cache_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "seeds.json"
    code, written = run_with_stderr_on_a_pty(export_json_args(out, cache_dir))
    text = written.decode("utf-8")
    assert code == 0, text
    selection = select(seeds_store)
    total = selection.node_count + selection.edge_count()
    lines = ANSI.sub("", text).replace("\r", "\n").splitlines()
    # "export json ━━━… 163/163 0:00:00": drawn when the task is added (at 0) and, finished,
    # once more as it stops, before it is erased (the bar is transient).
    bar = re.compile(rf"export json ━+ +(\d+)/{total} \d+:\d\d:\d\d *")
    shown = [int(m[1]) for m in map(bar.fullmatch, lines) if m]
    assert shown and shown[0] == 0 and shown[-1] == total, (shown, text)
    assert shown == sorted(shown)
    assert "\x1b[" in text  # colours and cursor moves: rich saw a terminal
    assert f"json: {selection.node_count:,} nodes" in ANSI.sub("", text)
    document = json.loads(out.read_bytes())  # none of the bar went into the file
    assert len(document["nodes"]) == selection.node_count
    assert len(document["edges"]) == total - selection.node_count


def test_no_progress_bar_unless_a_terminal(
    seeds_store: GraphStore, cache_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "seeds.json"
    done = subprocess.run(
        export_json_args(out, cache_dir), capture_output=True, timeout=300, env=plain_env()
    )
    assert done.returncode == 0, done.stderr
    text = done.stderr.decode("utf-8")
    assert not set(BAR_CHARS) & set(text), text
    assert "\x1b" not in text and "\r" not in text, text
    summary = text.split("→")[0]  # before the output path
    assert "export json" not in text and not re.search(r"\d+/\d+", summary), text
    assert text.startswith(f"json: {seeds_store.graph.number_of_nodes():,} nodes"), text
    assert len(json.loads(out.read_bytes())["nodes"]) == seeds_store.graph.number_of_nodes()
