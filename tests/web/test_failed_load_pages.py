"""A first load that failed is said everywhere a client looks, with the reason, never as an
endless "loading": /readyz, /graphql (HTTP and both WebSocket protocols), /export/…, the
explorer's error line and the playground's result pane (a real server, real clients, headless
Chromium)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from graphsvc.web.app import create_app
from tests.web.faults import settled, until
from tests.web.server import Server, corpus_settings, uvicorn_thread

WAIT = 20


@pytest.fixture(scope="module")
def failed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    """A server whose corpus folder is missing: its first load fails (the CLI would refuse
    the folder; create_app serves it, as after a folder vanishes before the load)."""
    root = tmp_path_factory.mktemp("failed")
    settings = corpus_settings(root / "missing-corpus", root / "cache")
    with uvicorn_thread(create_app(settings), settings.port) as url:
        server = Server(url=url)
        answer = until("/readyz to settle", settled(server))
        assert answer.status_code == 503 and answer.json()["status"] == "failed"
        yield server, answer.json()["reason"]


def test_http_routes_say_why(failed: tuple[Server, str]) -> None:
    server, reason = failed
    assert "missing-corpus" in reason
    for response in (
        httpx.post(server.graphql, json={"query": "{ stats { articles } }"}, timeout=10),
        httpx.get(f"{server.url}/export/graph.json", timeout=10),
    ):
        assert response.status_code == 503 and "retry-after" not in response.headers
        (error,) = response.json()["errors"]
        assert error["extensions"] == {"code": "GRAPH_LOAD_FAILED", "reason": reason}
        assert reason in error["message"]


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
def test_websocket_operations_say_why(failed: tuple[Server, str], protocol: str) -> None:
    from websockets.asyncio.client import connect

    server, reason = failed
    start = "subscribe" if protocol == "graphql-transport-ws" else "start"
    query = "subscription { graphChanged { version } }"

    async def scenario() -> dict[str, Any]:
        url = server.graphql.replace("http://", "ws://")
        async with connect(url, subprotocols=[protocol]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await asyncio.wait_for(ws.recv(), WAIT))["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": start, "payload": {"query": query}}))
            return dict(json.loads(await asyncio.wait_for(ws.recv(), WAIT)))

    message = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert message["type"] == "error" and message["id"] == "1"
    payload = message["payload"]
    error = payload[0] if isinstance(payload, list) else payload
    assert error["extensions"] == {"code": "GRAPH_LOAD_FAILED", "reason": reason}


@pytest.mark.browser
def test_the_explorer_and_the_playground_show_why(
    failed: tuple[Server, str], chromium_browser: Any
) -> None:
    from playwright.sync_api import expect

    server, reason = failed
    context = chromium_browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        page.goto(server.url + "/", wait_until="load")
        error = page.locator("#error")
        expect(error).to_be_visible()
        expect(error).to_contain_text("the graph failed to load")
        expect(error).to_contain_text(reason)
        assert "still loading" not in error.inner_text()

        page.goto(server.graphql, wait_until="load")
        page.locator(".graphiql-query-editor .CodeMirror").wait_for(timeout=20_000)
        page.locator(".graphiql-execute-button").click()
        result = page.locator(".graphiql-response .CodeMirror")
        expect(result).to_contain_text("GRAPH_LOAD_FAILED", timeout=15_000)
        expect(result).to_contain_text("the graph failed to load")
    finally:
        context.close()
