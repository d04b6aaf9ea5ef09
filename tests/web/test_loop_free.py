"""No client waits behind another's costly query: GraphQL runs off the event loop, so a small
query (and /healthz) sent while the most expensive allowed request runs is answered first.

A real `graphsvc serve` on the shared corpus (4,000 nodes, 48,000 edges). The heavy request
fills the alias limit with the costliest small-answer fields: k shortest paths between far
apart hubs and depth-3 neighbourhoods of 500 nodes (a small answer, so its own encoding and
transfer do not let the loop breathe). The test asserts the order of events, not times:
before the fix (execution on the loop) the small query waited for the heavy one."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest

from tests.support import NEWS, require
from tests.web.server import serve_process

pytestmark = pytest.mark.corpus

PATHS = 'p{i}: shortestPaths(from: "{a}", to: "{b}", k: 5, maxLength: 10) {{ length }}'
NEIGHBOURHOOD = 'n{i}: neighborhood(id: "{id}", depth: 3, limit: 500) {{ truncated }}'


def test_small_queries_answer_while_the_costliest_request_runs(tmp_path: Any) -> None:
    require(NEWS.is_dir(), f"the shared corpus is not at {NEWS}")
    env = {"GRAPHSVC_CACHE_DIR": str(tmp_path), "GRAPHSVC_RESPONSE_CACHE_BYTES": "0"}
    with (
        serve_process(str(NEWS), "--no-watch", env=env) as server,
        httpx.Client(timeout=120) as heavy_client,
        httpx.Client(timeout=120) as client,
    ):
        top = server.query("{ central(nodeKind: ARTICLE, first: 42) { node { id } } }")
        ids = [entry["node"]["id"] for entry in top["data"]["central"]]
        fields = [PATHS.format(i=i, a=ids[i], b=ids[-1 - i]) for i in range(21)]
        fields += [NEIGHBOURHOOD.format(i=i, id=x) for i, x in enumerate(ids[:9])]
        heavy = "{ " + " ".join(fields) + " }"
        client.get(f"{server.url}/healthz")  # both clients connected before the race
        heavy_client.get(f"{server.url}/healthz")
        events: list[str] = []
        answers: dict[str, Any] = {}

        def ask_heavy() -> None:
            response = heavy_client.post(server.graphql, json={"query": heavy})
            events.append("heavy answered")
            answers["heavy"] = response.json()

        worker = threading.Thread(target=ask_heavy)
        worker.start()
        time.sleep(0.05)  # the server starts on it (it runs for a good part of a second)
        events.append("small sent")
        small = client.post(server.graphql, json={"query": "{ stats { articles } }"})
        events.append("small answered")
        health = client.get(f"{server.url}/healthz")
        events.append("healthz answered")
        worker.join(timeout=120)

    assert small.json()["data"] == {"stats": {"articles": 1368}}
    assert health.status_code == 200
    data = answers["heavy"]["data"]
    assert "errors" not in answers["heavy"] and len(data) == 30  # the alias limit
    assert all(data[f"n{i}"]["truncated"] for i in range(9))  # each one walked 500 nodes
    assert sum(len(data[f"p{i}"]) for i in range(21)) > 21
    # The small request went in while the heavy one ran, and came back before it.
    assert events == ["small sent", "small answered", "healthz answered", "heavy answered"]
