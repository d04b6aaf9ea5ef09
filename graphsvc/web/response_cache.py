"""Answers of ``/graphql`` kept per snapshot: a snapshot never changes, so the same request gets
the same answer until the next reload swaps in another version.

The key is a hash of the snapshot version (of the snapshot pinned for the request, which is the
one GraphQL runs on: ``holder.PinSnapshot``) and everything an answer depends on: method, query
string, ``Accept`` and ``Content-Type`` headers, and body. Only complete ``200`` answers without
``errors`` are kept, up to ``max_bytes`` in all (least recently used first out); a body over
``max_body_bytes`` or without a ``Content-Length`` goes straight through, uncached (the app's
own limit then answers it). A reload empties the cache. Set ``GRAPHSVC_RESPONSE_CACHE_BYTES=0``
to turn it off. Sits inside gzip, CORS and ETag, which apply to cached answers as to others.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from datetime import datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphsvc.graph.store import GraphStore
from graphsvc.web.holder import pinned
from graphsvc.web.http import wants_html

#: An answer bigger than this is not kept (a big export-like answer would evict many small ones).
MAX_ENTRY_BYTES = 256 * 1024

_Entry = tuple[int, list[tuple[bytes, bytes]], bytes]  # status, headers, body


class KeptAnswers:
    """The kept answers of one app (one worker), least recently used first out."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[bytes, _Entry] = OrderedDict()
        self._size = 0
        self._store: tuple[datetime, str] | None = None  # (loaded at, version) of the answers
        self.hits = self.misses = 0

    def get(self, store: GraphStore, key: bytes) -> _Entry | None:
        """The answer kept for ``key`` in this snapshot, counting a hit or a miss. A newer
        snapshot empties the cache (earlier answers can never be asked for again); a request
        still on an older one, pinned before a reload, just misses."""
        if (store.loaded_at, store.version) != self._store:
            if self._store is not None and store.loaded_at < self._store[0]:
                self.misses += 1
                return None
            self._entries.clear()
            self._size, self._store = 0, (store.loaded_at, store.version)
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(key)
        return entry

    def put(self, store: GraphStore, key: bytes, entry: _Entry) -> None:
        """Keep an answer of this snapshot (dropped if the cache has moved on since)."""
        if (store.loaded_at, store.version) != self._store:
            return
        self._entries[key] = entry
        self._size += len(entry[2])
        while self._size > self.max_bytes and self._entries:
            _, (_, _, old) = self._entries.popitem(last=False)
            self._size -= len(old)

    def stats(self) -> dict[str, int]:
        """Entries, bytes, hits and misses (for ``/readyz``)."""
        return {
            "entries": len(self._entries),
            "bytes": self._size,
            "maxBytes": self.max_bytes,
            "hits": self.hits,
            "misses": self.misses,
        }


class ResponseCache:
    """ASGI middleware answering repeated GraphQL requests from ``KeptAnswers``."""

    def __init__(
        self,
        app: ASGIApp,
        answers: KeptAnswers,
        max_body_bytes: int,
        path: str = "/graphql",
    ) -> None:
        self.app = app
        self.answers = answers
        self.max_body_bytes = max_body_bytes
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or []) if scope["type"] == "http" else {}
        store = pinned(scope) if scope["type"] == "http" else None
        if (
            self.answers.max_bytes <= 0
            or store is None
            or scope["path"] != self.path
            or scope["method"] not in ("GET", "POST")
            or wants_html(scope)  # the playground page
        ):
            await self.app(scope, receive, send)
            return
        length = headers.get(b"content-length", b"0" if scope["method"] == "GET" else b"")
        if not length.isdigit() or int(length) > self.max_body_bytes:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        key = _key(store.version, scope, headers, body)
        entry = self.answers.get(store, key)
        if entry is not None:
            status, kept_headers, content = entry
            # A fresh list each time: the middlewares outside (gzip) edit it in place.
            fresh = [*kept_headers]
            await send({"type": "http.response.start", "status": status, "headers": fresh})
            await send({"type": "http.response.body", "body": content})
            return
        await self._answer_and_keep(scope, _replay(body, receive), send, store, key)

    async def _answer_and_keep(
        self, scope: Scope, receive: Receive, send: Send, store: GraphStore, key: bytes
    ) -> None:
        status: int | None = None
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        keep = True

        async def capture(message: Message) -> None:
            nonlocal status, headers, keep
            if message["type"] == "http.response.start":
                # A copy, taken now: the middlewares outside (gzip) edit the list in place.
                status, headers = message["status"], list(message.get("headers", []))
                keep = status == 200
            elif message["type"] == "http.response.body" and keep:
                chunks.append(message.get("body", b""))
                keep = sum(map(len, chunks)) <= MAX_ENTRY_BYTES
            await send(message)

        await self.app(scope, receive, capture)
        content = b"".join(chunks)
        if status is None or not keep or b'"errors"' in content:
            return
        self.answers.put(store, key, (status, headers, content))


def _key(version: str, scope: Scope, headers: dict[bytes, bytes], body: bytes) -> bytes:
    digest = hashlib.sha256()
    for part in (
        version.encode(),
        scope["method"].encode(),
        scope.get("query_string", b""),
        headers.get(b"accept", b""),
        headers.get(b"content-type", b""),
        body,
    ):
        digest.update(len(part).to_bytes(8, "little") + part)
    return digest.digest()


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the body already read, then defers to the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
