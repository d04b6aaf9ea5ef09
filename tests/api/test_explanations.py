"""Each hop of a neighbourhood or path explains itself in words, for every edge kind: the
related listing (with its rank), the publisher, the topic. Labels are the article's title or
the provider's or topic's display name, read here through the API's own node fields."""

from __future__ import annotations

from typing import Any

Run = Any

QUERY = """query($id: ID!) {
  neighborhood(id: $id, depth: 1, limit: 500) {
    nodes { id ... on Article { title } ... on Provider { name } ... on Topic { name } }
    edges { kind rank explanation source target }
  }
}"""


def test_every_edge_kind_is_explained(seeds: Run) -> None:
    first = seeds("{ articles(first: 1) { edges { node { id } } } }")
    centre = first["articles"]["edges"][0]["node"]["id"]
    sub = seeds(QUERY, id=centre)["neighborhood"]
    label = {n["id"]: n.get("title") or n["name"] for n in sub["nodes"]}
    kinds = set()
    for edge in sub["edges"]:
        a, b = label[edge["source"]], label[edge["target"]]
        kinds.add(edge["kind"])
        expected = {
            "RELATED": f"“{a}” lists “{b}” as related (rank {edge['rank']})",
            "PUBLISHED_BY": f"“{a}” is published by “{b}”",
            "TAGGED": f"“{a}” is tagged “{b}”",
        }[edge["kind"]]
        assert edge["explanation"] == expected
        assert (edge["rank"] is not None) == (edge["kind"] == "RELATED")
    assert kinds == {"RELATED", "PUBLISHED_BY", "TAGGED"}
