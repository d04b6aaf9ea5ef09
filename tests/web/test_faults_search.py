"""A damaged kept search index (issue 17, item 2): found out when it is opened and built
again; a tantivy panic under a running server reaches the client as a JSON GraphQL error.
Real servers on a snapshot of the real corpus, in processes of their own."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.web.faults import post, serve, settled, until
from tests.web.server import Server

QUERIES = ["security", "ai", "kube", "cloud computing", "data", "microsoft azure"]
SEARCH = "{ search(query: %s, first: %d) { score node { ... on Article { url } } } }"


def results(server: Server, first: int = 5) -> list[Any]:
    """Each query's hits, as answered (asserting JSON 200 without errors)."""
    out = []
    for query in QUERIES:
        response = post(server, SEARCH % (f'"{query}"', first))
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        out.append(body["data"]["search"])
    return out


def damage(segment: Path, rng: random.Random) -> None:
    """Random bytes over the middle tenth or so of a file, its footer intact, in place
    (with the real corpus, the queries then meet a tantivy panic in an .idx or .term file,
    and different rankings from a .fieldnorm file)."""
    size = segment.stat().st_size
    start, end = size // 2 - size * 3 // 64, size // 2 + size * 3 // 64
    with segment.open("r+b") as fh:
        fh.seek(start)
        fh.write(rng.randbytes(end - start))


@pytest.fixture(scope="module")
def built(news_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    """A snapshot of the real corpus with its kept index, and the answers it gives."""
    folder = tmp_path_factory.mktemp("snap")
    snapshot = folder / "news.snap"
    subprocess.run(
        [sys.executable, "-m", "graphsvc", "build", str(news_dir), "-o", str(snapshot)],
        capture_output=True,
        timeout=300,
        check=True,
        env={"GRAPHSVC_CACHE_DIR": str(folder / "cache"), "PATH": ""},
    )
    with serve("--snapshot", str(snapshot)) as server:
        assert until("ready", settled(server), server).status_code == 200
        return snapshot, results(server)


def copy_built(original: Path, folder: Path) -> tuple[Path, Path]:
    """A copy of the built snapshot and its kept search index, to damage; their paths."""
    snapshot = folder / original.name
    snapshot.write_bytes(original.read_bytes())
    index = folder / f"{original.name}.search"
    index.mkdir()
    for file in original.with_name(index.name).iterdir():
        (index / file.name).write_bytes(file.read_bytes())
    return snapshot, index


@pytest.mark.parametrize("kind", ["idx", "term", "fieldnorm"])
def test_a_damaged_kept_index_is_built_again(
    built: tuple[Path, list[Any]], tmp_path: Path, kind: str
) -> None:
    original, expected = built
    snapshot, index = copy_built(original, tmp_path)
    (segment,) = index.glob(f"*.{kind}")
    damage(segment, random.Random(17))
    damaged = segment.read_bytes()

    with serve("--snapshot", str(snapshot)) as server:
        assert until("ready", settled(server), server).status_code == 200
        assert results(server) == expected
        assert "do not match their SHA-256" in server.output()
    assert all(file.read_bytes() != damaged for file in index.iterdir())  # built again


def test_a_panic_under_a_running_server_is_a_graphql_error(
    built: tuple[Path, list[Any]], tmp_path: Path
) -> None:
    original, expected = built
    snapshot, index = copy_built(original, tmp_path)

    with serve("--snapshot", str(snapshot)) as server:
        assert until("ready", settled(server), server).status_code == 200
        assert results(server) == expected  # the kept index is open (mapped) now
        (segment,) = index.glob("*.idx")
        damage(segment, random.Random(17))  # the same file: the server reads the new bytes
        # (other queries than before: answers already given are kept per snapshot)
        answers = [post(server, SEARCH % (f'"{query}"', 6)) for query in QUERIES]
        for answer in answers:
            assert answer.status_code == 200, answer.text
            assert answer.headers["content-type"].startswith("application/json")
        failed = [a.json()["errors"][0]["message"] for a in answers if "errors" in a.json()]
        assert failed, "the damage went unnoticed (the test damaged too little)"
        assert all("the search index is damaged" in message for message in failed)
        again = results(server, 8)  # built again after the failure (new queries again)
        assert [hits[:5] for hits in again] == expected
