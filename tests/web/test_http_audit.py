"""GraphQLApp against the GraphQL-over-HTTP spec: graphql-http's audit on a real server, and
plain HTTP checks of the behaviour the audit does not pin down (405, 413, 415, error bodies).

The audit needs Node and `npm ci --prefix tests/audit`; without them it skips, unless CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import strawberry
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.websockets import WebSocket

from graphsvc.web.http import GRAPHQL_RESPONSE_JSON, GraphQLApp, negotiate_media_type

AUDIT_DIR = Path(__file__).resolve().parents[1] / "audit"
SHARED_TOOLS = Path(__file__).resolve().parents[2].parent / "shared" / "tools"
AUDIT_SCRIPT = SHARED_TOOLS / "graphql-http-audit.mjs"
GQL_JSON = {"accept": GRAPHQL_RESPONSE_JSON, "content-type": "application/json"}
LEGACY_JSON = {"accept": "application/json", "content-type": "application/json"}
BODY_LIMIT = 10_000
# Errors raised before execution starts: no `data` under application/graphql-response+json.
REQUEST_ERRORS = [
    ("{ doesNotExist }", "Cannot query field 'doesNotExist'"),
    ("{", "Syntax Error"),
    ("query Q($name: String!) { greet(name: $name) }", "Variable '$name' has invalid value"),
]


# --- a small schema with the shapes the spec cares about ---------------------------------------


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "world"

    @strawberry.field
    def greet(self, name: str) -> str:
        return f"Hello, {name}"

    @strawberry.field
    def boom(self) -> str | None:
        raise RuntimeError("boom")


@strawberry.type
class Mutation:
    @strawberry.mutation
    def ping(self) -> str:
        return "pong"


SCHEMA = strawberry.Schema(query=Query, mutation=Mutation)


def make_app(graphql: GraphQLApp[Any, Any] | None = None) -> Starlette:
    graphql = graphql or GraphQLApp(SCHEMA, max_body_bytes=BODY_LIMIT)
    return Starlette(routes=[Route("/graphql", graphql)])


def require(ok: bool, reason: str) -> None:
    """Skip with `reason` where a tool is missing, but fail when CI=true makes it mandatory."""
    if ok:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (mandatory when CI=true)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    """A real uvicorn server in a background thread, on a port the OS picked."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(make_app(), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start within 10 s")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(make_app(), raise_server_exceptions=False) as test_client:
        yield test_client


# --- the audit ---------------------------------------------------------------------------------


def test_graphql_over_http_audit_strict(server_url: str, tmp_path: Path) -> None:
    node = shutil.which("node")
    require(node is not None, "node is not installed")
    require(
        (AUDIT_DIR / "node_modules" / "graphql-http").is_dir(),
        "graphql-http is not installed: run `npm ci --prefix tests/audit`",
    )
    require(AUDIT_SCRIPT.is_file(), f"{AUDIT_SCRIPT} is missing")
    assert node is not None
    # ESM resolves `graphql-http` from the script's own folder: copy the script into a
    # scratch folder whose node_modules is the pinned one.
    script = tmp_path / AUDIT_SCRIPT.name
    shutil.copyfile(AUDIT_SCRIPT, script)
    (tmp_path / "node_modules").symlink_to(AUDIT_DIR / "node_modules", target_is_directory=True)
    report_path = tmp_path / "report.json"

    proc = subprocess.run(
        [node, str(script), server_url, "--strict", "--json", str(report_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert report_path.is_file(), f"no report written\n{proc.stdout}\n{proc.stderr}"
    report = json.loads(report_path.read_text())
    summary = report["summary"]
    not_ok = [r for r in report["results"] if r["status"] != "ok"]
    details = "\n".join(json.dumps(r) for r in not_ok) + f"\n{proc.stdout}\n{proc.stderr}"
    print(json.dumps(summary))
    assert summary["total"] >= 50, details
    assert summary["error"] == 0, details
    assert summary["warn"] == 0, details
    assert proc.returncode == 0, details


# --- plain HTTP --------------------------------------------------------------------------------


def errors_of(response: Any) -> list[str]:
    body = response.json()
    return [error["message"] for error in body["errors"]]


def test_query_over_get_and_post(client: TestClient) -> None:
    got = client.get("/graphql", params={"query": "{ hello }"}, headers={"accept": "*/*"})
    assert got.status_code == 200
    assert got.json() == {"data": {"hello": "world"}}
    posted = client.post("/graphql", json={"query": "{ hello }"}, headers=GQL_JSON)
    assert posted.status_code == 200
    assert posted.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    assert posted.json() == {"data": {"hello": "world"}}


def test_mutation_over_get_is_405_with_allow(client: TestClient) -> None:
    response = client.get(
        "/graphql", params={"query": "mutation { ping }"}, headers={"accept": "application/json"}
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.headers["content-type"] == "application/json"
    assert "mutations are not allowed" in errors_of(response)[0]


def test_mutation_over_post(client: TestClient) -> None:
    response = client.post("/graphql", json={"query": "mutation { ping }"}, headers=GQL_JSON)
    assert response.status_code == 200
    assert response.json() == {"data": {"ping": "pong"}}


def test_other_methods_are_405_with_allow(client: TestClient) -> None:
    response = client.put("/graphql", json={"query": "{ hello }"}, headers=LEGACY_JSON)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert errors_of(response)


@pytest.mark.parametrize("headers", [GQL_JSON, LEGACY_JSON], ids=["graphql-response", "json"])
def test_malformed_json_is_400_with_message(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post("/graphql", content=b'{ "not a JSON', headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"] == headers["accept"]
    assert errors_of(response) == ["Unable to parse request body as JSON"]


def test_oversized_body_is_413(client: TestClient) -> None:
    query = "{ hello }" + " " * BODY_LIMIT
    response = client.post("/graphql", json={"query": query}, headers=LEGACY_JSON)
    assert response.status_code == 413
    assert errors_of(response) == [f"Request body is larger than the limit of {BODY_LIMIT} bytes"]


def test_oversized_chunked_body_is_413(client: TestClient) -> None:
    """No Content-Length: the limit is enforced while the body streams in."""

    def chunks() -> Iterator[bytes]:
        yield b'{"query": "{ hello }", "pad": "'
        for _ in range(BODY_LIMIT // 1000 + 1):
            yield b"x" * 1000
        yield b'"}'

    response = client.post("/graphql", content=chunks(), headers=LEGACY_JSON)
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert "larger than the limit" in errors_of(response)[0]


def test_body_under_limit_is_served(client: TestClient) -> None:
    query = "{ hello }" + " " * (BODY_LIMIT - 100)
    response = client.post("/graphql", json={"query": query}, headers=LEGACY_JSON)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("query", "message"), REQUEST_ERRORS, ids=["validation", "parse", "coercion"]
)
def test_request_error_with_graphql_response_json_is_400_without_data(
    client: TestClient, query: str, message: str
) -> None:
    response = client.post("/graphql", json={"query": query}, headers=GQL_JSON)
    assert response.status_code == 400
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    body = response.json()
    assert "data" not in body
    assert message in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("query", "message"), REQUEST_ERRORS, ids=["validation", "parse", "coercion"]
)
def test_request_error_with_application_json_is_200_with_errors(
    client: TestClient, query: str, message: str
) -> None:
    response = client.post("/graphql", json={"query": query}, headers=LEGACY_JSON)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["data"] is None
    assert message in body["errors"][0]["message"]


@pytest.mark.parametrize("headers", [GQL_JSON, LEGACY_JSON], ids=["graphql-response", "json"])
def test_field_error_is_200_with_data_and_errors(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.post("/graphql", json={"query": "{ hello boom }"}, headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"hello": "world", "boom": None}
    assert body["errors"][0]["path"] == ["boom"]
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"notquery": "{ hello }"}, "No GraphQL query found in the request"),
        ({"query": 5}, "`query` must be a string or null"),
        ({"query": "{ hello }", "variables": "x"}, "`variables` must be an object or null"),
        ({"query": "{ hello }", "operationName": 0}, "`operationName` must be a string or null"),
        (["not", "an", "object"], "Batching is not enabled"),
        ("just a string", "The request body must be a JSON object"),
        (None, "The request body must be a JSON object"),
    ],
    ids=["missing-query", "query-int", "variables-str", "operation-int", "list", "string", "null"],
)
def test_invalid_parameters_are_400_json(client: TestClient, body: object, message: str) -> None:
    response = client.post("/graphql", content=json.dumps(body), headers=GQL_JSON)
    assert response.status_code == 400
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    assert message in errors_of(response)[0]


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/graphql"])
def test_unsupported_content_type_is_415(client: TestClient, content_type: str | None) -> None:
    headers = {"accept": "application/json"}
    if content_type:
        headers["content-type"] = content_type
    response = client.post("/graphql", content=b'{"query": "{ hello }"}', headers=headers)
    assert response.status_code == 415
    assert "Unsupported content type" in errors_of(response)[0]


def test_unexpected_exception_is_json_500_without_details(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Broken(GraphQLApp[Any, Any]):
        async def get_context(self, request: Request | WebSocket, response: Any) -> Any:
            raise RuntimeError("secret detail")

    app = make_app(Broken(SCHEMA))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.post("/graphql", json={"query": "{ hello }"}, headers=GQL_JSON)
    assert response.status_code == 500
    assert errors_of(response) == ["Internal server error"]
    assert "secret" not in response.text
    assert "secret detail" in caplog.text  # logged for the operator, not sent to the client


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),
        ("", "application/json"),
        ("*/*", "application/json"),
        ("application/*", "application/json"),
        ("text/html", "application/json"),
        ("application/json", "application/json"),
        (GRAPHQL_RESPONSE_JSON, GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON}, application/json;q=0.9", GRAPHQL_RESPONSE_JSON),
        (f"application/json, {GRAPHQL_RESPONSE_JSON}", GRAPHQL_RESPONSE_JSON),
        (f"application/json, {GRAPHQL_RESPONSE_JSON};q=0.5", "application/json"),
        (f"{GRAPHQL_RESPONSE_JSON};q=0", "application/json"),
        ("Application/GraphQL-Response+JSON; q=0.8, */*;q=0.1", GRAPHQL_RESPONSE_JSON),
    ],
)
def test_negotiate_media_type(accept: str | None, expected: str) -> None:
    assert negotiate_media_type(accept) == expected
