"""``graphsvc export`` as a user runs it: a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from export_expect import read_any, read_graphml, store_truth
from support import SEEDS

from graphsvc.export import SelectionSpec, select
from graphsvc.graph.queries import ArticleFilter
from graphsvc.graph.store import GraphStore


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
