"""Strawberry's ASGI view made to pass the GraphQL-over-HTTP audit strictly.

`GraphQLApp` adds what plain `strawberry.asgi.GraphQL` (0.341) lacks for the spec
(https://graphql.github.io/graphql-over-http/draft/): the `application/graphql-response+json`
media type (request errors as 400 without `data`), 405 for mutations over GET, 415 for
unsupported request bodies, a request body size limit (413), and JSON error bodies everywhere
Strawberry would answer with plain text.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import orjson
from cross_web import HTTPException
from graphql import GraphQLFormattedError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.http.typevars import Context, RootValue
from strawberry.schema.exceptions import InvalidOperationTypeError

if TYPE_CHECKING:
    from cross_web import AsyncHTTPRequestAdapter
    from starlette.types import Message, Receive, Scope, Send
    from starlette.websockets import WebSocket
    from strawberry.http import GraphQLHTTPResponse
    from strawberry.http.ides import GraphQL_IDE
    from strawberry.schema import BaseSchema
    from strawberry.types import ExecutionResult

__all__ = [
    "GRAPHQL_RESPONSE_JSON",
    "JSON",
    "GraphQLApp",
    "is_request_error",
    "negotiate_media_type",
]

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"

logger = logging.getLogger(__name__)


def negotiate_media_type(accept: str | None) -> str:
    """Pick the response media type for an `Accept` header, honouring q-values.

    `application/graphql-response+json` wins whenever it is accepted at least as much as
    `application/json`; wildcards only ever mean `application/json` (legacy clients), and so
    does a missing or unsatisfiable header (the spec lets a server disregard `Accept`).

    >>> negotiate_media_type(None)
    'application/json'
    >>> negotiate_media_type("application/graphql-response+json, application/json;q=0.9")
    'application/graphql-response+json'
    >>> negotiate_media_type("application/graphql-response+json;q=0.5, */*")
    'application/json'
    """
    if not accept:
        return JSON
    quality: dict[str, float] = {}
    for item in accept.split(","):
        media_range, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        quality[media_range.lower()] = q
    graphql_q = quality.get(GRAPHQL_RESPONSE_JSON, 0.0)
    json_q = next((quality[r] for r in (JSON, "application/*", "*/*") if r in quality), 0.0)
    return GRAPHQL_RESPONSE_JSON if graphql_q > 0 and graphql_q >= json_q else JSON


def is_request_error(result: ExecutionResult) -> bool:
    """Whether execution never started (parse, validation or variable coercion failed).

    Such errors carry no `path`; a field error always does, even when it nulls the whole
    `data` through a non-null root field (a 200 with `data: null` under the spec).
    """
    return (
        result.data is None
        and bool(result.errors)
        and all(error.path is None for error in result.errors or ())
    )


class GraphQLApp(GraphQL[Context, RootValue]):
    """`strawberry.asgi.GraphQL` that follows the GraphQL-over-HTTP spec.

    Overrides, each kept to the hook Strawberry offers for it:

    - `__call__`: wraps `receive` to cap the body at `max_body_bytes` (413), and turns every
      `HTTPException` (Strawberry's are plain text) into a JSON `{"errors": [...]}` body in the
      negotiated media type; a GET mutation becomes 405 with `Allow: POST`; anything unexpected
      is logged and answered with a bare JSON 500, never a traceback.
    - `get_sub_response`: records the negotiated media type on the per-request sub-response,
      the only per-request object `create_response` receives.
    - `parse_http_body`: rejects POST bodies that are not JSON (415), JSON that is not an
      object, and a non-string `operationName` (400), then defers to Strawberry.
    - `process_result`: drops `data` from request errors when the client accepts
      `application/graphql-response+json` (legacy `application/json` keeps `data: null`).
    - `create_response`: sets the negotiated content type, and 400 when `data` was dropped.
    """

    def __init__(
        self,
        schema: BaseSchema,
        *,
        max_body_bytes: int = 1_000_000,
        graphql_ide: GraphQL_IDE | None = "graphiql",
        **kwargs: Any,
    ) -> None:
        if max_body_bytes < 1:
            raise ValueError("max_body_bytes must be positive")
        super().__init__(schema, graphql_ide=graphql_ide, **kwargs)
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive=self._limit_body(receive))
        try:
            length = request.headers.get("content-length", "")
            if length.isdigit() and int(length) > self.max_body_bytes:
                raise HTTPException(413, self._too_large_reason())
            response = await self.run(request)
        except HTTPException as exc:
            response = self._error_response(request, exc)
        except Exception:
            logger.exception("unhandled error serving %s %s", request.method, request.url.path)
            response = self._error_response(request, HTTPException(500, "Internal server error"))
        await response(scope, receive, send)

    def decode_json(self, data: str | bytes) -> object:
        """JSON, where nesting too deep to decode is invalid JSON like any other (it raised
        RecursionError, which the WebSocket handlers did not expect)."""
        try:
            return super().decode_json(data)
        except RecursionError:
            raise json.JSONDecodeError("nested too deeply", "", 0) from None

    def _limit_body(self, receive: Receive) -> Receive:
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise HTTPException(413, self._too_large_reason())
            return message

        return limited_receive

    def _too_large_reason(self) -> str:
        return f"Request body is larger than the limit of {self.max_body_bytes} bytes"

    def _error_response(self, request: Request, exc: HTTPException) -> Response:
        status, headers = exc.status_code, {}
        if isinstance(exc.__cause__, InvalidOperationTypeError) and request.method == "GET":
            status, headers = 405, {"Allow": "POST"}
        elif status == 405:
            headers = {"Allow": "GET, POST"}
        return Response(
            self.encode_json({"errors": [{"message": exc.reason}]}),
            status_code=status,
            headers=headers,
            media_type=negotiate_media_type(request.headers.get("accept")),
        )

    def encode_json(self, data: object) -> str:
        """Answers (HTTP bodies and WebSocket messages) encoded by orjson: several times faster
        than the json module on big answers. Text, so WebSocket messages stay text frames."""
        return orjson.dumps(data).decode()

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = negotiate_media_type(request.headers.get("accept"))
        return sub_response

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        if request.method == "POST":
            mime_type = parse_content_type(request.content_type or "")[0].lower()
            allowed = {JSON, "multipart/form-data"} if self.multipart_uploads_enabled else {JSON}
            if mime_type not in allowed:
                raise HTTPException(
                    415, f"Unsupported content type {mime_type or '(none)'}: send {JSON}"
                )
        try:
            data = await super().parse_http_body(request)
        except AttributeError as exc:  # Strawberry calls .get() on whatever JSON it parsed
            raise HTTPException(400, "The request body must be a JSON object") from exc
        except (ValueError, RecursionError) as exc:  # bad UTF-8, absurd nesting or numbers
            raise HTTPException(400, f"The request body is not valid JSON: {exc}"[:200]) from exc
        if isinstance(data, GraphQLRequestData) and not isinstance(data.operation_name, str | None):
            raise HTTPException(
                400, "The GraphQL operation's `operationName` must be a string or null."
            )
        return data

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        accept = request.headers.get("accept")
        if is_request_error(result) and negotiate_media_type(accept) == GRAPHQL_RESPONSE_JSON:
            response.pop("data", None)
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = sub_response.media_type or JSON
        if isinstance(response_data, dict) and "data" not in response_data:
            response.status_code = 400
        return response


#: What a client hears when it asks before the first snapshot is loaded (HTTP and WebSocket).
LOADING_MESSAGE = "the graph is still loading; retry in a moment"


def loading_error(failure: str | None = None) -> GraphQLFormattedError:
    """The GraphQL error of an operation that needs the graph before it is loaded: still
    loading, or (``failure``: why) the first load failed, which no retry mends until the
    corpus or snapshot is fixed."""
    if failure is None:
        return {"message": LOADING_MESSAGE, "extensions": {"code": "GRAPH_LOADING"}}
    return {
        "message": f"the graph failed to load: {failure}",
        "extensions": {"code": "GRAPH_LOAD_FAILED", "reason": failure},
    }


def loading_response(failure: str | None = None) -> JSONResponse:
    """The 503 of a request that needs the graph before the first snapshot is loaded (with
    ``Retry-After`` while it loads; a failed load says why instead)."""
    headers = {"Retry-After": "2"} if failure is None else {}
    return JSONResponse({"errors": [loading_error(failure)]}, status_code=503, headers=headers)


def wants_html(scope: Scope) -> bool:
    """Whether a request gets the playground page: Strawberry's own rule (GET, no ``query``
    parameter, ``Accept`` with ``text/html`` or ``*/*``). A browser's GET with a query is a
    query, answered as JSON, not the page."""
    query_string = scope.get("query_string", b"").decode("latin-1")  # any bytes, never raises
    if scope.get("method") != "GET" or "query" in parse_qs(query_string, keep_blank_values=True):
        return False
    accept = dict(scope.get("headers") or []).get(b"accept", b"")
    return b"text/html" in accept or b"*/*" in accept
