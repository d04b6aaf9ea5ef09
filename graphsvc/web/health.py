"""Health and readiness: ``/healthz`` answers as soon as the process runs, ``/readyz`` once the
graph is loaded (with what it holds), 503 while it loads or after its first load failed."""

from __future__ import annotations

import os

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from graphsvc.web.holder import StoreHolder
from graphsvc.web.metrics import CountedAnswers


async def healthz(request: Request) -> Response:
    """Alive: the process answers."""
    return JSONResponse({"status": "alive"})


async def readyz(request: Request) -> Response:
    """Ready, with the snapshot served and its counts; or loading, or failed and why."""
    holder: StoreHolder = request.app.state.holder
    answers: CountedAnswers = request.app.state.answers
    if not holder.ready:
        if holder.failure is not None:  # the first load failed: say so, and why
            body = {"status": "failed", "reason": holder.failure, "watching": holder.watching}
            return JSONResponse(body, status_code=503)
        return JSONResponse({"status": "loading"}, status_code=503, headers={"Retry-After": "2"})
    store = holder.store
    return JSONResponse(
        {
            "status": "ready",
            "version": store.version,
            "loadedAt": store.loaded_at.isoformat(),
            "corpus": store.root,
            "counts": store.counts.as_dict(),
            "rejected": len(store.report.rejected),
            "reloads": holder.reloads,
            "lastReloadError": holder.last_error,
            "watching": holder.watching,
            "pid": os.getpid(),  # which worker answered (each loads its own snapshot)
            "responseCache": answers.stats(),
        }
    )
