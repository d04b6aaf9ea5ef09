"""WebSocket input under the same limits as HTTP, with real WebSocket clients against a real
`graphsvc serve` process: messages over the body limit are refused (1009), malformed messages
after the acknowledgement close the connection with 4400 (no traceback in the log, no Python
error text to the client), and ``--cors-origin`` lets an allowed page subscribe.

Before: a 2 MB message ran (uvicorn's default limit is 16 MiB); ``[]``, ``null``, ``"s"`` and
50,000-deep variables raised inside the protocol handler (traceback, close 1006);
``payload.query: 5`` got a bare ``complete`` and ``variables: [1]`` the text "cannot convert
dictionary update sequence element #0 to a sequence"; an allowed origin's handshake got 403."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.support import SEEDS
from tests.web.server import Server, serve_process

#: Hang guard for each WebSocket exchange (not a timing assertion).
GUARD_SECONDS = 30.0
ALLOWED = "http://localhost:5173"
TRANSPORT_WS = "graphql-transport-ws"
GRAPHQL_WS = "graphql-ws"
STATS = "{ stats { articles } }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"GRAPHSVC_CACHE_DIR": str(tmp_path_factory.mktemp("cache")), "GRAPHSVC_WATCH": "false"}
    with serve_process(str(SEEDS), "--cors-origin", ALLOWED, env=env) as server:
        yield server


def _ws_url(server: Server) -> str:
    return server.graphql.replace("http://", "ws://")


async def _acknowledged(
    server: Server, protocol: str = TRANSPORT_WS, **options: Any
) -> ClientConnection:
    ws = await connect(_ws_url(server), subprotocols=[protocol], **options)  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init"}))
    ack = json.loads(await asyncio.wait_for(ws.recv(), GUARD_SECONDS))
    assert ack["type"] == "connection_ack"
    return ws


async def _answers_until_closed(ws: ClientConnection) -> tuple[list[Any], int | None, str]:
    """Every message the server sends, then its close code and reason."""
    received = []
    try:
        while True:
            received.append(json.loads(await asyncio.wait_for(ws.recv(), GUARD_SECONDS)))
    except ConnectionClosed as closed:
        frame = closed.rcvd
        return received, frame.code if frame else None, frame.reason if frame else ""


def _exchange(
    server: Server, text: str, protocol: str = TRANSPORT_WS
) -> tuple[list[Any], Any, str]:
    async def run() -> tuple[list[Any], Any, str]:
        ws = await _acknowledged(server, protocol)
        await ws.send(text)
        return await _answers_until_closed(ws)

    return asyncio.run(run())


def _subscribe(payload: Any) -> str:
    return json.dumps({"id": "1", "type": "subscribe", "payload": payload})


DEEP = "[" * 50_000 + "]" * 50_000
MALFORMED = {
    "an array": "[]",
    "null": "null",
    "a string": '"s"',
    "50,000-deep variables": _subscribe({"query": STATS})[:-2]
    + ',"variables":{"a":'
    + DEEP
    + "}}}",
    "a numeric query": _subscribe({"query": 5}),
    "an array of variables": _subscribe({"query": STATS, "variables": [1]}),
    "no id": json.dumps({"type": "subscribe", "payload": {"query": STATS}}),
    "a non-object payload": _subscribe("query"),
    "a numeric operationName": _subscribe({"query": STATS, "operationName": 1}),
    "no type": json.dumps({"id": "1", "payload": {"query": STATS}}),
}


@pytest.mark.parametrize("text", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_message_closes_with_4400(server: Server, text: str) -> None:
    received, code, reason = _exchange(server, text)
    assert (received, code) == ([], 4400), (received, code, reason)
    for python_text in ("update sequence", "subscriptable", "indices must", "has no len"):
        assert python_text not in reason, reason
    assert "Traceback" not in server.output()


@pytest.mark.parametrize(
    "text", ["[]", "null", '"s"', json.dumps({"id": "1", "type": "start", "payload": {"query": 5}})]
)
def test_the_legacy_protocol_closes_on_a_malformed_message_too(server: Server, text: str) -> None:
    received, code, _ = _exchange(server, text, protocol=GRAPHQL_WS)
    assert code == 4400, (received, code)
    assert "Traceback" not in server.output()


def test_a_well_formed_operation_still_runs(server: Server) -> None:
    async def run() -> list[Any]:
        ws = await _acknowledged(server)
        await ws.send(_subscribe({"query": STATS, "variables": None, "operationName": None}))
        received, _, _ = [], None, ""
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), GUARD_SECONDS))
            received.append(message)
            if message["type"] in ("complete", "error"):
                await ws.close()
                return received

    received = run_guarded(run())
    assert received[0]["type"] == "next"
    assert received[0]["payload"]["data"]["stats"]["articles"] > 0


def run_guarded(coroutine: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coroutine, GUARD_SECONDS * 2))


def test_a_message_over_the_body_limit_is_refused(server: Server) -> None:
    """2 MB: over the 1,000,000-byte body limit, far under uvicorn's default 16 MiB."""
    big = _subscribe({"query": STATS, "variables": {"pad": "x" * 2_000_000}})
    received, code, _ = _exchange(server, big)
    assert (received, code) == ([], 1009)


def test_a_message_under_the_body_limit_is_served(server: Server) -> None:
    text = _subscribe({"query": STATS, "extensions": {"pad": "x" * 900_000}})

    async def run() -> Any:
        ws = await _acknowledged(server)
        await ws.send(text)
        answer = json.loads(await asyncio.wait_for(ws.recv(), GUARD_SECONDS))
        await ws.close()
        return answer

    answer = run_guarded(run())
    assert answer["type"] == "next", answer
    assert answer["payload"]["data"]["stats"]["articles"] > 0


def test_an_allowed_origin_can_subscribe(server: Server) -> None:
    async def run() -> Any:
        ws = await _acknowledged(server, origin=ALLOWED)
        await ws.send(_subscribe({"query": STATS}))
        answer = json.loads(await asyncio.wait_for(ws.recv(), GUARD_SECONDS))
        await ws.close()
        return answer

    answer = run_guarded(run())
    assert answer["type"] == "next"


def test_other_origins_are_still_refused(server: Server) -> None:
    async def run() -> None:
        await connect(_ws_url(server), subprotocols=[TRANSPORT_WS], origin="http://evil.example")  # type: ignore[list-item,arg-type]

    with pytest.raises(InvalidStatus) as refused:
        run_guarded(run())
    assert refused.value.response.status_code == 403
