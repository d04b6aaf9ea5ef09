"""Live reload on the real server: edit, add, delete and break corpus files while queries stream.

A background thread keeps POSTing one query for the whole test and records every answer. Each
change must become visible within a few seconds, and no streamed answer may be an error or mix
two snapshots (its counts must agree with each other and with every other answer of the same
version).
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import SEEDS
from tests.web.server import Server, corpus_settings, running_server

VISIBLE_WITHIN = 10.0  # seconds a change may take to show up in queries
STREAM_QUERY = (
    "{ stats { articles edges version } "
    "articles(first: 5) { totalCount edges { node { title } } } }"
)
ARTICLE_QUERY = "query($url: String!) { article(url: $url) { title isStub topics { name } } }"

EDITED = "017_kubernetes-1-22-removed-beta-apis.md"
EDITED_URL = "https://kerneltimes.io/news/kubernetes-1-22-removed-beta-apis"
OLD_TITLE = "Kubernetes 1.22 removes long-deprecated beta APIs: what breaks"
NEW_TITLE = "Kubernetes 1.22 drops the old beta APIs (edited while the server runs)"

DELETED = "020_service-mesh-adoption-survey-2020.md"  # other seeds list it as related
DELETED_URL = "https://kerneltimes.io/news/service-mesh-adoption-survey-2020"

ADDED = "900_live-reload-vpn-advisory.md"
ADDED_URL = "https://www.secopsreview.net/2022/01/live-reload-vpn-advisory"
ADDED_TITLE = "Live reload: a new VPN advisory appears without a restart"
ADDED_DOC = f"""---
category: news
title: "{ADDED_TITLE}"
excerpt: "Written into the corpus folder while the server runs."
publishedDateTime: 2022-01-10T09:00:00Z
webUrl: "{ADDED_URL}"
type: article
quality: 61
provider:
  name: SecOps Review
  domain: secopsreview.net
topics:
  - Security
---
A document added while graphsvc serves the folder.
"""


@dataclass
class QueryStream:
    """POSTs STREAM_QUERY in a loop on a few threads (each its own keep-alive connection), so
    that some requests are in flight whenever a swap happens; keeps (status, body) of each."""

    url: str
    clients: int = 3
    results: list[tuple[int, Any]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        for i in range(self.clients):
            thread = threading.Thread(target=self._run, name=f"query-stream-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
            assert not thread.is_alive(), "the query stream did not stop"

    def _run(self) -> None:
        with httpx.Client(timeout=30) as client:
            while not self._stop.is_set():
                try:
                    response = client.post(self.url, json={"query": STREAM_QUERY})
                except httpx.HTTPError as exc:  # a dropped connection is a failure too
                    self.failures.append(f"{type(exc).__name__}: {exc}")
                    continue
                try:
                    body: Any = response.json()
                except ValueError:
                    body = response.text
                self.results.append((response.status_code, body))


def atomic_write(path: Path, text: str, scratch: Path) -> None:
    """Write a file whole: elsewhere on the same disk, then renamed into place."""
    tmp = scratch / f"{path.name}.partial"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def wait_for(
    server: Server, check: Callable[[], Any], what: str, timeout: float = VISIBLE_WITHIN
) -> Any:
    """Call ``check`` until it returns something truthy; fail with ``what`` after ``timeout``."""
    started = time.monotonic()
    deadline = started + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            print(f"{what}: visible after {time.monotonic() - started:.1f} s")
            return last
        time.sleep(0.1)
    ready = httpx.get(f"{server.url}/readyz", timeout=5).json()
    pytest.fail(
        f"{what}: not visible within {timeout:.0f} s (last check: {last!r}; /readyz: {ready})"
    )


def article(server: Server, url: str) -> dict[str, Any]:
    return server.query(ARTICLE_QUERY, url=url)


def title_of(server: Server, url: str) -> str | None:
    found = article(server, url)["data"]["article"]
    return found["title"] if found else None


def problems(server: Server) -> list[dict[str, Any]]:
    return list(server.query("{ ingestProblems { path reason line } }")["data"]["ingestProblems"])


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[Server, Path, Path]]:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    settings = corpus_settings(corpus, tmp_path / "cache")
    assert settings.watch, "watching the corpus must be on by default"
    with running_server(settings) as server:
        yield server, corpus, scratch


def test_reload_keeps_serving_and_shows_every_change(live: tuple[Server, Path, Path]) -> None:
    server, corpus, scratch = live
    before = httpx.get(f"{server.url}/readyz").json()
    assert before["counts"]["articles"] == 21 and before["reloads"] == 0
    assert before["watching"] is True
    start = server.query("{ stats { articles stubs } }")["data"]["stats"]

    stream = QueryStream(server.graphql)
    stream.start()
    try:
        time.sleep(0.3)  # let the stream get going on the first snapshot

        # (a) Edit a document's title.
        edited = corpus / EDITED
        text = edited.read_text(encoding="utf-8")
        assert f'title: "{OLD_TITLE}"' in text
        # In place, as an editor does (a new document below is renamed in, as crawlers do).
        edited.write_text(text.replace(OLD_TITLE, NEW_TITLE), encoding="utf-8")
        wait_for(server, lambda: title_of(server, EDITED_URL) == NEW_TITLE, "(a) the edited title")
        assert server.query("{ stats { articles } }")["data"]["stats"]["articles"] == 21

        # (b) Add a new document with a topic.
        atomic_write(corpus / ADDED, ADDED_DOC, scratch)
        found = wait_for(
            server, lambda: article(server, ADDED_URL)["data"]["article"], "(b) the new article"
        )
        assert found == {"title": ADDED_TITLE, "isStub": False, "topics": [{"name": "Security"}]}
        assert server.query("{ stats { articles } }")["data"]["stats"]["articles"] == 22
        security = server.query(
            '{ articles(filter: {topics: ["Security"]}, first: 100) { edges { node { url } } } }'
        )["data"]["articles"]["edges"]
        assert ADDED_URL in [edge["node"]["url"] for edge in security]

        # (c) Delete documents: one nobody links to disappears entirely; one that other
        # documents list as related stays only as a stub (known from those lists).
        (corpus / ADDED).unlink()
        (corpus / DELETED).unlink()

        def deleted() -> bool:
            stats = server.query("{ stats { articles } }")["data"]["stats"]
            return stats["articles"] == 20 and article(server, ADDED_URL)["data"]["article"] is None

        wait_for(server, deleted, "(c) the deletions")
        gone = article(server, ADDED_URL)
        assert gone["data"]["article"] is None
        assert [e["message"] for e in gone["errors"]] == [f"no article with URL {ADDED_URL!r}"]
        stub = article(server, DELETED_URL)["data"]["article"]
        assert stub is not None and stub["isStub"] is True and stub["topics"] == []
        remaining = server.query("{ articles(first: 100) { totalCount edges { node { url } } } }")
        urls = [edge["node"]["url"] for edge in remaining["data"]["articles"]["edges"]]
        assert remaining["data"]["articles"]["totalCount"] == 20 and DELETED_URL not in urls
        stats = server.query("{ stats { articles stubs } }")["data"]["stats"]
        assert stats == {"articles": 20, "stubs": start["stubs"] + 1}

        # (d) Turn the edited document malformed (invalid YAML): its last good version
        # (the edited title, not the original) stays, and the problem is listed.
        broken = edited.read_text(encoding="utf-8").replace("quality: 58", "quality: [58")
        edited.write_text(broken, encoding="utf-8")
        # Written in place: a reload may catch the file half-written (empty) first, and list
        # that; the reload after the whole write lists the YAML error.
        rejected = wait_for(
            server,
            lambda: [p for p in problems(server) if "invalid YAML" in p["reason"]],
            "(d) the malformed file in ingestProblems",
        )
        assert [p["path"] for p in rejected] == [EDITED]
        assert "invalid YAML" in rejected[0]["reason"]
        assert "last good version is kept" in rejected[0]["reason"]
        assert isinstance(rejected[0]["line"], int) and rejected[0]["line"] > 1
        kept = article(server, EDITED_URL)["data"]["article"]
        assert kept == {"title": NEW_TITLE, "isStub": False, "topics": [{"name": "Kubernetes"}]}
        after = server.query("{ stats { articles rejected } }")["data"]["stats"]
        assert after == {"articles": 20, "rejected": 1}

        time.sleep(0.3)  # and the stream keeps going on the last snapshot
    finally:
        stream.stop()

    ready = httpx.get(f"{server.url}/readyz").json()
    assert ready["reloads"] >= 4, ready  # one per change at least
    assert ready["version"] != before["version"]
    assert ready["counts"]["articles"] == 20 and ready["rejected"] == 1
    assert ready["lastReloadError"] is None

    # Every streamed answer: HTTP 200, no errors, one snapshot's counts throughout.
    assert not stream.failures, stream.failures[:5]
    assert len(stream.results) >= 20, f"only {len(stream.results)} streamed queries"
    bad = [(status, body) for status, body in stream.results if status != 200 or "errors" in body]
    assert not bad, f"{len(bad)} of {len(stream.results)} streamed answers failed: {bad[:3]}"
    by_version: dict[str, set[tuple[int, int, int]]] = {}
    for _, body in stream.results:
        data = body["data"]
        stats, page = data["stats"], data["articles"]
        assert page["totalCount"] == stats["articles"], data
        assert len(page["edges"]) == min(5, stats["articles"]), data
        key = (stats["articles"], stats["edges"], page["totalCount"])
        by_version.setdefault(stats["version"], set()).add(key)
    mixed = {version: keys for version, keys in by_version.items() if len(keys) > 1}
    assert not mixed, f"answers of one version disagree: {mixed}"
    counts = {next(iter(keys))[0] for keys in by_version.values()}
    assert {21, 20} <= counts, f"the stream did not span the reloads: {by_version}"
    print(f"{len(stream.results)} streamed answers over {len(by_version)} snapshots")
    assert len(by_version) >= 3, by_version
