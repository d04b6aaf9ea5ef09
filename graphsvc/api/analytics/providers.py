"""Provider profiles in GraphQL: a provider's topic mix and its coverage overlap with others."""

from __future__ import annotations

import strawberry

from graphsvc.api import arguments as doc
from graphsvc.api.analytics.common import check_first
from graphsvc.api.types import Provider, Topic, provider_node, topic_node
from graphsvc.graph.analytics import providers
from graphsvc.graph.store import GraphStore


@strawberry.type(description="A topic with a count and its share of a whole.")
class TopicShare:
    topic: Topic = strawberry.field(description="The topic.")
    count: int = strawberry.field(description="Number of the provider's articles with the topic.")
    share: float = strawberry.field(description="count / the provider's articleCount.")


@strawberry.type(
    description="A provider whose articles another provider's articles list as related."
)
class ProviderShare:
    provider: Provider = strawberry.field(description="The provider listed.")
    count: int = strawberry.field(description="RELATED edges to this provider's articles.")
    share: float = strawberry.field(
        description="count / all RELATED edges from the first provider's articles."
    )


def topic_mix(store: GraphStore, provider: str, first: int | None) -> list[TopicShare]:
    """A provider's topics with their shares."""
    return [
        TopicShare(topic=topic_node(store.topics[s.key]), count=s.count, share=s.share)
        for s in providers.topic_mix(store, provider, check_first(first, doc.DEFAULT_TOP))
    ]


def coverage_overlap(store: GraphStore, provider: str, first: int | None) -> list[ProviderShare]:
    """The providers a provider's articles most often list as related."""
    return [
        ProviderShare(provider=provider_node(store.providers[s.key]), count=s.count, share=s.share)
        for s in providers.coverage_overlap(store, provider, check_first(first, doc.DEFAULT_TOP))
    ]
