"""ETags for GET /graphql: a repeated query on an unchanged snapshot is answered 304."""

from __future__ import annotations

import hashlib

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphsvc.web.holder import pinned
from graphsvc.web.http import wants_html


class ETagMiddleware:
    """GET /graphql answers carry an ETag of (snapshot version, query string, Accept); 304 on a
    match. Every /graphql answer says ``Vary: Accept``: the same URL gives the playground page,
    ``application/json`` or ``application/graphql-response+json`` depending on that header."""

    def __init__(self, app: ASGIApp, path: str = "/graphql") -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        etag = self._etag(scope, headers)
        vary = (b"vary", b"Accept")
        matches = [t.strip() for t in headers.get(b"if-none-match", b"").split(b",")]
        if etag is not None and etag in matches:
            response = Response(status_code=304, headers={"ETag": etag.decode()})
            response.raw_headers.append(vary)
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [vary]
                if etag is not None and message["status"] == 200:
                    extra.append((b"etag", etag))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _etag(self, scope: Scope, headers: dict[bytes, bytes]) -> bytes | None:
        """The ETag of a GET query's answer, or None when the answer gets none."""
        if (
            scope["method"] != "GET"
            or not scope.get("query_string")
            or (store := pinned(scope)) is None
            or wants_html(scope)
        ):
            return None
        digest = hashlib.sha256(
            store.version.encode()
            + b"\0"
            + scope["query_string"]
            + b"\0"
            + headers.get(b"accept", b"")
        ).hexdigest()[:32]
        return f'W/"{digest}"'.encode()
