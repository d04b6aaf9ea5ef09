"""Before the graph is loaded: a real server whose first load waits for the test to release it.

The server is graphsvc's own ``create_app`` under uvicorn, on seeds/; its StoreHolder is given a
loader (the constructor's hook) that blocks until the test sets an event, then loads seeds/ for
real. So the test sees the service exactly as a client does while a big corpus loads:
``/healthz`` 200, ``/readyz`` and ``/graphql`` 503 with ``Retry-After``, the playground page
served, and a WebSocket operation answered with a clear GraphQL error (not "Unexpected
error."); once released, the same connection and URLs answer.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphsvc.corpus import load_store
from graphsvc.graph.store import GraphStore
from graphsvc.web.app import create_app
from graphsvc.web.holder import StoreHolder
from graphsvc.web.http import LOADING_MESSAGE
from tests.support import SEEDS, require, wait_ready
from tests.web.server import corpus_settings, uvicorn_thread

STATS = "{ stats { articles } }"
SEED_ARTICLES = 21
WAIT = 15.0  # seconds any one step may take


@dataclass
class HeldServer:
    """A running server whose first load is held until ``release`` is set."""

    url: str
    release: threading.Event
    loads_started: threading.Event

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1) + "/graphql"


@contextmanager
def held_server(tmp_path: Path) -> Iterator[HeldServer]:
    settings = corpus_settings(SEEDS, tmp_path / "cache", watch=False)
    release, started = threading.Event(), threading.Event()

    def held_loader() -> GraphStore:
        started.set()
        if not release.wait(120):
            raise TimeoutError("the test never released the load")
        return load_store(settings.corpus, cache_dir=settings.cache_dir)

    app = create_app(settings, holder=StoreHolder(settings, loader=held_loader))
    try:
        with uvicorn_thread(app, settings.port, timeout=WAIT) as url:
            assert started.wait(WAIT), "the app never started loading the graph"
            yield HeldServer(url=url, release=release, loads_started=started)
    finally:
        release.set()  # the loader's thread must not outlive the test


@pytest.fixture
def held(tmp_path: Path) -> Iterator[HeldServer]:
    with held_server(tmp_path) as server:
        yield server


def test_http_gates_until_the_graph_is_loaded(held: HeldServer) -> None:
    with httpx.Client(base_url=held.url, timeout=WAIT) as client:
        for _ in range(3):  # stays so while the load is held, however often one asks
            health = client.get("/healthz")
            assert health.status_code == 200 and health.json() == {"status": "alive"}

            ready = client.get("/readyz")
            assert ready.status_code == 503, ready.text
            assert ready.headers["retry-after"] == "2" and ready.json()["status"] == "loading"

            post = client.post("/graphql", json={"query": STATS})
            get = client.get(
                "/graphql", params={"query": STATS}, headers={"accept": "application/json"}
            )
            for answer in (post, get):
                assert answer.status_code == 503, answer.text
                assert answer.headers["retry-after"] == "2"
                assert answer.headers["content-type"].startswith("application/json")
                assert [e["message"] for e in answer.json()["errors"]] == [LOADING_MESSAGE]
            time.sleep(0.1)

        # A browser still gets the playground page: it is not the graph.
        page = client.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")

        held.release.set()
        wait_ready(held.url, timeout=60)
        assert client.get("/readyz").json()["counts"]["articles"] == SEED_ARTICLES
        answer = client.post("/graphql", json={"query": STATS})
        assert answer.status_code == 200 and "retry-after" not in answer.headers
        assert answer.json()["data"] == {"stats": {"articles": SEED_ARTICLES}}


def test_websocket_operation_before_the_graph_is_loaded_raw_protocol(held: HeldServer) -> None:
    """graphql-transport-ws frame by frame (the ``websockets`` library): the operation gets the
    protocol's ``error`` message naming the cause, the connection stays open, and the same
    operation id can be used again once the graph is loaded."""
    from websockets.asyncio.client import connect

    async def scenario() -> None:
        async with connect(held.ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await asyncio.wait_for(ws.recv(), WAIT))["type"] == "connection_ack"

            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": STATS}}))
            early = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
            assert early == {
                "id": "1",
                "type": "error",
                "payload": [{"message": LOADING_MESSAGE, "extensions": {"code": "GRAPH_LOADING"}}],
            }

            held.release.set()
            await asyncio.to_thread(wait_ready, held.url, 60)
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": STATS}}))
            later = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
            assert later["type"] == "next" and later["id"] == "1", later
            assert later["payload"]["data"] == {"stats": {"articles": SEED_ARTICLES}}
            assert "errors" not in later["payload"]
            done = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
            assert done == {"id": "1", "type": "complete"}

    asyncio.run(asyncio.wait_for(scenario(), 90))


def _gql() -> tuple[Any, Any, Any]:
    try:
        import gql
        from gql.transport.exceptions import TransportQueryError
        from gql.transport.websockets import WebsocketsTransport
    except ImportError:  # pragma: no cover - depends on the environment
        require(False, 'gql is not installed: pip install "gql[websockets]"')
        raise
    return gql, WebsocketsTransport, TransportQueryError


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
def test_websocket_client_before_the_graph_is_loaded(held: HeldServer, protocol: str) -> None:
    """A real client (gql) of either WebSocket protocol: a query and a subscription sent while
    the graph loads fail with the loading message as a GraphQL error (over graphql-transport-ws
    they got "Unexpected error."; over graphql-ws the query got "queries are not allowed" and
    the subscription no answer at all); on the same connection, once the graph is loaded, the
    query answers (graphql-ws: the protocol's own refusal, the gate gone)."""
    gql, transport_class, query_error = _gql()

    async def scenario() -> None:
        client = gql.Client(
            transport=transport_class(
                url=held.ws_url,
                subprotocols=[protocol],
                connect_timeout=10,
                ack_timeout=10,
            )
        )
        session = await asyncio.wait_for(client.connect_async(), WAIT)
        try:
            with pytest.raises(query_error) as early:
                await asyncio.wait_for(session.execute(gql.gql(STATS)), WAIT)
            assert [e["message"] for e in early.value.errors] == [LOADING_MESSAGE]

            subscription = gql.gql("subscription { graphChanged { version } }")
            with pytest.raises(query_error) as refused:
                async for _event in session.subscribe(subscription):
                    pytest.fail("a subscription sent before the graph loaded got an event")
            assert [e["message"] for e in refused.value.errors] == [LOADING_MESSAGE]

            held.release.set()
            await asyncio.to_thread(wait_ready, held.url, 60)
            if protocol == "graphql-transport-ws":
                later = await asyncio.wait_for(session.execute(gql.gql(STATS)), WAIT)
                assert later == {"stats": {"articles": SEED_ARTICLES}}
            else:  # Strawberry's graphql-ws carries subscriptions only: the gate is gone, and
                # the protocol's own refusal of a query is what is left.
                with pytest.raises(query_error) as after:
                    await asyncio.wait_for(session.execute(gql.gql(STATS)), WAIT)
                assert [e["message"] for e in after.value.errors] == ["queries are not allowed"]
        finally:
            await asyncio.wait_for(client.close_async(), WAIT)

    asyncio.run(asyncio.wait_for(scenario(), 90))
