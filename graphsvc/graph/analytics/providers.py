"""Per provider: its topic mix, and the providers its articles list as related (coverage overlap).

A provider's links count the RELATED edges from its full articles to each other provider's
articles (stubs included): how often its coverage points at theirs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from graphsvc.graph.analytics.related import related_arrays
from graphsvc.graph.memo import memoised
from graphsvc.graph.store import GraphStore

#: The names provider links and topic mixes are kept under, per snapshot.
LINKS_MEMO = "provider-links"
MIX_MEMO = "topic-mix"


@dataclass(frozen=True, slots=True)
class Share:
    """A topic or provider with a count and its share of the whole."""

    key: str
    count: int
    share: float


@dataclass(frozen=True, slots=True)
class ProviderLinks:
    """RELATED edges from each provider's full articles, by target provider (itself left
    out), most first; and the total of each provider's RELATED edges (to itself included)."""

    out: Mapping[str, tuple[tuple[str, int], ...]]
    totals: Mapping[str, int]


def build_links(store: GraphStore) -> ProviderLinks:
    """Count RELATED edges between providers (every provider of a full article is listed,
    with nothing where its articles list no other provider's)."""
    found = related_arrays(store)
    names = found.providers
    source, target = found.provider[found.src], found.provider[found.dst]
    totals = np.bincount(source, minlength=len(names))
    listed = np.unique(found.provider[found.full]).tolist()
    cross = source != target
    pairs, counts = np.unique(source[cross] * len(names) + target[cross], return_counts=True)
    grouped: dict[str, list[tuple[str, int]]] = {names[p]: [] for p in listed}
    for pair, n in zip(pairs.tolist(), counts.tolist(), strict=True):
        grouped[names[pair // len(names)]].append((names[pair % len(names)], n))
    out = {p: tuple(sorted(links, key=lambda kv: (-kv[1], kv[0]))) for p, links in grouped.items()}
    return ProviderLinks(
        MappingProxyType(out), MappingProxyType({names[p]: int(totals[p]) for p in listed})
    )


def provider_links(store: GraphStore) -> ProviderLinks:
    """The snapshot's provider links (counted once, on first use)."""
    return memoised(store, LINKS_MEMO, build_links)


def coverage_overlap(store: GraphStore, provider: str, first: int = 10) -> list[Share]:
    """The providers whose articles this provider's articles most often list as related;
    the share is of all the provider's RELATED edges."""
    links = provider_links(store)
    total = links.totals.get(provider, 0)
    return [Share(k, n, n / total) for k, n in links.out.get(provider, ())[:first]]


def build_topic_mix(store: GraphStore) -> Mapping[str, tuple[Share, ...]]:
    """Each provider's topics, most first (ties by key), with their share of its articles."""
    mix: dict[str, tuple[Share, ...]] = {}
    for provider, keys in store.provider_articles.items():
        counts = Counter(t for k in keys for t in store.articles[k].topics)
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        mix[provider] = tuple(Share(t, n, n / len(keys)) for t, n in ranked)
    return MappingProxyType(mix)


def topic_mixes(store: GraphStore) -> Mapping[str, tuple[Share, ...]]:
    """Every provider's topic mix (counted once per snapshot)."""
    return memoised(store, MIX_MEMO, build_topic_mix)


def topic_mix(store: GraphStore, provider: str, first: int = 10) -> list[Share]:
    """A provider's topics with the share of its full articles that carry each."""
    return list(topic_mixes(store).get(provider, ())[:first])
