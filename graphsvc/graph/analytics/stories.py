"""Stories: clusters of full articles tied by RELATED edges, with IDs stable across rebuilds.

Where the RELATED graph among full articles is sparse, its connected components are the
stories. Components larger than MAX_COMPONENT articles are split into communities, and each
community into its connected pieces, so that every story is connected: by Louvain while
those components hold at most LOUVAIN_MAX_NODES articles, beyond that by asynchronous label
propagation, whose cost stays linear. On the 100,000-article synthetic corpus (409,365 RELATED
edges among full articles, one component of about 69,000) Louvain took 83 s on a quiet machine
and 300 s on a loaded one (pure Python: a first `stories` request waited that long); label
propagation took 15.6 s on the loaded machine and gave 18,543 stories of 2 to 31 articles
(`bench/analytics.py --snapshot`). So Louvain is kept only while big components hold up to
20,000 articles (not measured there; if its cost is linear, tens of seconds on a loaded
machine). Label propagation can also leave one huge community: an earlier synthetic corpus got
one of 68,567 articles, a story too big to be useful; on this corpus it did not happen.
Both run with a fixed seed on a graph built in key order: the same corpus gives the same
stories in any process.

On the shared corpus the largest component has 40 articles and Louvain over the whole graph
finds exactly the components (modularity 0.94), so components it is. An article with no
RELATED edge to another full article is in no story; stubs are in none.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import cast

import networkx as nx
import numpy as np

from graphsvc.graph.analytics.related import related_arrays, undirected_pairs
from graphsvc.graph.memo import memoised, memoised_call
from graphsvc.graph.queries import ArticleFilter, SortKey, date_asc, date_desc, filter_articles
from graphsvc.graph.store import GraphStore
from graphsvc.identity import STORY_PREFIX

#: Components with more articles than this are split by Louvain.
MAX_COMPONENT = 100
#: Above this many articles in big components, label propagation replaces Louvain.
LOUVAIN_MAX_NODES = 20_000
#: The seed of both: the same corpus always gives the same stories.
SEED = 42
#: The name the stories are kept under, per snapshot.
MEMO_NAME = "stories"


class StoryOrder(StrEnum):
    """Orders of story lists."""

    SIZE = "SIZE"
    RECENT = "RECENT"


@dataclass(frozen=True, slots=True)
class Story:
    """One story: its members newest first and what summarises them."""

    key: str
    members: tuple[str, ...]
    first_at: datetime | None
    last_at: datetime | None
    representative: str
    topics: tuple[tuple[str, int], ...]  # (topic key, articles), most first, ties by key
    providers: tuple[tuple[str, int], ...]  # (provider key, articles), likewise

    @property
    def size(self) -> int:
        """Number of articles in the story."""
        return len(self.members)


@dataclass(frozen=True, slots=True)
class Stories:
    """Every story of a snapshot, with the way they were found."""

    method: str  # "components", "louvain" or "label-propagation" (big components split)
    by_key: Mapping[str, Story]
    of_article: Mapping[str, str]
    orders: Mapping[StoryOrder, Sequence[str]]


def story_key(members: Iterable[str]) -> str:
    """A story's key: a hash of its smallest member key, so rebuilds give the same key.

    >>> story_key(["a:https://b.example", "a:https://a.example"])
    's:8bbda3e981a55df4'
    """
    smallest = min(members)
    return STORY_PREFIX + hashlib.sha1(smallest.encode()).hexdigest()[:16]


def story_graph(store: GraphStore) -> nx.Graph:
    """Full articles and the RELATED edges among them, undirected, in key order."""
    found = related_arrays(store)
    among = found.full[found.dst]  # sources are full articles: they have related lists
    pairs = undirected_pairs(found.src[among], found.dst[among])
    nodes = found.nodes
    graph = nx.Graph()
    graph.add_nodes_from(nodes[i] for i in np.flatnonzero(found.full).tolist())
    graph.add_edges_from((nodes[a], nodes[b]) for a, b in pairs.tolist())
    return graph


def partition(
    graph: nx.Graph,
    max_component: int = MAX_COMPONENT,
    louvain_max: int = LOUVAIN_MAX_NODES,
    seed: int = SEED,
) -> tuple[str, list[set[str]]]:
    """Connected groups of two or more nodes: components, with the big ones split."""
    groups: list[set[str]] = []
    big: list[str] = []
    for component in nx.connected_components(graph):
        if len(component) > max_component:
            big.extend(component)
        elif len(component) > 1:
            groups.append(set(component))
    if not big:
        return "components", groups
    sub = nx.Graph()
    sub.add_nodes_from(sorted(big))
    sub.add_edges_from(sorted(tuple(sorted(e)) for e in graph.subgraph(big).edges))
    if len(big) <= louvain_max:
        method, communities = "louvain", nx.community.louvain_communities(sub, seed=seed)
    else:
        method, communities = "label-propagation", nx.community.asyn_lpa_communities(sub, seed=seed)
    for community in communities:
        for piece in nx.connected_components(sub.subgraph(community)):
            if len(piece) > 1:
                groups.append(set(piece))
    return method, groups


def build_stories(
    store: GraphStore,
    max_component: int = MAX_COMPONENT,
    louvain_max: int = LOUVAIN_MAX_NODES,
) -> Stories:
    """Find and summarise every story of a snapshot."""
    graph = story_graph(store)
    method, groups = partition(graph, max_component, louvain_max)
    articles = store.articles
    found: list[Story] = []
    for group in groups:
        members = tuple(sorted(group, key=lambda k: date_desc(articles[k])))
        inside = {k: sum(1 for n in graph.adj[k] if n in group) for k in members}
        representative = min(members, key=lambda k: (-inside[k], *date_asc(articles[k])))
        found.append(summarise(store, members, representative))
    return assemble(method, found)


def summarise(store: GraphStore, members: tuple[str, ...], representative: str) -> Story:
    """A story of these members (newest first) and this representative, with its dates,
    topics and providers."""
    articles = store.articles
    dates = [d for k in members if (d := articles[k].published_at) is not None]
    return Story(
        key=story_key(members),
        members=members,
        first_at=min(dates) if dates else None,
        last_at=max(dates) if dates else None,
        representative=representative,
        topics=_top(t for k in members for t in articles[k].topics),
        providers=_top(articles[k].provider for k in members),
    )


def assemble(method: str, found: Iterable[Story]) -> Stories:
    """Stories with their index by article and their orders (stories found before, such as
    those a snapshot file keeps)."""
    by_key = {story.key: story for story in found}
    of_article = {k: story.key for story in by_key.values() for k in story.members}
    orders = {
        order: tuple(sorted(by_key, key=lambda k: story_sort_key(by_key[k], order)))
        for order in StoryOrder
    }
    return Stories(
        method, MappingProxyType(by_key), MappingProxyType(of_article), MappingProxyType(orders)
    )


def _top(keys: Iterable[str]) -> tuple[tuple[str, int], ...]:
    """Counts, most first, ties by key."""
    return tuple(sorted(Counter(keys).items(), key=lambda kv: (-kv[1], kv[0])))


def story_sort_key(story: Story, order: StoryOrder) -> SortKey:
    """SIZE: biggest first, then most recent; RECENT: latest article first, then biggest.

    Undated stories come last in RECENT; ties are broken by the story key."""
    undated = story.last_at is None
    latest = 0.0 if story.last_at is None else -story.last_at.timestamp()
    if order is StoryOrder.SIZE:
        return (-story.size, undated, latest, story.key)
    return (undated, latest, -story.size, story.key)


def stories(store: GraphStore) -> Stories:
    """The snapshot's stories (found once, before the snapshot is served)."""
    return memoised(store, MEMO_NAME, build_stories)


def story_of(store: GraphStore, article: str) -> Story | None:
    """The story an article belongs to, or None."""
    found = stories(store)
    key = found.of_article.get(article)
    return None if key is None else found.by_key[key]


def find_story(store: GraphStore, key: str) -> Story | None:
    """A story by key, or None."""
    return stories(store).by_key.get(key)


def list_stories(
    store: GraphStore, flt: ArticleFilter | None = None, order: StoryOrder = StoryOrder.SIZE
) -> tuple[Sequence[str], Callable[[str], SortKey]]:
    """Story keys in an order (with a filter: the stories with an article that passes it).
    Unfiltered, the order itself, not a copy: a page is cut from it by binary search."""
    found = stories(store)
    by_key = found.by_key

    def sort_key(key: str) -> SortKey:
        return story_sort_key(by_key[key], order)

    if flt is None or flt == ArticleFilter():
        return found.orders[order], sort_key

    def matching() -> Sequence[str]:
        kept = filter_articles(store, flt)
        # A snapshot read in place answers on its numbers (graph/analytics/inplace.py).
        on_numbers = getattr(found.of_article, "stories_in", None)
        if on_numbers is not None and (hit := on_numbers(kept, found.orders[order])) is not None:
            return cast(Sequence[str], hit)
        keys = {found.of_article.get(k) for k in kept}
        return [k for k in found.orders[order] if k in keys]

    return memoised_call(store, "stories-filtered", (flt, order), matching), sort_key
