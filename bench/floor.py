"""The floor: the six-query mix's answers without GraphQL, from a bare Starlette route.

    GRAPHSVC_FLOOR_SNAPSHOT=SNAPSHOT uvicorn floor:app --app-dir bench [--workers 2] [--port P]

What a GraphQL layer costs is measured against this (``bench/run.py``). The app reads the same
snapshot (``graphsvc build``) as ``graphsvc serve --snapshot`` and, like it, builds the
full-text index before it answers. ``POST /floor`` with ``{"operation": NAME, "variables":
{...}}`` (NAME and variables as in ``bench/mix.py``) answers ``{"data": ...}``: the same data,
field for field, as the GraphQL operation of that name, computed by the same graph functions
(``graphsvc.graph.queries``, ``traversal``, ``searching``) and serialised with orjson. There is
no parsing, validation, cost limit or resolver tree: only a dispatch on the operation's name.
``GET /readyz`` answers 200 once the store is loaded (the lifespan loads it before serving).

``answer(store, name, variables)`` is the same computation in-process: ``bench/run.py`` compares
it with ``schema.execute_sync`` (and the HTTP answers with graphsvc's), so the floor cannot
silently compute less than the GraphQL service does.

Nothing here imports strawberry or graphsvc.api; node IDs are encoded as graphsvc.api.context
encodes them (base64url of the node key, no padding), which the comparison checks.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from graphsvc.graph import queries, searching, traversal
from graphsvc.graph.snapshot import read_snapshot
from graphsvc.graph.store import GraphStore
from graphsvc.model import EdgeKind

ENV = "GRAPHSVC_FLOOR_SNAPSHOT"
PAGE = 20  # first: 20 in the mix's article, topic page and lists
NEIGHBORHOOD_DEPTH, NEIGHBORHOOD_LIMIT = 2, 100
PATH_MAX_LENGTH = 6
SEARCH_HITS = 10

Data = dict[str, Any]


class FloorError(Exception):
    """A request the floor cannot answer (unknown operation, node or URL)."""


# Node fields, as the mix's selections ask for them ----------------------------------------
def _id(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def _key(node_id: str) -> str:
    try:
        return base64.urlsafe_b64decode((node_id + "=" * (-len(node_id) % 4)).encode()).decode()
    except (ValueError, binascii.Error, UnicodeError):
        raise FloorError(f"malformed ID {node_id[:60]!r}") from None


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _page_info(page: queries.Page) -> Data:
    return {"hasNextPage": page.has_next, "endCursor": page.cursors[-1] if page.cursors else None}


def _label_node(store: GraphStore, key: str, article: Callable[[str], Data]) -> Data | None:
    """A node of a union selection: article fields from ``article``, else id and name."""
    if key.startswith("a:") and key in store.articles:
        return article(key)
    if key.startswith("t:") and key in store.topics:
        return {"id": _id(key), "name": store.topics[key].name}
    if key.startswith("p:") and key in store.providers:
        return {"id": _id(key), "name": store.providers[key].name}
    return None


def _edge(edge: traversal.Edge) -> Data:
    source, target, kind = edge
    return {"kind": kind.value, "source": _id(source), "target": _id(target)}


# The six operations --------------------------------------------------------------------
def article(store: GraphStore, url: str) -> Data:
    """``article(url)`` with provider, topics and the first page of its related list."""
    key = queries.find_article(store, url)
    if key is None:
        raise FloorError(f"no article with URL {url[:200]!r}")
    a = store.articles[key]
    provider = store.providers[a.provider]
    keys, sort_key = queries.related_keys(store, key, "OUT")
    page = queries.paginate(keys, sort_key, "related:OUT", PAGE, None)
    edges = []
    for k, cursor in zip(page.keys, page.cursors, strict=True):
        r = store.articles[k]
        edges.append(
            {
                "cursor": cursor,
                "node": {
                    "id": _id(k),
                    "title": r.title,
                    "url": r.url,
                    "publishedAt": _time(r.published_at),
                    "isStub": r.is_stub,
                    "provider": {"name": store.providers[r.provider].name},
                },
            }
        )
    return {
        "article": {
            "id": _id(key),
            "title": a.title,
            "url": a.url,
            "publishedAt": _time(a.published_at),
            "quality": a.quality,
            "isStub": a.is_stub,
            "provider": {"id": _id(a.provider), "name": provider.name, "domain": provider.domain},
            "topics": [{"id": _id(t), "name": store.topics[t].name} for t in a.topics],
            "related": {"totalCount": page.total, "pageInfo": _page_info(page), "edges": edges},
        }
    }


def topic_page(store: GraphStore, topic: str) -> Data:
    """``articles(filter: {topics: [topic]}, first: 20)``, newest first."""
    order = queries.ArticleOrder.PUBLISHED_AT_DESC
    keys = queries.filter_articles(store, queries.ArticleFilter(topics=(topic,)), order)
    sort_key = queries.article_sort_key(store, order)
    page = queries.paginate(keys, sort_key, f"articles:{order.value}", PAGE, None)
    edges = []
    for k, cursor in zip(page.keys, page.cursors, strict=True):
        a = store.articles[k]
        edges.append(
            {
                "cursor": cursor,
                "node": {
                    "id": _id(k),
                    "title": a.title,
                    "url": a.url,
                    "publishedAt": _time(a.published_at),
                    "provider": {"name": store.providers[a.provider].name},
                },
            }
        )
    return {"articles": {"totalCount": page.total, "pageInfo": _page_info(page), "edges": edges}}


def lists(store: GraphStore) -> Data:
    """The first 20 topics and providers, most articles first."""
    topic_keys, topic_sort = queries.count_order(store, "topic")
    topics = queries.paginate(topic_keys, topic_sort, "topics", PAGE, None)
    provider_keys, provider_sort = queries.count_order(store, "provider")
    providers = queries.paginate(provider_keys, provider_sort, "providers", PAGE, None)
    return {
        "topics": {
            "totalCount": topics.total,
            "edges": [
                {
                    "node": {
                        "id": _id(k),
                        "name": store.topics[k].name,
                        "articleCount": store.topics[k].article_count,
                    }
                }
                for k in topics.keys
            ],
        },
        "providers": {
            "totalCount": providers.total,
            "edges": [
                {
                    "node": {
                        "id": _id(k),
                        "name": store.providers[k].name,
                        "domain": store.providers[k].domain,
                        "articleCount": store.providers[k].article_count,
                    }
                }
                for k in providers.keys
            ],
        },
    }


def _existing(store: GraphStore, node_id: str) -> str:
    key = _key(node_id)
    if key[:2] not in {"a:", "p:", "t:"} or not store.has_node(key):
        raise FloorError(f"no node with id {node_id[:60]!r} in this graph")
    return key


def neighborhood(store: GraphStore, node_id: str) -> Data:
    """Depth 2 around a node, at most 100 nodes, every edge kind."""
    sub = traversal.neighborhood(
        store, _existing(store, node_id), NEIGHBORHOOD_DEPTH, None, NEIGHBORHOOD_LIMIT
    )

    def node(k: str) -> Data:
        a = store.articles[k]
        return {"id": _id(k), "title": a.title, "isStub": a.is_stub}

    nodes = [n for n in (_label_node(store, k, node) for k in sub.nodes) if n is not None]
    return {
        "neighborhood": {
            "truncated": sub.truncated,
            "nodes": nodes,
            "edges": [_edge(e) for e in sub.edges],
        }
    }


def shortest_path(store: GraphStore, source: str, target: str) -> Data:
    """A shortest path over RELATED edges, at most 6 hops, or null."""
    keys = traversal.shortest_path(
        store,
        _existing(store, source),
        _existing(store, target),
        [EdgeKind.RELATED],
        PATH_MAX_LENGTH,
    )
    if not keys:
        return {"shortestPath": None}

    def node(k: str) -> Data:
        return {"id": _id(k), "title": store.articles[k].title}

    nodes = []
    for k in keys:
        n = _label_node(store, k, node)
        if n is not None:
            nodes.append(n if k.startswith("a:") else {"id": n["id"]})
    return {
        "shortestPath": {
            "length": len(keys) - 1,
            "nodes": nodes,
            "edges": [_edge(e) for e in traversal.path_edges(store, keys)],
        }
    }


def search(store: GraphStore, text: str) -> Data:
    """The first 10 full-text hits with score, snippet and node."""

    def node(k: str) -> Data:
        a = store.articles[k]
        return {"id": _id(k), "title": a.title, "url": a.url}

    out = []
    for hit in searching.search(store, text, SEARCH_HITS):
        n = _label_node(store, hit.key, node)
        if n is not None:
            out.append({"score": hit.score, "snippet": hit.snippet, "node": n})
    return {"search": out}


#: Operation name (as in bench/mix.py) -> the answer from a store and the mix's variables.
OPERATIONS: dict[str, Callable[[GraphStore, Data], Data]] = {
    "article": lambda s, v: article(s, v["url"]),
    "topic_page": lambda s, v: topic_page(s, v["topic"]),
    "lists": lambda s, v: lists(s),
    "neighborhood": lambda s, v: neighborhood(s, v["id"]),
    "shortest_path": lambda s, v: shortest_path(s, v["from"], v["to"]),
    "search": lambda s, v: search(s, v["q"]),
}


def answer(store: GraphStore, name: str, variables: Data) -> Data:
    """The ``data`` of the mix's operation ``name`` with these variables."""
    try:
        operation = OPERATIONS[name]
    except KeyError:
        raise FloorError(f"unknown operation {name!r}") from None
    try:
        return operation(store, variables)
    except (KeyError, TypeError) as exc:
        raise FloorError(f"bad variables for {name}: {exc!r}") from None
    except queries.QueryError as exc:
        raise FloorError(str(exc)) from None


# The app ---------------------------------------------------------------------------------
def _json(body: Data, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def create_app(snapshot: Path | str | None = None) -> Starlette:
    """The floor app for a snapshot (default: the path in ``GRAPHSVC_FLOOR_SNAPSHOT``)."""
    state: dict[str, GraphStore] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        path = snapshot or os.environ.get(ENV)
        if not path:
            raise RuntimeError(f"give the snapshot to serve in {ENV}")
        store = read_snapshot(path)
        searching.search_index(store)  # as graphsvc does before it is ready
        state["store"] = store
        yield

    async def floor(request: Request) -> Response:
        store = state["store"]
        try:
            body = orjson.loads(await request.body())
            data = answer(store, body["operation"], body.get("variables") or {})
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            return _json({"errors": [{"message": f"bad request: {exc!r}"}]}, 400)
        except FloorError as exc:
            return _json({"errors": [{"message": str(exc)}]}, 400)
        return _json({"data": data})

    async def readyz(request: Request) -> Response:
        store = state.get("store")
        if store is None:
            return _json({"status": "loading"}, 503)
        return _json({"status": "ready", "counts": store.counts.as_dict()})

    return Starlette(
        routes=[Route("/floor", floor, methods=["POST"]), Route("/readyz", readyz)],
        lifespan=lifespan,
    )


app = create_app()
