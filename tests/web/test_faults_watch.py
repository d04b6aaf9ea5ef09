"""Live reload follows the corpus's path (issue 17, item 3), and an oversized file keeps its
last good version (item 4). Real servers, in processes of their own, watching a copy of seeds/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.web.faults import copy_seeds, post, readyz, serve, until
from tests.web.server import Server

FIND = '{ search(query: "%s") { node { ... on Article { title } } } }'


def titles(server: Server, word: str) -> list[str]:
    body = post(server, FIND % word).json()
    assert "errors" not in body, body
    return [hit["node"]["title"] for hit in body["data"]["search"]]


def retitle(corpus: Path, title: str) -> None:
    """Give the first document a new title (a change the watcher must see)."""
    doc = sorted(corpus.glob("*.md"))[0]
    text = doc.read_text()
    start = text.index("\ntitle:") + 1
    end = text.index("\n", start)
    doc.write_text(f"{text[:start]}title: {title}{text[end:]}")


def watching(server: Server, value: bool = True) -> bool:
    body = readyz(server).json()
    return body.get("status") == "ready" and body["watching"] is value


def test_a_swapped_corpus_folder_is_watched_again(tmp_path: Path) -> None:
    corpus = copy_seeds(tmp_path / "corpus")
    with serve(str(corpus), "--cache-dir", str(tmp_path / "cache")) as server:
        until("watching", lambda: watching(server), server)
        copy_seeds(tmp_path / "corpus.new")
        retitle(tmp_path / "corpus.new", "Quokka swap")
        corpus.rename(tmp_path / "corpus.old")
        (tmp_path / "corpus.new").rename(corpus)
        # the new folder is loaded once it is noticed...
        until("the new folder loaded", lambda: titles(server, "Quokka"), server)
        # ...and its own edits reload, not the moved-away folder's
        until("watching again", lambda: watching(server), server)
        retitle(corpus, "Wombat edit")
        assert until("the edit", lambda: titles(server, "Wombat"), server) == ["Wombat edit"]


def test_a_deleted_and_recreated_corpus_folder_is_watched_again(tmp_path: Path) -> None:
    corpus = copy_seeds(tmp_path / "corpus")
    with serve(str(corpus), "--cache-dir", str(tmp_path / "cache")) as server:
        until("watching", lambda: watching(server), server)
        shutil.rmtree(corpus)
        until("watching to say false", lambda: watching(server, False), server)
        copy_seeds(corpus)
        until("watching again", lambda: watching(server), server)
        retitle(corpus, "Numbat edit")
        assert until("the edit", lambda: titles(server, "Numbat"), server) == ["Numbat edit"]


def test_an_oversized_file_keeps_its_last_good_version(tmp_path: Path) -> None:
    corpus = copy_seeds(tmp_path / "corpus")
    retitle(corpus, "Bilby original")
    with serve(str(corpus), "--cache-dir", str(tmp_path / "cache")) as server:
        until("watching", lambda: watching(server), server)
        articles = readyz(server).json()["counts"]["articles"]
        doc = sorted(corpus.glob("*.md"))[0]
        os.truncate(doc, 2 * 1024**3)  # `truncate -s 2G`: sparse, over the 5 MB limit
        until("the reload", lambda: readyz(server).json()["reloads"] >= 1, server)
        state = readyz(server).json()
        assert state["counts"]["articles"] == articles and state["rejected"] == 1
        assert titles(server, "Bilby") == ["Bilby original"]
        body = post(server, "{ ingestProblems { path reason } }").json()
        (problem,) = body["data"]["ingestProblems"]
        assert problem["path"] == doc.name
        assert "over the limit" in problem["reason"]
        assert "its last good version is kept" in problem["reason"]
