"""Never stuck "loading" (issue 17, item 1): a damaged parse-cache row is parsed again, and a
first load that fails says so on /readyz and /graphql, with the reason, until the corpus it
watches is mended. Real servers, in processes of their own (the last in a thread)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from array import array
from pathlib import Path

import httpx
import pytest

from graphsvc.corpus import load_store
from graphsvc.graph.snapshot import write_snapshot
from graphsvc.ingest.cache import cache_path_for
from graphsvc.web.app import create_app
from tests.support import rewrite_section
from tests.web.faults import copy_seeds, post, readyz, serve, settled, until
from tests.web.server import Server, corpus_settings, uvicorn_thread


def test_a_damaged_cache_row_is_parsed_again(tmp_path: Path) -> None:
    corpus, cache = copy_seeds(tmp_path / "corpus"), tmp_path / "cache"
    ingest = subprocess.run(
        [
            sys.executable,
            "-m",
            "graphsvc",
            "ingest",
            str(corpus),
            "--cache-dir",
            str(cache),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    articles = json.loads(ingest.stdout)["articles"]
    with sqlite3.connect(cache_path_for(corpus, cache)) as db:  # the reproduction
        assert db.execute("update files set record='{}' where rowid=11").rowcount == 1
        damaged = db.execute("select path from files where rowid=11").fetchone()[0]
    for kept in cache.glob("*.store"):
        kept.unlink()

    with serve(str(corpus), "--cache-dir", str(cache), "--no-watch") as server:
        answer = until("/readyz to settle", settled(server), server)
        assert answer.status_code == 200, answer.text
        assert answer.json()["counts"]["articles"] == articles
        assert f"the record of {damaged} is damaged" in server.output()
        body = post(server, "{ stats { articles } }").json()
        assert body["data"]["stats"]["articles"] == articles


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_failed_first_load_says_why(tmp_path: Path, workers: str) -> None:
    # Well-formed, every checksum right (`serve` checks those before it starts), but wrong
    # inside: a node listed many times. Only the load finds that. With two workers the parent's
    # read fails first; each worker then loads for itself and says why, as one does.
    snapshot = tmp_path / "seeds.snap"
    write_snapshot(load_store(copy_seeds(tmp_path / "corpus"), use_cache=False), snapshot)
    rewrite_section(snapshot, "graph_order", array("I", [0] * 30).tobytes())
    with serve("--snapshot", str(snapshot), "--workers", workers) as server:
        answer = until("/readyz to settle", settled(server), server)
        assert answer.status_code == 503
        body = answer.json()
        assert body["status"] == "failed"
        assert "SnapshotError" in body["reason"], body
        assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200

        graphql = post(server, "{ stats { articles } }")
        assert graphql.status_code == 503
        (error,) = graphql.json()["errors"]
        assert error["message"].startswith("the graph failed to load: ")
        assert error["extensions"] == {"code": "GRAPH_LOAD_FAILED", "reason": body["reason"]}
        assert readyz(server).json() == body  # it stays failed: it does not go back to loading


def test_a_failed_first_load_is_mended_by_the_corpus_it_watches(tmp_path: Path) -> None:
    # The CLI refuses a missing folder; create_app serves one (a folder gone before the load).
    corpus = tmp_path / "corpus"
    settings = corpus_settings(corpus, tmp_path / "cache")
    with uvicorn_thread(create_app(settings), settings.port) as url:
        server = Server(url=url)
        answer = until("/readyz to settle", settled(server))
        assert answer.status_code == 503
        assert answer.json()["status"] == "failed" and "not a folder" in answer.json()["reason"]
        assert answer.json()["watching"] is False  # nothing there to watch
        copy_seeds(corpus)
        articles = load_store(corpus, use_cache=False).counts.articles
        ready = until("the mended corpus to load", lambda: readyz(server).status_code == 200)
        assert ready
        body = readyz(server).json()
        assert body["counts"]["articles"] == articles and body["watching"] is True
        answer = post(server, "{ stats { articles } }").json()
        assert answer["data"]["stats"]["articles"] == articles
