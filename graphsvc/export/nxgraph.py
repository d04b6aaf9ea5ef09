"""The graph, or any part of it, as a NetworkX graph in Python: one call from a corpus folder
or a snapshot file.

    >>> import graphsvc.export.nxgraph as nxg
    >>> graph = nxg.load_networkx("seeds", topics=["Azure"])  # doctest: +SKIP

The same selections as the export formats (``export/select.py``: filters, a seed with a depth)
plus a story (a cluster of related articles); the same node and edge attributes (``fields.py``,
native values: lists stay lists). Nodes are keyed by node key (``a:<canonical URL>``,
``p:<domain>``, ``t:<folded topic>``); every edge has ``kind``, and RELATED edges their
``rank``. The result is a plain ``networkx.DiGraph`` of its own, free to change.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import networkx as nx

from graphsvc.corpus import load_store
from graphsvc.export.fields import node_values
from graphsvc.export.select import (
    Selection,
    SelectionError,
    SelectionSpec,
    parse_spec,
    resolve_seed,
    select,
)
from graphsvc.graph.analytics import stories
from graphsvc.graph.snapshot import read_snapshot
from graphsvc.graph.store import GraphStore
from graphsvc.identity import decode_id, is_story


def to_networkx(
    store: GraphStore, selection: Selection | SelectionSpec | None = None
) -> nx.DiGraph:
    """The selected part of a store (by default all of it) as a new ``networkx.DiGraph``."""
    if not isinstance(selection, Selection):
        selection = select(store, selection)
    graph = nx.DiGraph(name="graphsvc", version=store.version)
    graph.add_nodes_from((key, node_values(store, key)) for key in selection.nodes())
    graph.add_edges_from(
        (
            source,
            target,
            {"kind": kind.value} if rank is None else {"kind": kind.value, "rank": rank},
        )
        for source, target, kind, rank in selection.edges()
    )
    return graph


def story_selection(store: GraphStore, story: str) -> Selection:
    """A story's articles with their providers and topics; ``story`` is a story ID from the
    API, or an article (URL or node ID) whose story it is."""
    key = decode_id(story.strip())
    found = stories.find_story(store, key) if key and is_story(key) else None
    if found is None:
        try:
            article = resolve_seed(store, story)
        except SelectionError:
            raise SelectionError(
                "story", f"no story for {story[:200]!r}: give a story ID or an article URL or ID"
            ) from None
        found = stories.story_of(store, article)
        if found is None:
            raise SelectionError("story", f"{story[:200]!r} is in no story")
    articles = found.members
    providers = sorted({store.articles[k].provider for k in articles})
    topics = sorted({t for k in articles for t in store.articles[k].topics})
    return Selection(store, articles, providers, topics, {*articles, *providers, *topics})


def load_networkx(
    source: str | Path,
    *,
    topics: Iterable[str] = (),
    providers: Iterable[str] = (),
    after: str | None = None,
    before: str | None = None,
    min_quality: int | None = None,
    include_stubs: bool | None = None,
    seed: str | None = None,
    depth: int | None = None,
    story: str | None = None,
    cache_dir: Path | None = None,
) -> nx.DiGraph:
    """A corpus folder (ingested, with the parse cache) or a ``graphsvc build`` snapshot file,
    as a NetworkX graph: all of it, or what the options select (as ``graphsvc export`` and
    ``/export/...`` do; ``story`` takes a story, alone). A bad option raises SelectionError
    naming it."""
    path = Path(source)
    # No analytics up front: a story, the one that needs some, finds the stories on first use.
    if path.is_file():
        store = read_snapshot(path, analytics=False)
    else:
        store = load_store(path, cache_dir=cache_dir, analytics=False)
    if story is not None:
        return to_networkx(store, story_selection(store, story))
    spec = parse_spec(
        store,
        topics=topics,
        providers=providers,
        after=after,
        before=before,
        min_quality=min_quality,
        include_stubs=include_stubs,
        seed=seed,
        depth=depth,
    )
    return to_networkx(store, spec)
