"""Request heads under limits, over raw sockets against a real `graphsvc serve` process: header
size and count (431), URL length (414), the time to send a head (408; slowloris and silent
sockets), the number of open connections (503). Each refusal is a small JSON body, and the
server answers ``/healthz`` afterwards.

Before these limits, uvicorn's httptools parser gathered a 1 MB header and answered 200, 150
headers too, a socket sending half a head (or nothing) was held open for good, any number of
connections was served, and a URL over 64 KiB got a plain-text 400."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import ExitStack, suppress

import httpx
import pytest

from tests.support import SEEDS
from tests.web.server import Server, serve_process

#: A hang guard, not a timing assertion: how long a socket waits for the server's answer.
HANG_GUARD_SECONDS = 30.0


def _env(tmp: str, **limits: str) -> dict[str, str]:
    return {"GRAPHSVC_CACHE_DIR": tmp, "GRAPHSVC_WATCH": "false", **limits}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Small limits, a 2-second head timeout."""
    env = _env(
        str(tmp_path_factory.mktemp("cache")),
        GRAPHSVC_MAX_HEADER_BYTES="8192",
        GRAPHSVC_MAX_HEADERS="20",
        GRAPHSVC_HEADER_TIMEOUT="2",
    )
    with serve_process(str(SEEDS), env=env) as server:
        yield server


def _address(server: Server) -> tuple[str, int]:
    host, port = server.url.removeprefix("http://").split(":")
    return host, int(port)


def _connect(server: Server) -> socket.socket:
    sock = socket.create_connection(_address(server), timeout=HANG_GUARD_SECONDS)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (the hang guard fails it)."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _send(sock: socket.socket, data: bytes) -> None:
    """Send, tolerating a server that has already answered and closed."""
    with suppress(BrokenPipeError, ConnectionResetError):
        sock.sendall(data)


def _answer(raw: bytes) -> tuple[int, dict[str, str], dict[str, object]]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, json.loads(body)


def _refused(server: Server, request: bytes) -> tuple[int, dict[str, object]]:
    with _connect(server) as sock:
        _send(sock, request)
        try:
            raw = _read_all(sock)
        except ConnectionResetError:  # the server closed with our bytes still unread
            pytest.fail("the connection was reset before an answer arrived")
    assert raw, "the server closed the connection without an answer"
    status, headers, body = _answer(raw)
    assert headers["content-type"] == "application/json"
    assert body["status"] == status
    return status, body


def _alive(server: Server) -> None:
    assert httpx.get(f"{server.url}/healthz", timeout=HANG_GUARD_SECONDS).status_code == 200


def test_one_huge_header_is_refused_with_431(server: Server) -> None:
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 1_000_000 + b"\r\n\r\n"
    status, body = _refused(server, request)
    assert status == 431
    assert "8192" in str(body["error"])
    _alive(server)


def test_headers_over_the_size_limit_in_all_are_refused(server: Server) -> None:
    headers = b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 1000) for i in range(12))  # 12 KB
    status, _ = _refused(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert status == 431
    _alive(server)


def test_too_many_headers_are_refused_with_431(server: Server) -> None:
    headers = b"".join(b"X-H%d: 1\r\n" % i for i in range(150))
    status, body = _refused(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert status == 431
    assert "20" in str(body["error"])
    _alive(server)


def test_headers_within_the_limits_are_served(server: Server) -> None:
    headers = b"".join(b"X-H%d: %s\r\n" % (i, b"c" * 100) for i in range(15))
    with _connect(server) as sock:
        sock.sendall(
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + headers + b"\r\n"
        )
        status, _, body = _answer(_read_all(sock))
    assert (status, body) == (200, {"status": "alive"})


def test_a_url_over_64_kib_gets_a_json_414(server: Server) -> None:
    request = b"GET /graphql?query=" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    status, body = _refused(server, request)
    assert status == 414
    assert "65535" in str(body["error"])
    _alive(server)


def test_a_long_url_under_the_limit_is_still_served(server: Server) -> None:
    query = "{ stats { articles } }" + " " * 60_000
    response = httpx.get(server.graphql, params={"query": query}, timeout=HANG_GUARD_SECONDS)
    assert response.status_code == 200, response.text[:300]
    assert response.json()["data"]["stats"]["articles"] > 0


def test_a_slow_head_is_cut_off_with_408(server: Server) -> None:
    """Slowloris: a head sent a line at a time, never finished."""
    with _connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        raw = b""
        for i in range(60):  # a header a second at most, for as long as the server listens
            try:
                sock.sendall(b"X-Slow-%d: 1\r\n" % i)
            except (BrokenPipeError, ConnectionResetError):
                break
            sock.settimeout(1)
            try:
                raw = _read_all(sock)
                break
            except TimeoutError:
                continue
        else:
            pytest.fail("the server still listened to a head sent over 60 seconds")
    status, _, body = _answer(raw)
    assert status == 408
    assert "2 seconds" in str(body["error"])
    _alive(server)


def test_a_silent_socket_is_closed(server: Server) -> None:
    with _connect(server) as sock:
        raw = _read_all(sock)  # the hang guard fails this if the socket is held
    status, _, _ = _answer(raw)
    assert status == 408


def test_connections_over_the_cap_get_503(tmp_path_factory: pytest.TempPathFactory) -> None:
    env = _env(
        str(tmp_path_factory.mktemp("cache")),
        GRAPHSVC_MAX_CONNECTIONS="4",
        GRAPHSVC_HEADER_TIMEOUT="600",
    )
    with serve_process(str(SEEDS), env=env) as server, ExitStack() as held:
        for _ in range(4):  # four connections, each half-way through a head
            sock = held.enter_context(_connect(server))
            sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        status, body = _refused(
            server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        assert status == 503
        assert "connections" in str(body["error"])
        held.close()  # the four go: the server serves again
        for _ in range(100):
            try:
                if httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
        else:
            pytest.fail("the server did not serve again once the connections closed")


def test_refusals_are_counted_in_the_metrics(server: Server) -> None:
    before = httpx.get(f"{server.url}/metrics", timeout=HANG_GUARD_SECONDS).text
    _refused(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n")
    after = httpx.get(f"{server.url}/metrics", timeout=HANG_GUARD_SECONDS).text
    line = 'graphsvc_http_errors_total{code="431",route="(connection)"} '

    def count(text: str) -> float:
        found = [row for row in text.splitlines() if row.startswith(line)]
        return float(found[0].removeprefix(line)) if found else 0.0

    assert count(after) == count(before) + 1
