"""Subscriptions over graphql-transport-ws with a real client (gql's websockets transport).

A real uvicorn server watches a copy of seeds/; the test subscribes, writes documents into the
folder, and waits (always with a timeout) for what the subscriptions deliver.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tests.support import SEEDS, require
from tests.web.server import Server, corpus_settings, running_server

gql: Any = None
WebsocketsTransport: Any = None
with contextlib.suppress(ImportError):  # missing: skipped here, failed under CI=true (require)
    gql = importlib.import_module("gql")
    WebsocketsTransport = importlib.import_module("gql.transport.websockets").WebsocketsTransport


@pytest.fixture(autouse=True)
def _gql_is_installed() -> None:
    require(WebsocketsTransport is not None, 'gql is not installed: pip install "gql[websockets]"')


EVENT_TIMEOUT = 15.0  # seconds to wait for one subscription event (a reload takes about 1 s)
SEED_ARTICLES = 21

GRAPH_CHANGED = "subscription { graphChanged { version previousVersion stats { articles } } }"
SECURITY_ADDED = 'subscription { articlesAdded(filter: {topics: ["Security"]}) { title url } }'
SECURITY_ADDED_DEEP = (
    'subscription { articlesAdded(filter: {topics: ["Security"]})'
    " { title url provider { name } topics { name } } }"
)


class Doc(NamedTuple):
    name: str
    url: str
    title: str
    text: str


def document(slug: str, title: str, topic: str) -> Doc:
    """A small valid document with one topic."""
    url = f"https://www.secopsreview.net/2022/02/{slug}"
    text = f"""---
category: news
title: "{title}"
excerpt: "Added while a client is subscribed."
publishedDateTime: 2022-02-01T10:00:00Z
webUrl: "{url}"
type: article
quality: 60
provider:
  name: SecOps Review
  domain: secopsreview.net
topics:
  - {topic}
---
Body.
"""
    return Doc(f"950_{slug}.md", url, title, text)


SECURITY = document("subscribed-security-story", "A Security story for subscribers", "Security")
DATABASES = document(
    "subscribed-databases-story", "A Databases story nobody filtered for", "Databases"
)
SENTINEL = document("subscribed-second-security-story", "A second Security story", "Security")
LAST = document("subscribed-last-security-story", "A last Security story", "Security")


def add(corpus: Path, scratch: Path, doc: Doc) -> None:
    """Write a document whole (to a scratch file, then renamed into the corpus)."""
    tmp = scratch / doc.name
    tmp.write_text(doc.text, encoding="utf-8")
    os.replace(tmp, corpus / doc.name)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[Server, Path, Path]]:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with running_server(corpus_settings(corpus, tmp_path / "cache")) as server:
        yield server, corpus, scratch


class Subscription:
    """One subscription on its own graphql-transport-ws connection; events land in a queue."""

    def __init__(self, session: Any, query: str) -> None:
        self.events: asyncio.Queue[dict[str, Any] | BaseException] = asyncio.Queue()
        self._task = asyncio.create_task(self._pump(session, query))

    async def _pump(self, session: Any, query: str) -> None:
        try:
            async for result in session.subscribe(gql.gql(query)):
                await self.events.put(result)
        except Exception as exc:  # the client raises on an `error` message: hand it over
            await self.events.put(exc)

    async def next(self, what: str) -> dict[str, Any]:
        try:
            event = await asyncio.wait_for(self.events.get(), EVENT_TIMEOUT)
        except TimeoutError:
            pytest.fail(f"no {what} within {EVENT_TIMEOUT:.0f} s")
        if isinstance(event, BaseException):
            raise AssertionError(f"{what}: the subscription failed: {event!r}") from event
        return event

    async def close(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


@asynccontextmanager
async def subscribed(server: Server, *queries: str) -> AsyncIterator[list[Subscription]]:
    """Open one connection per query and subscribe; yield once the server is listening."""
    url = server.url.replace("http://", "ws://", 1) + "/graphql"
    clients = [
        gql.Client(
            transport=WebsocketsTransport(
                url=url,
                subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],  # graphql-transport-ws
                connect_timeout=10,
                ack_timeout=10,
                close_timeout=5,
            )
        )
        for _ in queries
    ]
    sessions = [await asyncio.wait_for(client.connect_async(), 15) for client in clients]
    subs = [Subscription(session, query) for session, query in zip(sessions, queries, strict=True)]
    try:
        await listening(server, len(queries))
        yield subs
    finally:
        for sub in subs:
            await sub.close()
        for client in clients:
            await asyncio.wait_for(client.close_async(), 15)


async def listening(server: Server, count: int) -> None:
    """Wait until the server's StoreHolder has ``count`` change listeners (one per
    subscription), so that no reload can slip by before the subscriptions see it."""
    holder = server.app.state.holder
    deadline = time.monotonic() + 10
    while len(holder._listeners) < count:
        if time.monotonic() > deadline:
            pytest.fail(f"{len(holder._listeners)} of {count} subscriptions listening after 10 s")
        await asyncio.sleep(0.02)


async def changes_until(sub: Subscription, articles: int) -> list[dict[str, Any]]:
    """graphChanged events up to the one whose snapshot has ``articles`` articles."""
    events = []
    while True:
        event = (await sub.next(f"graphChanged with {articles} articles"))["graphChanged"]
        events.append(event)
        if event["stats"]["articles"] >= articles:
            return events


def test_graph_changed_and_articles_added(live: tuple[Server, Path, Path]) -> None:
    server, corpus, scratch = live
    start = server.query("{ stats { articles version } }")["data"]["stats"]
    assert start["articles"] == SEED_ARTICLES

    async def scenario() -> None:
        async with subscribed(server, GRAPH_CHANGED, SECURITY_ADDED) as (changed, added):
            # A Security document and one without Security, written together: the watcher
            # may see them in one reload or two, so one or two graphChanged events.
            add(corpus, scratch, SECURITY)
            add(corpus, scratch, DATABASES)
            events = await changes_until(changed, SEED_ARTICLES + 2)
            assert 1 <= len(events) <= 2, events
            assert [e["stats"]["articles"] for e in events] in (
                [SEED_ARTICLES + 2],
                [SEED_ARTICLES + 1, SEED_ARTICLES + 2],
            ), events
            previous = start["version"]
            for event in events:  # each event names the snapshot it replaced
                assert event["previousVersion"] == previous, events
                assert event["version"] != previous and len(event["version"]) == 16, events
                previous = event["version"]
            current = server.query("{ stats { articles version } }")["data"]["stats"]
            assert current == {"articles": SEED_ARTICLES + 2, "version": previous}

            first = await added.next("articlesAdded for the Security document")
            assert first == {"articlesAdded": {"title": SECURITY.title, "url": SECURITY.url}}

            # One more Security document: it must be the very next articlesAdded event, which
            # shows the Databases document was never delivered (events keep their order).
            add(corpus, scratch, SENTINEL)
            [last] = await changes_until(changed, SEED_ARTICLES + 3)
            assert (
                last["previousVersion"] == previous
                and last["stats"]["articles"] == SEED_ARTICLES + 3
            )
            second = await added.next("articlesAdded for the second Security document")
            assert second == {"articlesAdded": {"title": SENTINEL.title, "url": SENTINEL.url}}
            # Nothing else came after it: one last Security document is the very next event on
            # both subscriptions (a barrier, where waiting a while would prove nothing).
            add(corpus, scratch, LAST)
            [closing] = await changes_until(changed, SEED_ARTICLES + 4)
            assert closing["previousVersion"] == last["version"], closing
            third = await added.next("articlesAdded for the last Security document")
            assert third == {"articlesAdded": {"title": LAST.title, "url": LAST.url}}

    asyncio.run(asyncio.wait_for(scenario(), 90))


def test_articles_added_resolves_nested_fields_on_the_new_snapshot(
    live: tuple[Server, Path, Path],
) -> None:
    server, corpus, scratch = live

    async def scenario() -> None:
        async with subscribed(server, SECURITY_ADDED_DEEP) as (added,):
            add(corpus, scratch, SECURITY)
            event = await added.next("articlesAdded with provider and topics")
            assert event == {
                "articlesAdded": {
                    "title": SECURITY.title,
                    "url": SECURITY.url,
                    "provider": {"name": "SecOps Review"},
                    "topics": [{"name": "Security"}],
                }
            }

    asyncio.run(asyncio.wait_for(scenario(), 60))


def test_query_over_websocket_sees_the_reloaded_snapshot(live: tuple[Server, Path, Path]) -> None:
    server, corpus, scratch = live
    stats_query = gql.gql("{ stats { articles version } }")

    async def scenario() -> None:
        async with subscribed(server, GRAPH_CHANGED) as (changed,):
            url = server.url.replace("http://", "ws://", 1) + "/graphql"
            client = gql.Client(
                transport=WebsocketsTransport(
                    url=url, subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL]
                )
            )
            session = await asyncio.wait_for(client.connect_async(), 15)
            try:
                before = await asyncio.wait_for(session.execute(stats_query), 15)
                assert before["stats"]["articles"] == SEED_ARTICLES
                add(corpus, scratch, SECURITY)
                [event] = await changes_until(changed, SEED_ARTICLES + 1)
                over_http = server.query("{ stats { articles version } }")["data"]["stats"]
                assert over_http == {"articles": SEED_ARTICLES + 1, "version": event["version"]}
                over_ws = await asyncio.wait_for(session.execute(stats_query), 15)
                assert over_ws["stats"] == over_http
            finally:
                await asyncio.wait_for(client.close_async(), 15)

    asyncio.run(asyncio.wait_for(scenario(), 60))
