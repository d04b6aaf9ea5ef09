"""A request runs on one snapshot from end to end: the one current when it arrived. Here a
reload (the holder's real ``load``) swaps in another snapshot while the request's body is being
read, between the middlewares that look at the version (ETag, response cache) and GraphQL; the
answer, its cache entry and the next request must each belong to one snapshot."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

from graphsvc.corpus import load_store
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from graphsvc.web.holder import StoreHolder
from tests.support import SEEDS

QUERY = json.dumps({"query": "{ stats { articles } }"}).encode()


def test_a_reload_during_a_request_does_not_change_its_snapshot(tmp_path: Path) -> None:
    smaller = tmp_path / "smaller"
    shutil.copytree(SEEDS, smaller)
    sorted(smaller.rglob("*.md"))[0].unlink()
    first = load_store(SEEDS, cache_dir=tmp_path / "cache")
    second = load_store(smaller, cache_dir=tmp_path / "cache")
    assert first.counts.articles != second.counts.articles
    stores = iter([first, second])
    settings = Settings(corpus=SEEDS, cache_dir=tmp_path / "cache", watch=False)
    holder = StoreHolder(settings, loader=lambda: next(stores))
    app = create_app(settings, holder=holder)

    async def post(reload_while_reading: bool) -> dict[str, Any]:
        sent: list[dict[str, Any]] = []
        read = False

        async def receive() -> dict[str, Any]:
            nonlocal read
            if read:
                await asyncio.sleep(3600)  # no disconnect while the answer is written
            read = True
            if reload_while_reading:
                await holder.load()  # the second snapshot is swapped in now
            return {"type": "http.request", "body": QUERY, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "root_path": "",
            "query_string": b"",
            "headers": [
                (b"host", b"testserver"),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(QUERY)).encode()),
            ],
            "client": ("127.0.0.1", 1),
            "server": ("testserver", 80),
        }
        await app(scope, receive, send)
        assert sent[0]["status"] == 200, sent
        return dict(json.loads(b"".join(m.get("body", b"") for m in sent[1:])))

    async def run() -> None:
        await holder.load()  # the first snapshot
        during = await post(reload_while_reading=True)
        assert holder.store is second  # the reload did happen mid-request
        assert during["data"] == {"stats": {"articles": first.counts.articles}}
        after = await post(reload_while_reading=False)  # not the first answer, from the cache
        assert after["data"] == {"stats": {"articles": second.counts.articles}}

    asyncio.run(run())
