"""Limits on what a connection may send before the app sees a request, and uvicorn's options.

uvicorn caps WebSocket messages (``ws_max_size``), idle keep-alive connections
(``timeout_keep_alive``) and in-flight requests (``limit_concurrency``), but its httptools parser
has no limit on the size or number of request headers, nor on the time a client takes to send
them: one 50 MB header is gathered by the parser (seconds of copying, on the event loop), and a
socket that sends half a request, or nothing, is held forever. ``LimitedHttpToolsProtocol`` is
uvicorn's own httptools protocol with those limits added, answering each refusal with a small
JSON body and closing the connection:

- a URL over ``MAX_URL_BYTES``: 414 (longer ones cannot be parsed at all);
- headers over ``max_header_bytes`` in all, or more than ``max_headers`` of them: 431, counted
  as the bytes arrive (before the parser gathers them);
- a request head not complete ``header_timeout`` seconds after the connection opened or the
  request began (slowloris, or a silent socket): 408;
- more than ``max_connections`` open connections (HTTP and WebSocket) when a request arrives: 503.
"""

from __future__ import annotations

import asyncio
import functools
import json
from dataclasses import dataclass
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from graphsvc.settings import Settings
from graphsvc.web.metrics import HTTP_ERRORS

#: The route label of requests refused before they reached the app (``graphsvc_http_errors``).
REFUSED_ROUTE = "(connection)"

#: The longest URL served: httptools cannot parse a longer one (its offsets are 16 bits).
MAX_URL_BYTES = 65_535

#: After a refusal, how long the rest of what the client sends is read and dropped before the
#: connection closes ("lingering close": closing with unread bytes would reset the connection,
#: and the client could lose the answer).
LINGER_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """What one connection may send before its request reaches the app."""

    max_header_bytes: int = 32 * 1024
    max_headers: int = 100
    header_timeout: float = 10.0
    max_connections: int = 1000


class _Refused(Exception):
    """Raised inside a parser callback: answer ``status`` with ``message`` and close."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with header size, count and time limits and a connection cap."""

    def __init__(self, *args: Any, limits: ConnectionLimits, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits
        self._in_head = True  # between a request's first byte (or the connection) and its head
        self._head_bytes = 0
        self._header_bytes = 0
        self._header_count = 0
        self._head_timer: asyncio.TimerHandle | None = None
        self._refused = False
        self.url = b""

    # Connection -------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:  # answered already: drop the rest
            return
        if self._in_head:
            # The parser gathers a header's value until its line ends: count bytes as they come.
            room = MAX_URL_BYTES + self.limits.max_header_bytes + 1024 - self._head_bytes
            if len(data) > room:
                self._head_bytes += room
                self._feed(data[:room])
                if self._in_head and not self.transport.is_closing():
                    self._refuse(*self._head_too_large())
                elif not self.transport.is_closing():
                    self.data_received(data[room:])
                return
            self._head_bytes += len(data)
        self._feed(data)

    def _feed(self, data: bytes) -> None:
        """uvicorn's ``data_received``, where a refusal raised in a parser callback (it reaches
        here as the parser error's context) gets its own answer instead of a plain-text 400."""
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as error:
            if isinstance(refused := error.__context__, _Refused):
                self._refuse(refused.status, refused.message)
            else:
                self.logger.warning("Invalid HTTP request received.")
                self._refuse(400, "Invalid HTTP request received.")
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()

    def _head_too_large(self) -> tuple[int, str]:
        if len(self.url) > MAX_URL_BYTES:
            return 414, f"The URL is longer than the limit of {MAX_URL_BYTES} bytes"
        return 431, f"The request headers exceed the limit of {self.limits.max_header_bytes} bytes"

    # Parser callbacks -------------------------------------------------------------------
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True  # _head_bytes counts from the end of the previous message
        self._header_bytes = self._header_count = 0
        if self._head_timer is None:
            self._arm_head_timer()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > MAX_URL_BYTES:
            raise _Refused(*self._head_too_large())

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        self._header_bytes += len(name) + len(value) + 4
        if self._header_count > self.limits.max_headers:
            raise _Refused(431, f"More than {self.limits.max_headers} request headers")
        if self._header_bytes > self.limits.max_header_bytes:
            raise _Refused(*self._head_too_large())
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._cancel_head_timer()
        # HTTP and WebSocket connections alike (an upgrade is still HTTP here); this one counts.
        if len(self.connections) > self.limits.max_connections:
            raise _Refused(503, "Too many open connections; retry in a moment")
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head, self._head_bytes = True, 0

    # Refusals ---------------------------------------------------------------------------
    def _refuse(self, status: int, message: str) -> None:
        """Answer with a JSON error (unless a response is under way) and close."""
        self._cancel_head_timer()
        if self.transport.is_closing() or self._refused:
            return
        self._refused = True
        HTTP_ERRORS.labels(REFUSED_ROUTE, str(status)).inc()
        if self.cycle is None or self.cycle.response_complete:
            body = json.dumps({"error": message, "status": status}).encode()
            head = [STATUS_LINE[status]]
            for name, value in self.server_state.default_headers:
                head += [name, b": ", value, b"\r\n"]
            head += [
                b"content-type: application/json\r\n",
                b"content-length: %d\r\n" % len(body),
                b"connection: close\r\n\r\n",
            ]
            self.transport.write(b"".join(head) + body)
            if self.transport.can_write_eof():
                self.transport.write_eof()
                self.loop.call_later(LINGER_SECONDS, self.transport.close)
                return
        self.transport.close()

    # The head timer ---------------------------------------------------------------------
    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self._in_head:
            return
        seconds = self.limits.header_timeout
        self._refuse(408, f"The request head did not arrive within {seconds:g} seconds")


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn options that put every input path under the service's limits."""
    limits = ConnectionLimits(
        max_header_bytes=settings.max_header_bytes,
        max_headers=settings.max_headers,
        header_timeout=settings.header_timeout,
        max_connections=settings.max_connections,
    )
    return {
        "http": functools.partial(LimitedHttpToolsProtocol, limits=limits),
        "ws_max_size": settings.max_body_bytes,
        "timeout_keep_alive": settings.idle_timeout,
    }
