"""Checks of WebSocket messages before Strawberry's protocol handlers see them.

The handlers index whatever JSON arrives: ``[]``, ``null`` or ``"s"`` raised inside them (a
traceback in the log, the connection dropped with 1006), a non-string query failed in the
lexer, and ``variables: [1]`` sent Python's own error text to the client. A message that is
not what the protocol describes closes the connection with 4400 and a short reason instead.
"""

from __future__ import annotations

from typing import Any

#: The close code of a malformed message (graphql-transport-ws's "Bad Request").
BAD_MESSAGE = 4400

# Message types whose ``id`` and ``payload`` the handlers use, by protocol.
_TRANSPORT_WS_IDS = {"subscribe", "complete"}
_TRANSPORT_WS_PAYLOADS = {"connection_init", "ping", "pong"}
_GRAPHQL_WS_IDS = {"start", "stop"}


def transport_ws_problem(message: object) -> str | None:
    """Why a graphql-transport-ws message cannot be handled, or None when it can."""
    return _problem(
        message, ids=_TRANSPORT_WS_IDS, operation="subscribe", payloads=_TRANSPORT_WS_PAYLOADS
    )


def graphql_ws_problem(message: object) -> str | None:
    """Why a (legacy) graphql-ws message cannot be handled, or None when it can."""
    return _problem(message, ids=_GRAPHQL_WS_IDS, operation="start", payloads=set())


def _problem(message: object, *, ids: set[str], operation: str, payloads: set[str]) -> str | None:
    if not isinstance(message, dict):
        return "a message must be a JSON object"
    kind = message.get("type")
    if not isinstance(kind, str):
        return "a message needs a string `type`"
    if kind in ids and not (isinstance(message.get("id"), str) and message["id"]):
        return f"a `{kind[:20]}` message needs a string `id`"
    payload = message.get("payload")
    if kind == operation:
        if not isinstance(payload, dict):
            return f"a `{kind}` message needs an object `payload`"
        return _operation_problem(payload)
    if kind in payloads and not isinstance(payload, dict | None):
        return f"the `{kind}` payload must be an object or null"
    return None


def _operation_problem(payload: dict[str, Any]) -> str | None:
    if not isinstance(payload.get("query"), str):
        return "`payload.query` must be a string"
    for key in ("variables", "extensions"):
        if not isinstance(payload.get(key), dict | None):
            return f"`payload.{key}` must be an object or null"
    if not isinstance(payload.get("operationName"), str | None):
        return "`payload.operationName` must be a string or null"
    return None
