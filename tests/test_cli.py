"""The ``graphsvc`` command as a user runs it: a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from support import SEEDS


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
