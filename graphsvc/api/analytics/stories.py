"""Stories in GraphQL: the Story node, its connection, and the lookups behind the fields."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from graphsvc.api import arguments as doc
from graphsvc.api.analytics.common import check_first
from graphsvc.api.arguments import After, PageFirst
from graphsvc.api.context import Info, PublicError
from graphsvc.api.types import (
    Article,
    ArticleConnection,
    ArticleFilter,
    ArticleOrder,
    Node,
    PageInfo,
    Provider,
    Topic,
    article_connection,
    article_node,
    page_info,
    page_of,
    provider_node,
    topic_node,
)
from graphsvc.graph import queries
from graphsvc.graph.analytics import stories
from graphsvc.graph.store import GraphStore
from graphsvc.identity import decode_id, encode_id, is_story


@strawberry.enum(
    description="Orders of story lists; ties are broken by a hash of the story's smallest member, stable across rebuilds."
)
class StoryOrder(Enum):
    SIZE = strawberry.enum_value("SIZE", description="Most articles first, then most recent.")
    RECENT = strawberry.enum_value(
        "RECENT", description="Latest article newest first (undated last), then biggest."
    )


@strawberry.type(description="A topic with a number of articles.")
class TopicCount:
    topic: Topic = strawberry.field(description="The topic.")
    count: int = strawberry.field(description="Number of articles.")


@strawberry.type(description="A provider with a number of articles.")
class ProviderCount:
    provider: Provider = strawberry.field(description="The provider.")
    count: int = strawberry.field(description="Number of articles.")


# Stories -----------------------------------------------------------------------------
@strawberry.type(
    description="A story: full articles tied together by RELATED edges (a connected cluster of two or more)."
)
class Story(Node):
    key: strawberry.Private[str]
    size: int = strawberry.field(description="Number of articles in the story.")
    first_published_at: datetime | None = strawberry.field(
        description="Publication time of its oldest article, UTC."
    )
    last_published_at: datetime | None = strawberry.field(
        description="Publication time of its newest article, UTC."
    )

    @strawberry.field(description="Its most common topics, most articles first (ties by name).")
    def top_topics(
        self,
        info: Info,
        first: Annotated[
            int | None, strawberry.argument(description=doc.list_first("topics", 5))
        ] = 5,
    ) -> list[TopicCount]:
        store, story = info.context.store, _story(info, self.key)
        n = check_first(first, 5)
        return [TopicCount(topic=topic_node(store.topics[k]), count=c) for k, c in story.topics[:n]]

    @strawberry.field(
        description="Its most common providers, most articles first (ties by domain)."
    )
    def top_providers(
        self,
        info: Info,
        first: Annotated[
            int | None, strawberry.argument(description=doc.list_first("providers", 5))
        ] = 5,
    ) -> list[ProviderCount]:
        store, story = info.context.store, _story(info, self.key)
        n = check_first(first, 5)
        return [
            ProviderCount(provider=provider_node(store.providers[k]), count=c)
            for k, c in story.providers[:n]
        ]

    @strawberry.field(
        description="The most central article: most RELATED links within the story (ties: the oldest)."
    )
    def representative(self, info: Info) -> Article:
        return article_node(info.context.store.articles[_story(info, self.key).representative])

    @strawberry.field(description="The story's articles.")
    def articles(
        self,
        info: Info,
        first: PageFirst = 20,
        after: After = None,
        order_by: Annotated[
            ArticleOrder | None, strawberry.argument(description=doc.ARTICLE_ORDER)
        ] = ArticleOrder.PUBLISHED_AT_DESC,
    ) -> ArticleConnection:
        store = info.context.store
        order = queries.ArticleOrder((order_by or ArticleOrder.PUBLISHED_AT_DESC).name)
        sort_key = queries.article_sort_key(store, order)
        keys = sorted(_story(info, self.key).members, key=sort_key)
        return article_connection(store, keys, sort_key, f"story:{order.value}", first, after)


@strawberry.type(description="A story in a connection, with its cursor.")
class StoryEdge:
    cursor: str = strawberry.field(description="Opaque keyset cursor: stable across reloads.")
    node: Story = strawberry.field(description="The story.")


@strawberry.type(description="A page of stories.")
class StoryConnection:
    edges: list[StoryEdge] = strawberry.field(description="The stories of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    total_count: int = strawberry.field(description="Number of stories in the whole list.")
    method: str = strawberry.field(
        description="How the stories were found: `components` (connected components of the RELATED graph among full articles), or `louvain` or `label-propagation` (components over 100 articles split into communities)."
    )


def _story(info: Info, key: str) -> stories.Story:
    story = stories.find_story(info.context.store, key)
    if story is None:
        raise PublicError(f"no story {encode_id(key)!r} in this graph")
    return story


def story_node(record: stories.Story) -> Story:
    """The GraphQL story of a record."""
    return Story(
        key=record.key,
        id=strawberry.ID(encode_id(record.key)),
        size=record.size,
        first_published_at=record.first_at,
        last_published_at=record.last_at,
    )


def story_of(store: GraphStore, article: str) -> Story | None:
    """The GraphQL story of an article, or None."""
    record = stories.story_of(store, article)
    return None if record is None else story_node(record)


def decode_story_id(story_id: str) -> str:
    """The story key inside an ID, or a PublicError saying the ID is malformed."""
    key = decode_id(story_id)
    if key is None or not is_story(key):
        raise PublicError(f"malformed story ID {story_id[:60]!r}: pass a Story `id`")
    return key


def story_by_id(store: GraphStore, story_id: str) -> Story:
    """The story of an ID, or a PublicError."""
    record = stories.find_story(store, decode_story_id(story_id))
    if record is None:
        raise PublicError(f"no story with id {story_id[:60]!r} in this graph")
    return story_node(record)


def story_connection(
    store: GraphStore,
    flt: ArticleFilter | None,
    order_by: StoryOrder | None,
    first: int | None,
    after: str | None,
) -> StoryConnection:
    """A page of the stories that pass a filter, in an order."""
    order = stories.StoryOrder((order_by or StoryOrder.SIZE).name)
    keys, sort_key = stories.list_stories(store, flt.checked_spec(store) if flt else None, order)
    page = page_of(keys, sort_key, f"stories:{order.value}", first, after)
    found = stories.stories(store)
    return StoryConnection(
        edges=[
            StoryEdge(cursor=c, node=story_node(found.by_key[k]))
            for k, c in zip(page.keys, page.cursors, strict=True)
        ],
        page_info=page_info(page),
        total_count=page.total,
        method=found.method,
    )
