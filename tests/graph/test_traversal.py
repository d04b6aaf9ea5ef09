"""Neighbourhoods, shortest paths and path edges (graph.traversal) on a tiny hand-made corpus.

Seven documents and one stub. The expected values are worked out by hand from the edge table
below, and the exhaustive checks compare with NetworkX run on that hand-written table (``EDGES``),
never on the store's own graph.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import networkx as nx
import pytest

from graphsvc.corpus import load_store
from graphsvc.graph.queries import QueryError
from graphsvc.graph.store import GraphStore
from graphsvc.graph.traversal import (
    MAX_DEPTH,
    MAX_NODES,
    MAX_PATH_LENGTH,
    MAX_PATHS,
    neighborhood,
    path_edges,
    shortest_path,
    shortest_paths,
)
from graphsvc.model import EdgeKind

R, P, T = EdgeKind.RELATED, EdgeKind.PUBLISHED_BY, EdgeKind.TAGGED

# The corpus: articles a..g (https://t.example/<name>), stub s (https://stub.example/s).
#
#   doc  related (rank order)  provider       topics
#   a    b, c                  one.example    X
#   b    a, d                  one.example    -
#   c    d                     one.example    -
#   d    e                     two.example    -
#   e    f                     two.example    X
#   f    s (stub)              two.example    Y
#   g    -                     three.example  Y
#   s    (stub, provider two.example)
#
# Short names: p1 p2 p3 for the providers, tX tY for the topics. Followed both ways:
#   RELATED only:  a-b (both directions), a-c, b-d, c-d, d-e, e-f, f-s; g is alone.
#   all kinds add: a,b,c-p1; d,e,f,s-p2; g-p3; a,e-tX; f,g-tY.
EDGES: list[tuple[str, str, EdgeKind]] = [
    ("a", "b", R),
    ("a", "c", R),
    ("b", "a", R),
    ("b", "d", R),
    ("c", "d", R),
    ("d", "e", R),
    ("e", "f", R),
    ("f", "s", R),
    ("a", "p1", P),
    ("b", "p1", P),
    ("c", "p1", P),
    ("d", "p2", P),
    ("e", "p2", P),
    ("f", "p2", P),
    ("s", "p2", P),
    ("g", "p3", P),
    ("a", "tX", T),
    ("e", "tX", T),
    ("f", "tY", T),
    ("g", "tY", T),
]
DOCS = {
    "a": (["b", "c"], "one.example", ["X"]),
    "b": (["a", "d"], "one.example", []),
    "c": (["d"], "one.example", []),
    "d": (["e"], "two.example", []),
    "e": (["f"], "two.example", ["X"]),
    "f": (["s"], "two.example", ["Y"]),
    "g": ([], "three.example", ["Y"]),
}
KEYS = {
    **{n: f"a:https://t.example/{n}" for n in DOCS},
    "s": "a:https://stub.example/s",
    "p1": "p:one.example",
    "p2": "p:two.example",
    "p3": "p:three.example",
    "tX": "t:x",
    "tY": "t:y",
}
NAMES = {v: k for k, v in KEYS.items()}
ALL = (R, P, T)


def _url(name: str) -> str:
    return KEYS[name][2:]


def write_corpus(root: Path) -> None:
    for name, (related, domain, topics) in DOCS.items():
        lines = [
            "---",
            f'title: "Doc {name}"',
            f'webUrl: "{_url(name)}"',
            "publishedDateTime: 2021-01-01T00:00:00Z",
            "provider:",
            f"  domain: {domain}",
        ]
        if topics:
            lines += ["topics:", *(f"  - {t}" for t in topics)]
        if related:
            lines.append("related:")
            for target in related:
                lines += [f'  - webUrl: "{_url(target)}"', f'    title: "Item {target}"']
                if target == "s":
                    lines += ["    provider:", "      domain: two.example"]
        (root / f"{name}.md").write_text("\n".join([*lines, "---", ""]), encoding="utf-8")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    root = tmp_path_factory.mktemp("traversal-corpus")
    write_corpus(root)
    built = load_store(root, cache_dir=tmp_path_factory.mktemp("traversal-cache"))
    assert not built.report.rejected
    got = {(NAMES[s], NAMES[t], k) for s, t, k in built.iter_edges()}
    assert got == set(EDGES), "the corpus does not build the graph the tests are written for"
    return built


def reference(kinds: tuple[EdgeKind, ...] = ALL) -> nx.Graph:
    """The hand-written edges of these kinds, undirected (traversals follow both ways)."""
    g = nx.Graph()
    g.add_nodes_from(KEYS)
    g.add_edges_from((s, t) for s, t, k in EDGES if k in kinds)
    return g


def names(keys: list[str]) -> list[str]:
    return [NAMES[k] for k in keys]


def k(*short: str) -> list[str]:
    return [KEYS[n] for n in short]


def edge_names(edges: list[tuple[str, str, EdgeKind]]) -> set[tuple[str, str, EdgeKind]]:
    return {(NAMES[s], NAMES[t], kind) for s, t, kind in edges}


# Neighbourhoods --------------------------------------------------------------------------
def test_depth_zero_is_the_centre_alone(store: GraphStore) -> None:
    sub = neighborhood(store, KEYS["a"], depth=0)
    assert (sub.nodes, sub.edges, sub.truncated) == ([KEYS["a"]], [], False)


def test_depth_one_all_kinds(store: GraphStore) -> None:
    sub = neighborhood(store, KEYS["a"], depth=1)
    # a's neighbours, both directions: b (a->b and b->a), c, p1, tX.
    assert sub.nodes[0] == KEYS["a"]
    assert set(names(sub.nodes)) == {"a", "b", "c", "p1", "tX"}
    assert len(sub.nodes) == 5
    # Every edge among those five nodes, each once, in its stored direction.
    assert edge_names(sub.edges) == {
        ("a", "b", R),
        ("b", "a", R),
        ("a", "c", R),
        ("a", "p1", P),
        ("b", "p1", P),
        ("c", "p1", P),
        ("a", "tX", T),
    }
    assert len(sub.edges) == 7
    assert sub.truncated is False


@pytest.mark.parametrize(
    ("depth", "want", "edges"),
    [
        (1, {"a", "b", "c"}, {("a", "b"), ("b", "a"), ("a", "c")}),
        (2, {"a", "b", "c", "d"}, {("a", "b"), ("b", "a"), ("a", "c"), ("b", "d"), ("c", "d")}),
        (
            3,
            {"a", "b", "c", "d", "e"},
            {("a", "b"), ("b", "a"), ("a", "c"), ("b", "d"), ("c", "d"), ("d", "e")},
        ),
    ],
)
def test_related_only_by_depth(
    store: GraphStore, depth: int, want: set[str], edges: set[tuple[str, str]]
) -> None:
    sub = neighborhood(store, KEYS["a"], depth=depth, edge_kinds=[R])
    assert set(names(sub.nodes)) == want and len(sub.nodes) == len(want)
    assert edge_names(sub.edges) == {(s, t, R) for s, t in edges}
    assert sub.truncated is False


def test_edge_kind_filters(store: GraphStore) -> None:
    tagged = neighborhood(store, KEYS["tX"], depth=1, edge_kinds=[T])
    assert names(tagged.nodes)[0] == "tX" and set(names(tagged.nodes)) == {"tX", "a", "e"}
    assert edge_names(tagged.edges) == {("a", "tX", T), ("e", "tX", T)}
    # g reaches f through topic Y; p3 is g's provider; RELATED edges are not followed.
    two = neighborhood(store, KEYS["g"], depth=2, edge_kinds=[P, T])
    assert set(names(two.nodes)) == {"g", "p3", "tY", "f"}
    assert edge_names(two.edges) == {("g", "p3", P), ("g", "tY", T), ("f", "tY", T)}
    alone = neighborhood(store, KEYS["g"], depth=3, edge_kinds=[R])
    assert (names(alone.nodes), alone.edges, alone.truncated) == (["g"], [], False)


def test_nodes_come_by_distance(store: GraphStore) -> None:
    g = reference()
    for centre in KEYS:
        for depth in range(MAX_DEPTH + 1):
            sub = neighborhood(store, KEYS[centre], depth=depth, limit=MAX_NODES)
            distance = nx.single_source_shortest_path_length(g, centre, cutoff=depth)
            assert set(names(sub.nodes)) == set(distance), (centre, depth)
            assert len(sub.nodes) == len(distance)
            steps = [distance[n] for n in names(sub.nodes)]
            assert steps == sorted(steps) and steps[0] == 0
            inside = set(distance)
            assert edge_names(sub.edges) == {e for e in EDGES if {e[0], e[1]} <= inside}
            assert sub.truncated is False


@pytest.mark.parametrize(
    ("depth", "limit", "size", "truncated"),
    [
        # Depth 2 over RELATED from a holds exactly a, b, c, d.
        (2, 4, 4, False),  # the limit fits exactly: nothing cut
        (2, 3, 3, True),  # d is cut
        (2, 2, 2, True),
        (2, 1, 1, True),  # the centre alone, its neighbours cut
        # Depth 1 holds a, b, c: a limit of 3 fits even though d lies one hop further.
        (1, 3, 3, False),
        # Depth 3 holds a..e (5); f is 4 hops away, outside the depth, not cut by the limit.
        (3, 5, 5, False),
        (3, 4, 4, True),
        (0, 1, 1, False),
    ],
)
def test_truncated_exactly_when_the_limit_cuts(
    store: GraphStore, depth: int, limit: int, size: int, truncated: bool
) -> None:
    sub = neighborhood(store, KEYS["a"], depth=depth, edge_kinds=[R], limit=limit)
    assert len(sub.nodes) == size
    assert sub.truncated is truncated
    assert sub.nodes[0] == KEYS["a"]
    full = nx.single_source_shortest_path_length(reference((R,)), "a", cutoff=depth)
    steps = [full[n] for n in names(sub.nodes)]
    assert steps == sorted(steps)  # a cut neighbourhood keeps the nearest nodes
    kept = set(names(sub.nodes))
    assert edge_names(sub.edges) == {e for e in EDGES if e[2] is R and {e[0], e[1]} <= kept}


@pytest.mark.parametrize(
    ("depth", "limit"), [(-1, 10), (MAX_DEPTH + 1, 10), (1, 0), (1, MAX_NODES + 1)]
)
def test_neighborhood_bounds(store: GraphStore, depth: int, limit: int) -> None:
    with pytest.raises(QueryError):
        neighborhood(store, KEYS["a"], depth=depth, limit=limit)


# Shortest paths --------------------------------------------------------------------------
def is_path(path: list[str], kinds: tuple[EdgeKind, ...]) -> bool:
    g = reference(kinds)
    return len(set(path)) == len(path) and all(
        g.has_edge(x, y) for x, y in itertools.pairwise(path)
    )


def test_the_same_node(store: GraphStore) -> None:
    assert shortest_path(store, KEYS["a"], KEYS["a"]) == [KEYS["a"]]
    assert shortest_path(store, KEYS["g"], KEYS["g"], [R], max_length=1) == [KEYS["g"]]


@pytest.mark.parametrize(
    ("source", "target", "kinds", "want"),
    [
        ("a", "b", ALL, ["a", "b"]),
        ("b", "a", (R,), ["b", "a"]),
        ("a", "d", (R,), None),  # two paths of 2: a-b-d or a-c-d (checked below)
        ("d", "a", (R,), None),
        ("e", "c", (R,), ["e", "d", "c"]),  # against the edges' direction
        ("a", "e", (R,), None),  # a-b-d-e or a-c-d-e
        ("a", "c", (P,), ["a", "p1", "c"]),
        ("g", "f", (T,), ["g", "tY", "f"]),
    ],
)
def test_shortest_path_examples(
    store: GraphStore,
    source: str,
    target: str,
    kinds: tuple[EdgeKind, ...],
    want: list[str] | None,
) -> None:
    got = shortest_path(store, KEYS[source], KEYS[target], list(kinds))
    assert got is not None
    path = names(got)
    if want is not None:
        assert path == want
    else:
        expected = nx.shortest_path_length(reference(kinds), source, target)
        assert len(path) - 1 == expected
    assert path[0] == source and path[-1] == target and is_path(path, kinds)


def test_no_path(store: GraphStore) -> None:
    # g has no RELATED edges; providers one/two share no article; topics X and Y never meet.
    assert shortest_path(store, KEYS["a"], KEYS["g"], [R]) is None
    assert shortest_path(store, KEYS["a"], KEYS["d"], [P]) is None
    assert shortest_path(store, KEYS["a"], KEYS["g"], [T]) is None
    # Within reach but over maxLength: a to s over RELATED is 5 hops.
    assert shortest_path(store, KEYS["a"], KEYS["s"], [R], max_length=4) is None


def test_a_path_of_exactly_max_length(store: GraphStore) -> None:
    # a-b-d-e-f-s or a-c-d-e-f-s: 5 hops over RELATED.
    path = shortest_path(store, KEYS["a"], KEYS["s"], [R], max_length=5)
    assert path is not None and len(path) == 6
    assert names(path)[2:] == ["d", "e", "f", "s"] and names(path)[1] in {"b", "c"}
    # All kinds: a-tX-e-f-tY-g is 5 hops, the only way to g (through topic Y).
    assert names(shortest_path(store, KEYS["a"], KEYS["g"], max_length=5) or []) == [
        "a",
        "tX",
        "e",
        "f",
        "tY",
        "g",
    ]
    assert shortest_path(store, KEYS["a"], KEYS["g"], max_length=4) is None
    assert names(shortest_path(store, KEYS["a"], KEYS["b"], max_length=1) or []) == ["a", "b"]


def test_shortest_path_against_networkx(store: GraphStore) -> None:
    """Every pair, kind set and maxLength: the length NetworkX finds on the hand-written edges,
    or None when it is over maxLength or there is no path."""
    kind_sets = [ALL, (R,), (P,), (T,), (R, T), (P, T)]
    for kinds in kind_sets:
        g = reference(kinds)
        lengths = dict(nx.all_pairs_shortest_path_length(g))
        for source, target in itertools.product(KEYS, repeat=2):
            for max_length in (1, 2, 3, 4, 5, MAX_PATH_LENGTH):
                got = shortest_path(store, KEYS[source], KEYS[target], list(kinds), max_length)
                want = lengths[source].get(target)
                if want is None or want > max_length:
                    assert got is None, (source, target, kinds, max_length)
                    continue
                assert got is not None, (source, target, kinds, max_length)
                path = names(got)
                assert len(path) - 1 == want, (source, target, kinds, max_length)
                assert path[0] == source and path[-1] == target and is_path(path, kinds)


@pytest.mark.parametrize("max_length", [0, -1, MAX_PATH_LENGTH + 1, 1000])
def test_max_length_bounds(store: GraphStore, max_length: int) -> None:
    with pytest.raises(QueryError, match="maxLength"):
        shortest_path(store, KEYS["a"], KEYS["b"], max_length=max_length)
    with pytest.raises(QueryError, match="maxLength"):
        shortest_paths(store, KEYS["a"], KEYS["b"], max_length=max_length)


# k shortest paths ------------------------------------------------------------------------
def test_both_shortest_paths_over_related(store: GraphStore) -> None:
    # a to d over RELATED: exactly two simple paths, a-b-d and a-c-d.
    paths = [names(p) for p in shortest_paths(store, KEYS["a"], KEYS["d"], [R], k=3)]
    assert sorted(paths) == [["a", "b", "d"], ["a", "c", "d"]]
    one = [names(p) for p in shortest_paths(store, KEYS["a"], KEYS["d"], [R], k=1)]
    assert len(one) == 1 and one[0] in (["a", "b", "d"], ["a", "c", "d"])


def test_k_paths_are_the_k_shortest_in_order(store: GraphStore) -> None:
    for source, target, kinds in [("a", "e", ALL), ("a", "s", ALL), ("b", "tY", (R, T))]:
        g = reference(kinds)
        every = sorted(len(p) - 1 for p in nx.all_simple_paths(g, source, target))
        for count in range(1, MAX_PATHS + 1):
            got = [
                names(p)
                for p in shortest_paths(
                    store, KEYS[source], KEYS[target], list(kinds), MAX_PATH_LENGTH, count
                )
            ]
            lengths = [len(p) - 1 for p in got]
            assert lengths == every[:count], (source, target, count)
            assert len({tuple(p) for p in got}) == len(got)  # distinct
            for p in got:
                assert p[0] == source and p[-1] == target and is_path(p, kinds)


def test_k_paths_within_max_length(store: GraphStore) -> None:
    # a to e over RELATED: a-b-d-e and a-c-d-e (3 hops each), nothing else.
    three = shortest_paths(store, KEYS["a"], KEYS["e"], [R], max_length=3, k=5)
    assert sorted(names(p) for p in three) == [["a", "b", "d", "e"], ["a", "c", "d", "e"]]
    assert shortest_paths(store, KEYS["a"], KEYS["e"], [R], max_length=2, k=5) == []
    # All kinds, a to e: a-tX-e (2) first; a 3-hop path would be a-b-d-e, a-c-d-e, ...
    capped = shortest_paths(store, KEYS["a"], KEYS["e"], max_length=2, k=5)
    assert [names(p) for p in capped] == [["a", "tX", "e"]]
    assert shortest_paths(store, KEYS["a"], KEYS["g"], [R], k=3) == []


def test_k_paths_from_a_node_to_itself(store: GraphStore) -> None:
    assert shortest_paths(store, KEYS["a"], KEYS["a"], k=3) == [[KEYS["a"]]]


@pytest.mark.parametrize("count", [0, -1, MAX_PATHS + 1])
def test_k_bounds(store: GraphStore, count: int) -> None:
    with pytest.raises(QueryError, match="k"):
        shortest_paths(store, KEYS["a"], KEYS["b"], k=count)


# Path edges ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "want"),
    [
        (["a", "b"], [("a", "b", R)]),  # both directions stored: the path's own direction
        (["b", "a"], [("b", "a", R)]),
        (["e", "d", "c"], [("d", "e", R), ("c", "d", R)]),  # against the edges: stored order
        (["a", "c", "d"], [("a", "c", R), ("c", "d", R)]),
        (["a", "tX", "e"], [("a", "tX", T), ("e", "tX", T)]),
        (["p2", "s", "f"], [("s", "p2", P), ("f", "s", R)]),
        (["g"], []),
    ],
)
def test_path_edges(
    store: GraphStore, path: list[str], want: list[tuple[str, str, EdgeKind]]
) -> None:
    got = path_edges(store, k(*path))
    assert [(NAMES[s], NAMES[t], kind) for s, t, kind in got] == want


def test_path_edges_of_found_paths_are_real_edges(store: GraphStore) -> None:
    for source, target in itertools.product(KEYS, repeat=2):
        path = shortest_path(store, KEYS[source], KEYS[target], max_length=MAX_PATH_LENGTH)
        if path is None:
            continue
        edges = path_edges(store, path)
        assert len(edges) == len(path) - 1
        assert edge_names(edges) <= set(EDGES)
