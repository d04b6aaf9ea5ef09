"""``GET /export/graph.{graphml,gexf,json,cyjs,jsonld,zip}``: a streamed download of the graph
or of the part the query parameters pick.

Parameters (as GraphQL spells them): ``topic`` and ``provider`` (repeatable), ``after``,
``before``, ``minQuality``, ``includeStubs``, ``seed``, ``depth``. A bad one gives a 400 JSON body
``{"error": "...", "parameter": "..."}``, an unknown format names ``format``; an empty selection
gives a valid empty file; before the first snapshot has loaded, a 503. The body is a generator
of ~64 KiB chunks, so memory stays flat.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from graphsvc.export import BY_EXTENSION, Selection, SelectionError, parse_spec, select
from graphsvc.graph.store import GraphStore
from graphsvc.web.http import loading_response

#: Query parameters taken, and whether each may repeat.
PARAMETERS = {
    "topic": True,
    "provider": True,
    "after": False,
    "before": False,
    "minQuality": False,
    "includeStubs": False,
    "seed": False,
    "depth": False,
}


def bad_request(parameter: str, message: str) -> JSONResponse:
    """A 400 whose body names the parameter to fix."""
    return JSONResponse({"error": message, "parameter": parameter}, status_code=400)


def export_routes(
    get_store: Callable[[Request], GraphStore | None],
    failure: Callable[[], str | None] = lambda: None,
) -> list[Route]:
    """The export route; ``get_store`` gives the current snapshot, or None while the first one
    loads (then the route answers 503 as ``/graphql`` does: with ``Retry-After``, or with
    ``failure()``'s reason when the first load failed)."""

    async def export(request: Request) -> Response:
        extension = request.path_params["extension"]
        fmt = BY_EXTENSION.get(extension)
        if fmt is None:
            known = ", ".join(f"graph.{e}" for e in BY_EXTENSION)
            return bad_request("format", f"unknown export format {extension[:40]!r}: use {known}")
        params = request.query_params
        for name in params:
            if name not in PARAMETERS:
                known = ", ".join(PARAMETERS)
                return bad_request(name, f"unknown parameter {name[:40]!r}: use {known}")
            if not PARAMETERS[name] and len(params.getlist(name)) > 1:
                return bad_request(name, f"`{name}` is given more than once")
        store = get_store(request)
        if store is None:
            return loading_response(failure())

        def pick() -> Selection:
            spec = parse_spec(
                store,
                topics=params.getlist("topic"),
                providers=params.getlist("provider"),
                after=params.get("after"),
                before=params.get("before"),
                min_quality=params.get("minQuality"),
                include_stubs=params.get("includeStubs"),
                seed=params.get("seed"),
                depth=params.get("depth"),
            )
            return select(store, spec)

        try:
            selection = await run_in_threadpool(pick)
        except SelectionError as exc:
            return bad_request(exc.parameter, exc.message)
        return StreamingResponse(
            fmt.generate(selection, None),
            media_type=fmt.media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{fmt.filename()}"',
                "X-Graph-Version": store.version,
            },
        )

    return [Route("/export/graph.{extension}", export, methods=["GET"], name="export")]
