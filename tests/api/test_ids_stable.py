"""IDs are opaque and stable across restarts for the same corpus: a second, independent load of
the real corpus (no cache shared, so every file is parsed again) gives every node the same ID,
and each ID from the first load resolves through ``node(id:)`` on the second to the same node."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import strawberry

from graphsvc.api.context import Context
from graphsvc.corpus import load_store
from graphsvc.graph.store import GraphStore

PAGE = """query($after: String) {
  articles(first: 100, after: $after, filter: {includeStubs: true}) {
    pageInfo { hasNextPage endCursor } edges { node { id url } }
  }
}"""


def all_ids(schema: strawberry.Schema, store: GraphStore) -> dict[str, str]:
    """ID -> URL (articles and stubs) or name (providers, topics), read through the API."""

    def run(query: str, **variables: Any) -> Any:
        result = schema.execute_sync(query, variable_values=variables, context_value=Context(store))
        assert not result.errors, result.errors
        return result.data

    ids: dict[str, str] = {}
    after = None
    while True:
        page = run(PAGE, after=after)["articles"]
        ids.update({e["node"]["id"]: e["node"]["url"] for e in page["edges"]})
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    for kind, field in (("topics", "name"), ("providers", "domain")):
        after = None
        while True:
            page = run(
                f"query($after: String) {{ {kind}(first: 100, after: $after) {{"
                f" pageInfo {{ hasNextPage endCursor }} edges {{ node {{ id {field} }} }} }} }}",
                after=after,
            )[kind]
            ids.update({e["node"]["id"]: e["node"][field] for e in page["edges"]})
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    return ids


def test_ids_survive_a_restart(
    schema: strawberry.Schema, news_store: GraphStore, news_dir: Path, tmp_path: Path
) -> None:
    again = load_store(news_dir, cache_dir=tmp_path / "fresh-cache", use_cache=False)
    first, second = all_ids(schema, news_store), all_ids(schema, again)
    counts = news_store.counts
    assert len(first) == counts.articles + counts.stubs + counts.topics + counts.providers
    assert first == second
    sample = sorted(first)[:: max(1, len(first) // 200)]
    for node_id in sample:
        result = schema.execute_sync(
            "query($id: ID!) { node(id: $id) { id ... on Article { url }"
            " ... on Topic { name } ... on Provider { domain } } }",
            variable_values={"id": node_id},
            context_value=Context(again),
        )
        assert not result.errors, result.errors
        node = result.data["node"]  # type: ignore[index]
        assert node["id"] == node_id
        assert first[node_id] in (node.get("url"), node.get("name"), node.get("domain"))
