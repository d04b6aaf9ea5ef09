"""The real server over HTTP: health, readiness, contract queries with a real client, errors."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import httpx

from tests.support import SEEDS
from tests.web.server import corpus_settings, running_server, serve_process


def test_health_and_readiness(seeds_server) -> None:  # type: ignore[no-untyped-def]
    assert httpx.get(f"{seeds_server.url}/healthz").json() == {"status": "alive"}
    ready = httpx.get(f"{seeds_server.url}/readyz").json()
    assert (
        ready["status"] == "ready"
        and ready["counts"]["articles"] == 21
        and len(ready["version"]) == 16
        and ready["watching"] is False  # seeds_server does not watch
    )


def test_contract_queries_over_http(seeds_server) -> None:  # type: ignore[no-untyped-def]
    body = seeds_server.query("{ stats { articles stubs providers topics edges } }")
    assert body["data"]["stats"] == {
        "articles": 21,
        "stubs": 6,
        "providers": 7,
        "topics": 7,
        "edges": 122,
    }
    assert body["extensions"]["cost"]["estimated"] > 0
    page = seeds_server.query(
        "query($t:[String!]){ articles(filter:{topics:$t}, first:3){ totalCount edges { node { id title } } } }",
        t=["Kubernetes"],
    )["data"]["articles"]
    assert page["totalCount"] == 9 and len(page["edges"]) == 3
    node_id = page["edges"][0]["node"]["id"]
    node = seeds_server.query(
        "query($id:ID!){ node(id:$id){ id ... on Article { title } } }", id=node_id
    )
    assert node["data"]["node"]["title"] == page["edges"][0]["node"]["title"]


def test_get_etag_and_gzip(seeds_server) -> None:  # type: ignore[no-untyped-def]
    params = {"query": "{ topics(first: 20) { edges { node { name articleCount } } } }"}
    first = httpx.get(seeds_server.graphql, params=params, headers={"accept": "application/json"})
    assert first.status_code == 200 and first.headers["etag"].startswith('W/"')
    again = httpx.get(
        seeds_server.graphql,
        params=params,
        headers={"accept": "application/json", "if-none-match": first.headers["etag"]},
    )
    assert again.status_code == 304 and again.content == b""
    other = httpx.get(
        seeds_server.graphql,
        params={"query": "{ stats { topics } }"},
        headers={"accept": "application/json"},
    )
    assert other.headers["etag"] != first.headers["etag"]
    big = {"query": "{ articles(first: 50) { edges { node { title excerpt url } } } }"}
    raw = httpx.post(seeds_server.graphql, json=big, headers={"accept-encoding": "gzip"})
    assert raw.headers.get("content-encoding") == "gzip"
    assert raw.json()["data"]["articles"]["edges"]
    with httpx.stream(
        "POST", seeds_server.graphql, json=big, headers={"accept-encoding": "gzip"}
    ) as streamed:
        compressed = b"".join(streamed.iter_raw())
    assert gzip.decompress(compressed).startswith(b'{"data"')


def test_errors_are_json_and_never_traces(seeds_server) -> None:  # type: ignore[no-untyped-def]
    missing = httpx.get(f"{seeds_server.url}/no/such/route")
    assert missing.status_code == 404 and missing.json()["error"] == "Not Found"
    bad_json = httpx.post(
        seeds_server.graphql, content=b"{not json", headers={"content-type": "application/json"}
    )
    assert bad_json.status_code == 400 and "errors" in bad_json.json()
    mutation_get = httpx.get(
        seeds_server.graphql,
        params={"query": "mutation { x }"},
        headers={"accept": "application/json"},
    )
    assert mutation_get.status_code in (400, 405)
    huge = httpx.post(
        seeds_server.graphql,
        content=b'{"query": "' + b" " * 2_000_000 + b'{ stats { articles } }"}',
        headers={"content-type": "application/json"},
    )
    assert huge.status_code == 413
    for response in (missing, bad_json, mutation_get, huge):
        assert "Traceback" not in response.text


def test_cors_allow_list(tmp_path: Path) -> None:
    origin = "http://localhost:5173"
    settings = corpus_settings(SEEDS, tmp_path, watch=False, cors_origins=(origin,))
    with running_server(settings) as server:
        allowed = httpx.options(
            server.graphql,
            headers={
                "origin": origin,
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type",
            },
        )
        assert (
            allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == origin
        )
        other = httpx.post(
            server.graphql,
            json={"query": "{ stats { articles } }"},
            headers={"origin": "http://evil.example"},
        )
        assert "access-control-allow-origin" not in other.headers


def test_serve_command_and_log_line(tmp_path: Path) -> None:
    with serve_process(str(SEEDS), "--no-watch", "--cache-dir", str(tmp_path)) as server:
        assert server.query("{ stats { articles } }")["data"]["stats"]["articles"] == 21
    output = server.output()
    assert "playground: http://127.0.0.1:" in output and "/graphql" in output
    assert "graph loaded: 21 articles" in output


def test_two_workers_serve_the_same_snapshot(tmp_path: Path) -> None:
    with serve_process(
        str(SEEDS), "--workers", "2", "--no-watch", "--cache-dir", str(tmp_path)
    ) as server:
        # Each worker loads the graph itself, so one may still answer 503 just after the
        # other is ready: ask on new connections until both workers have answered ready.
        versions: dict[int, str] = {}
        deadline = time.monotonic() + 120
        while len(versions) < 2:
            assert time.monotonic() < deadline, f"both workers never became ready: {versions}"
            response = httpx.get(f"{server.url}/readyz")
            if response.status_code == 200:
                versions[response.json()["pid"]] = response.json()["version"]
            else:
                assert response.status_code == 503, response.text
                time.sleep(0.1)
        assert len(set(versions.values())) == 1, versions
        assert server.query("{ stats { edges } }")["data"]["stats"]["edges"] == 122
