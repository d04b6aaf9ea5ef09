"""The response cache (web/response_cache.py) on a real server: a repeated request is answered
from it byte for byte, keyed by everything an answer depends on; errors are never kept; a
reload empties it so no stale answer is served; size 0 turns it off."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx

from tests.support import SEEDS
from tests.web.server import corpus_settings, running_server

QUERY = "{ stats { articles version } topics(first: 3) { edges { node { name } } } }"


def cache_stats(url: str) -> dict[str, int]:
    return dict(httpx.get(f"{url}/readyz").json()["responseCache"])


def test_repeated_requests_are_answered_from_the_cache(tmp_path: Path) -> None:
    settings = corpus_settings(SEEDS, tmp_path / "cache", watch=False)
    with running_server(settings) as server:
        post = lambda **kw: httpx.post(server.graphql, json={"query": QUERY}, **kw)  # noqa: E731
        first = post()
        before = cache_stats(server.url)
        second = post()
        after = cache_stats(server.url)
        assert first.status_code == second.status_code == 200
        assert first.content == second.content and "errors" not in first.json()
        assert after["hits"] == before["hits"] + 1 and after["entries"] >= 1
        assert second.headers["content-type"] == first.headers["content-type"]

        # Another media type is another answer (the content type differs), kept apart.
        legacy = post(headers={"accept": "application/json"})
        assert legacy.headers["content-type"].startswith("application/json")
        assert cache_stats(server.url)["misses"] == after["misses"] + 1
        # GET with the same query: its own entry, and the ETag still comes on top.
        got = httpx.get(server.graphql, params={"query": QUERY})
        again = httpx.get(server.graphql, params={"query": QUERY})
        assert got.content == again.content and again.headers.get("etag")

        # Errors are answered every time, never kept.
        bad = {"query": "{ article(url: 1) { title } }"}
        misses = cache_stats(server.url)["misses"]
        for _ in range(2):
            assert "errors" in httpx.post(server.graphql, json=bad).json()
        assert cache_stats(server.url)["misses"] == misses + 2


def test_a_reload_is_never_answered_from_the_old_snapshot(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    settings = corpus_settings(corpus, tmp_path / "cache", watch=True)
    query = "{ stats { articles version } }"
    with running_server(settings) as server:
        old = server.query(query)["data"]["stats"]
        assert server.query(query)["data"]["stats"] == old  # now kept
        (corpus / "added.md").write_text(
            '---\ntitle: "A new article"\nwebUrl: "https://example.org/new"\n---\n'
        )
        # Until the new article is counted (a reload may first catch the file half-written).
        deadline = time.monotonic() + 60
        while (now := server.query(query)["data"]["stats"])["articles"] == old["articles"]:
            assert time.monotonic() < deadline, "the reload was never seen"
            time.sleep(0.2)
        assert now["articles"] == old["articles"] + 1 and now["version"] != old["version"]


def test_size_zero_turns_it_off(tmp_path: Path) -> None:
    settings = corpus_settings(SEEDS, tmp_path / "cache", watch=False, response_cache_bytes=0)
    with running_server(settings) as server:
        for _ in range(3):
            server.query(QUERY)
        assert cache_stats(server.url) == {
            "entries": 0, "bytes": 0, "maxBytes": 0, "hits": 0, "misses": 0
        }  # fmt: skip


def test_gzipped_answers_from_the_cache_are_whole(tmp_path: Path) -> None:
    big = "{ articles(first: 50) { edges { node { title excerpt url } } } }"
    settings = corpus_settings(SEEDS, tmp_path / "cache", watch=False)
    with running_server(settings) as server:
        answers = [
            httpx.post(server.graphql, json={"query": big}, headers={"accept-encoding": "gzip"})
            for _ in range(3)
        ]
        assert {a.headers.get("content-encoding") for a in answers} == {"gzip"}
        assert len({a.content for a in answers}) == 1  # decoded by httpx: checked lengths
        assert len(answers[0].json()["data"]["articles"]["edges"]) == 21
        assert cache_stats(server.url)["hits"] >= 2
