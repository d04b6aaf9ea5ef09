"""Walking a connection through the API, page by page, as a client does."""

from __future__ import annotations

from typing import Any


def walk(
    run: Any, query: str, path: list[str], first: int = 100, **variables: Any
) -> list[dict[str, Any]]:
    """Every node of a connection, page by page, checking the page info on the way."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        data = run(query, first=first, after=after, **variables)
        for key in path:
            data = data[key]
        nodes += [e["node"] for e in data["edges"]]
        if data["edges"] and "cursor" in data["edges"][0]:  # the page's ends are its cursors
            info = data["pageInfo"]
            if "startCursor" in info:  # as far as the query asked for them
                assert info["startCursor"] == data["edges"][0]["cursor"]
            assert info["endCursor"] == data["edges"][-1]["cursor"]
            assert len({e["cursor"] for e in data["edges"]}) == len(data["edges"])
        if not data["pageInfo"]["hasNextPage"]:
            assert len(nodes) == data["totalCount"]
            return nodes
        assert len(data["edges"]) == first
        after = data["pageInfo"]["endCursor"]
