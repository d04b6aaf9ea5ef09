"""``/metrics`` in the Prometheus text format: scraped from a real two-worker `graphsvc serve`
(prometheus-client's multiprocess mode: the sum over both workers, the metric files in a
temporary folder removed at exit), and from a real in-thread server for each metric's meaning.
Before, ``/metrics`` was a 404."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import connect

from tests.support import SEEDS, wait_ready
from tests.web.server import Server, corpus_settings, running_server, serve_process

GUARD_SECONDS = 60.0
STATS = "{ stats { articles } }"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(server: Server) -> Samples:
    response = httpx.get(f"{server.url}/metrics", timeout=30)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def named(samples: Samples, name: str) -> list[tuple[dict[str, str], float]]:
    return [(dict(labels), v) for (n, labels), v in samples.items() if n == name]


# Two workers ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    temp = tmp_path_factory.mktemp("tmp")  # where `graphsvc serve` makes its metrics folder
    env = {
        "GRAPHSVC_CACHE_DIR": str(tmp_path_factory.mktemp("cache")),
        "GRAPHSVC_WATCH": "false",
        "TMPDIR": str(temp),
    }
    with serve_process(str(SEEDS), "--workers", "2", env=env) as server:
        wait_ready(server.url, workers=2)
        yield server, temp
    assert not list(temp.glob("graphsvc-metrics-*")), "the metrics folder outlived the server"


def test_two_workers_report_the_sum_of_both(two_workers: tuple[Server, Path]) -> None:
    server, temp = two_workers
    assert len(list(temp.glob("graphsvc-metrics-*/*.db"))) > 0
    for _ in range(40):  # a new connection each: both workers answer some
        assert httpx.get(f"{server.url}/healthz", timeout=30).status_code == 200
    for _ in range(10):
        assert httpx.get(f"{server.url}/nowhere", timeout=30).status_code == 404
    samples = scrape(server)
    count = "graphsvc_request_duration_seconds_count"
    assert value(samples, count, route="/healthz", operation="none") == 40
    assert value(samples, "graphsvc_http_errors_total", route="unmatched", code="404") == 10
    # One snapshot per worker, each with its pid: the scrape saw both workers' files.
    loaded = named(samples, "graphsvc_snapshot_loaded_timestamp_seconds")
    assert len({labels["pid"] for labels, _ in loaded}) == 2, loaded
    assert 0 <= value(samples, "graphsvc_snapshot_age_seconds") < 24 * 3600
    assert value(samples, "graphsvc_load_duration_seconds_count") == 2  # one load each


def test_two_workers_count_graphql_operations_and_errors(
    two_workers: tuple[Server, Path],
) -> None:
    server, _ = two_workers
    before = scrape(server)
    for _ in range(6):
        httpx.post(server.graphql, json={"query": "{ nope }"}, timeout=30)
    after = scrape(server)
    code = "graphsvc_graphql_errors_total"
    assert (
        value(after, code, code="GRAPHQL_VALIDATION_FAILED")
        - value(before, code, code="GRAPHQL_VALIDATION_FAILED")
        == 6
    )


# One worker: what each metric means ----------------------------------------------------
@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds, one rejected file and one duplicate (a url-collision warning)."""
    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(SEEDS, root, dirs_exist_ok=True)
    (root / "broken.md").write_text("no frontmatter here\n", encoding="utf-8")
    first = sorted(root.glob("*.md"))[0]
    (root / "zz-duplicate.md").write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def server(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    settings = corpus_settings(corpus, tmp_path_factory.mktemp("cache"), watch=True)
    with running_server(settings) as server:
        yield server


def test_request_durations_are_by_route_and_operation_type(server: Server) -> None:
    before = scrape(server)
    name = "query ClientChosenName { stats { articles } }"
    body = {"query": name, "operationName": "ClientChosenName"}
    assert httpx.post(server.graphql, json=body, timeout=30).status_code == 200
    assert httpx.post(server.graphql, json=body, timeout=30).status_code == 200  # kept answer
    assert httpx.get(f"{server.url}/export/graph.json", timeout=30).status_code == 200
    after = scrape(server)
    count = "graphsvc_request_duration_seconds_count"

    def grew(**labels: str) -> float:
        return value(after, count, **labels) - value(before, count, **labels)

    assert grew(route="/graphql", operation="query") == 1
    assert grew(route="/graphql", operation="cached") == 1
    assert grew(route="/export/graph.{extension}", operation="none") == 1
    text = httpx.get(f"{server.url}/metrics", timeout=30).text
    assert "ClientChosenName" not in text
    hits = "graphsvc_response_cache_requests_total"
    assert value(after, hits, result="hit") - value(before, hits, result="hit") == 1
    assert value(after, hits, result="miss") - value(before, hits, result="miss") >= 1


def test_errors_are_counted_by_code(server: Server) -> None:
    before = scrape(server)
    httpx.post(server.graphql, json={"query": "{ stats {"}, timeout=30)
    httpx.post(
        server.graphql, json={"query": '{ topic(name: "no such topic") { name } }'}, timeout=30
    )
    httpx.post(
        server.graphql,
        content=b"x" * 2_000_000,
        headers={"content-type": "application/json"},
        timeout=30,
    )
    after = scrape(server)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("graphsvc_graphql_errors_total", code="GRAPHQL_PARSE_FAILED") == 1
    assert grew("graphsvc_graphql_errors_total", code="BAD_USER_INPUT") == 1
    assert grew("graphsvc_http_errors_total", route="/graphql", code="413") == 1


def test_ingest_rejects_and_warnings_describe_the_snapshot(server: Server) -> None:
    samples = scrape(server)
    assert value(samples, "graphsvc_ingest_rejected_files") == 1
    assert value(samples, "graphsvc_ingest_warnings", kind="url-collision") >= 1


def test_open_subscriptions_and_connections(server: Server) -> None:
    url = server.graphql.replace("http://", "ws://")
    subscriptions, connections = (
        "graphsvc_websocket_subscriptions",
        "graphsvc_websocket_connections",
    )
    before = scrape(server)

    async def run() -> Samples:
        async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "connection_init"}))
            await ws.recv()
            query = "subscription { graphChanged { version } }"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
            for _ in range(100):  # until the subscription is open
                samples = await asyncio.to_thread(scrape, server)
                if value(samples, subscriptions) > value(before, subscriptions):
                    break
                await asyncio.sleep(0.1)
            return samples

    during = asyncio.run(asyncio.wait_for(run(), GUARD_SECONDS))
    assert value(during, subscriptions) == value(before, subscriptions) + 1
    assert value(during, connections) == value(before, connections) + 1
    for _ in range(100):
        after = scrape(server)
        if value(after, connections) == value(before, connections):
            break
        time.sleep(0.1)
    assert value(after, connections) == value(before, connections)
    assert value(after, subscriptions) == value(before, subscriptions)


def test_reloads_are_counted_and_the_snapshot_age_restarts(server: Server, corpus: Path) -> None:
    before = scrape(server)
    reloads = httpx.get(f"{server.url}/readyz", timeout=30).json()["reloads"]
    first = sorted(p for p in corpus.glob("*.md") if p.name not in {"broken.md"})[0]
    text = first.read_text(encoding="utf-8")
    (corpus / "new-article.md").write_text(
        text.replace("https://", "https://new.example/", 1), encoding="utf-8"
    )
    deadline = time.monotonic() + GUARD_SECONDS
    while httpx.get(f"{server.url}/readyz", timeout=30).json()["reloads"] == reloads:
        assert time.monotonic() < deadline, "no reload"
        time.sleep(0.2)
    after = scrape(server)
    assert value(after, "graphsvc_reloads_total") - value(before, "graphsvc_reloads_total") == 1
    loads = "graphsvc_load_duration_seconds_count"
    assert value(after, loads) - value(before, loads) == 1
    assert value(after, "graphsvc_snapshot_loaded_timestamp_seconds") > value(
        before, "graphsvc_snapshot_loaded_timestamp_seconds"
    )
    assert value(after, "graphsvc_reload_failures_total") == value(
        before, "graphsvc_reload_failures_total"
    )
