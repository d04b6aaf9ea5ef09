"""GraphQL types of the graph's nodes and their connections. Resolvers only call ``graph``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from graphsvc.api import arguments as doc
from graphsvc.api.arguments import After, PageFirst
from graphsvc.api.context import Info, PublicError
from graphsvc.graph import queries
from graphsvc.graph.queries import ArticleFilter as FilterSpec
from graphsvc.graph.queries import QueryError, SortKey
from graphsvc.graph.store import GraphStore
from graphsvc.identity import encode_id
from graphsvc.model import Article as ArticleRecord
from graphsvc.model import Provider as ProviderRecord
from graphsvc.model import Topic as TopicRecord

if TYPE_CHECKING:
    from graphsvc.api.analytics import CentralityMeasure, ProviderShare, Story, TopicShare

_ANALYTICS = "graphsvc.api.analytics"


@strawberry.enum(description="The kinds of edge in the graph.")
class EdgeKind(Enum):
    RELATED = strawberry.enum_value(
        "RELATED",
        description="Article to article: the source lists the target as related (the edge has a rank).",
    )
    PUBLISHED_BY = strawberry.enum_value(
        "PUBLISHED_BY", description="Article to provider: the provider published the article."
    )
    TAGGED = strawberry.enum_value(
        "TAGGED", description="Article to topic: the article carries the topic."
    )


@strawberry.enum(description="Which related articles: an article's own list, its listers, or both.")
class Direction(Enum):
    OUT = strawberry.enum_value(
        "OUT", description="The articles this article lists as related, in its list's order."
    )
    IN = strawberry.enum_value(
        "IN", description="The articles that list this article as related, by URL."
    )
    BOTH = strawberry.enum_value(
        "BOTH", description="The OUT list, then the IN articles not already in it (by URL)."
    )


@strawberry.enum(description="Orders of article lists; ties are broken by the article's URL.")
class ArticleOrder(Enum):
    PUBLISHED_AT_DESC = strawberry.enum_value(
        "PUBLISHED_AT_DESC", description="Newest first, undated last."
    )
    PUBLISHED_AT_ASC = strawberry.enum_value(
        "PUBLISHED_AT_ASC", description="Oldest first, undated last."
    )
    QUALITY_DESC = strawberry.enum_value(
        "QUALITY_DESC", description="Highest quality first, no quality last, then newest first."
    )


@strawberry.type(description="Pagination state of a connection (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items come before this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item: pass it as `after`."
    )


@strawberry.type(description="An image of an article.")
class Image:
    url: str = strawberry.field(description="Image URL, as the document gives it.")
    width: int | None = strawberry.field(description="Width in pixels, where known.")
    height: int | None = strawberry.field(description="Height in pixels, where known.")


@strawberry.interface(description="Relay global object identification.")
class Node:
    id: strawberry.ID = strawberry.field(
        description="Opaque ID, stable across restarts for the same corpus."
    )


@strawberry.type(
    description="A news article: read from a document, or a stub known from related lists."
)
class Article(Node):
    key: strawberry.Private[str]
    url: str = strawberry.field(description="Canonical URL: the article's identity.")
    title: str = strawberry.field(
        description="Title, cleaned for display (entities decoded, mojibake repaired)."
    )
    excerpt: str | None = strawberry.field(description="Excerpt, cleaned for display.")
    published_at: datetime | None = strawberry.field(description="Publication time, UTC.")
    type: str | None = strawberry.field(
        description="Item type as the document gives it: article, video, …"
    )
    quality: int | None = strawberry.field(
        description="Quality score from the document, where an integer."
    )
    heat: int | None = strawberry.field(
        description="Heat score from the document, where an integer."
    )
    published: bool | None = strawberry.field(description="The document's `published` flag.")
    removed: bool | None = strawberry.field(
        description="The document's `removed` flag (a field, not a deletion)."
    )
    is_stub: bool = strawberry.field(
        description="True when the article is known only from another article's related list."
    )
    source_paths: list[str] = strawberry.field(
        description="Corpus-relative paths of the documents behind this article."
    )

    @strawberry.field(description="The article's publisher.")
    def provider(self, info: Info) -> Provider | None:
        store = info.context.store
        return provider_node(store.providers[store.articles[self.key].provider])

    @strawberry.field(description="Topics of the article, in document order.")
    def topics(self, info: Info) -> list[Topic]:
        store = info.context.store
        return [topic_node(store.topics[k]) for k in store.articles[self.key].topics]

    @strawberry.field(description="Images of the article.")
    def images(self, info: Info) -> list[Image]:
        return [
            Image(url=i.url, width=i.width, height=i.height)
            for i in info.context.store.articles[self.key].images
        ]

    @strawberry.field(
        description="OUT: the articles this one lists as related; IN: the articles that list this one."
    )
    def related(
        self,
        info: Info,
        direction: Annotated[
            Direction | None, strawberry.argument(description=doc.DIRECTION)
        ] = Direction.OUT,
        first: PageFirst = 20,
        after: After = None,
    ) -> ArticleConnection:
        store = info.context.store
        keys, sort_key = queries.related_keys(store, self.key, (direction or Direction.OUT).name)
        kind = f"related:{(direction or Direction.OUT).name}"
        return article_connection(store, keys, sort_key, kind, first, after)

    @strawberry.field(description="Number of edges in and out of this node.")
    def degree(self, info: Info) -> int:
        return info.context.store.degree(self.key)

    @strawberry.field(
        description="The story the article belongs to; null for stubs and for articles with no RELATED link to another full article."
    )
    def story(self, info: Info) -> Annotated[Story, strawberry.lazy(_ANALYTICS)] | None:
        from graphsvc.api.analytics import story_of

        return story_of(info.context.store, self.key)

    @strawberry.field(
        description="1-based centrality rank among all articles (PageRank on RELATED unless asked otherwise); equal scores share a rank."
    )
    def rank(
        self,
        info: Info,
        measure: Annotated[
            Annotated[CentralityMeasure, strawberry.lazy(_ANALYTICS)] | None,
            strawberry.argument(description=doc.CENTRALITY),
        ] = None,
    ) -> int | None:
        from graphsvc.api.analytics import rank_of

        return rank_of(info.context.store, self.key, measure)


@strawberry.type(description="A provider (publisher), identified by its domain.")
class Provider(Node):
    key: strawberry.Private[str]
    name: str = strawberry.field(
        description="Display name: the most frequent name seen for the domain."
    )
    domain: str = strawberry.field(description="Domain, lower-cased, without `www.`.")
    article_count: int = strawberry.field(
        description="Number of non-stub articles published by this provider."
    )

    @strawberry.field(description="The provider's articles (stubs not included).")
    def articles(
        self,
        info: Info,
        first: PageFirst = 20,
        after: After = None,
        order_by: Annotated[
            ArticleOrder | None, strawberry.argument(description=doc.ARTICLE_ORDER)
        ] = ArticleOrder.PUBLISHED_AT_DESC,
    ) -> ArticleConnection:
        return filtered_connection(
            info.context.store, FilterSpec(providers=(self.domain,)), order_by, first, after
        )

    @strawberry.field(description="Number of edges in and out of this node.")
    def degree(self, info: Info) -> int:
        return info.context.store.degree(self.key)

    @strawberry.field(
        description="1-based centrality rank among all providers (PageRank on their RELATED links unless asked otherwise); equal scores share a rank."
    )
    def rank(
        self,
        info: Info,
        measure: Annotated[
            Annotated[CentralityMeasure, strawberry.lazy(_ANALYTICS)] | None,
            strawberry.argument(description=doc.CENTRALITY),
        ] = None,
    ) -> int | None:
        from graphsvc.api.analytics import rank_of

        return rank_of(info.context.store, self.key, measure)

    @strawberry.field(
        description="The provider's topics, most articles first, with the share of its articles that carry each."
    )
    def topic_mix(
        self,
        info: Info,
        first: Annotated[
            int | None, strawberry.argument(description=doc.list_first("topics", 10))
        ] = 10,
    ) -> list[Annotated[TopicShare, strawberry.lazy(_ANALYTICS)]]:
        from graphsvc.api.analytics import topic_mix

        return topic_mix(info.context.store, self.key, first)

    @strawberry.field(
        description="Coverage overlap: the other providers whose articles this provider's articles most often list as related."
    )
    def coverage_overlap(
        self,
        info: Info,
        first: Annotated[
            int | None, strawberry.argument(description=doc.list_first("providers", 10))
        ] = 10,
    ) -> list[Annotated[ProviderShare, strawberry.lazy(_ANALYTICS)]]:
        from graphsvc.api.analytics import coverage_overlap

        return coverage_overlap(info.context.store, self.key, first)


@strawberry.type(description="A topic, identified by its case-folded name.")
class Topic(Node):
    key: strawberry.Private[str]
    name: str = strawberry.field(description="Display name: the most frequent spelling.")
    article_count: int = strawberry.field(
        description="Number of non-stub articles tagged with this topic."
    )

    @strawberry.field(description="The topic's articles.")
    def articles(
        self,
        info: Info,
        first: PageFirst = 20,
        after: After = None,
        order_by: Annotated[
            ArticleOrder | None, strawberry.argument(description=doc.ARTICLE_ORDER)
        ] = ArticleOrder.PUBLISHED_AT_DESC,
    ) -> ArticleConnection:
        return filtered_connection(
            info.context.store, FilterSpec(topic_keys=(self.key,)), order_by, first, after
        )


@strawberry.type(description="An article in a connection, with its cursor.")
class ArticleEdge:
    cursor: str = strawberry.field(description="Opaque keyset cursor: stable across reloads.")
    node: Article = strawberry.field(description="The article.")


@strawberry.type(description="A page of articles.")
class ArticleConnection:
    edges: list[ArticleEdge] = strawberry.field(description="The articles of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    total_count: int = strawberry.field(description="Number of articles in the whole list.")


@strawberry.type(description="A provider in a connection, with its cursor.")
class ProviderEdge:
    cursor: str = strawberry.field(description="Opaque keyset cursor.")
    node: Provider = strawberry.field(description="The provider.")


@strawberry.type(description="A page of providers.")
class ProviderConnection:
    edges: list[ProviderEdge] = strawberry.field(description="The providers of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    total_count: int = strawberry.field(description="Number of providers in the whole list.")


@strawberry.type(description="A topic in a connection, with its cursor.")
class TopicEdge:
    cursor: str = strawberry.field(description="Opaque keyset cursor.")
    node: Topic = strawberry.field(description="The topic.")


@strawberry.type(description="A page of topics.")
class TopicConnection:
    edges: list[TopicEdge] = strawberry.field(description="The topics of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    total_count: int = strawberry.field(description="Number of topics in the whole list.")


@strawberry.input(description="Which articles a list holds. All given conditions must hold.")
class ArticleFilter:
    topics: list[str] | None = strawberry.field(
        default=None, description="Topic names, case-insensitive: the article carries all of them."
    )
    providers: list[str] | None = strawberry.field(
        default=None, description="Provider domains: the article comes from any of them."
    )
    published_after: datetime | None = strawberry.field(
        default=None, description="Published at or after this time."
    )
    published_before: datetime | None = strawberry.field(
        default=None, description="Published before this time."
    )
    min_quality: int | None = strawberry.field(default=None, description="Quality at least this.")
    include_stubs: bool | None = strawberry.field(
        default=False, description="Stubs are left out unless this is true."
    )

    def to_spec(self) -> FilterSpec:
        """The graph layer's filter."""
        return FilterSpec(
            topics=tuple(self.topics or ()),
            providers=tuple(self.providers or ()),
            published_after=self.published_after,
            published_before=self.published_before,
            min_quality=self.min_quality,
            include_stubs=bool(self.include_stubs),
        )

    def checked_spec(self, store: GraphStore) -> FilterSpec:
        """The graph layer's filter, once every topic and provider it names is known to the
        graph: an unknown one is an error naming it, not an empty answer."""
        spec = self.to_spec()
        try:
            queries.check_filter(store, spec)
        except QueryError as exc:
            raise PublicError(str(exc)) from None
        return spec


# Conversions -------------------------------------------------------------------------
def article_node(record: ArticleRecord) -> Article:
    """The GraphQL article of a record."""
    return Article(
        key=record.key,
        id=strawberry.ID(encode_id(record.key)),
        url=record.url,
        title=record.title,
        excerpt=record.excerpt,
        published_at=record.published_at,
        type=record.type,
        quality=record.quality,
        heat=record.heat,
        published=record.published,
        removed=record.removed,
        is_stub=record.is_stub,
        source_paths=list(record.sources),
    )


def provider_node(record: ProviderRecord) -> Provider:
    """The GraphQL provider of a record."""
    return Provider(
        key=record.key,
        id=strawberry.ID(encode_id(record.key)),
        name=record.name,
        domain=record.domain,
        article_count=record.article_count,
    )


def topic_node(record: TopicRecord) -> Topic:
    """The GraphQL topic of a record."""
    return Topic(
        key=record.key,
        id=strawberry.ID(encode_id(record.key)),
        name=record.name,
        article_count=record.article_count,
    )


def any_node(store: GraphStore, key: str) -> Article | Provider | Topic | None:
    """The GraphQL node of any key in the store."""
    if key in store.articles:
        return article_node(store.articles[key])
    if key in store.providers:
        return provider_node(store.providers[key])
    if key in store.topics:
        return topic_node(store.topics[key])
    return None


def page_of(
    keys: Sequence[str],
    sort_key: Callable[[str], SortKey],
    kind: str,
    first: int | None,
    after: str | None,
) -> queries.Page:
    """A keyset page, with graph errors turned into client errors."""
    try:
        return queries.paginate(keys, sort_key, kind, 20 if first is None else first, after)
    except QueryError as exc:
        raise PublicError(str(exc)) from None


def page_info(page: queries.Page) -> PageInfo:
    """Relay page info of a page."""
    return PageInfo(
        has_next_page=page.has_next,
        has_previous_page=page.has_previous,
        start_cursor=page.cursors[0] if page.cursors else None,
        end_cursor=page.cursors[-1] if page.cursors else None,
    )


def article_connection(
    store: GraphStore,
    keys: Sequence[str],
    sort_key: Callable[[str], SortKey],
    kind: str,
    first: int | None,
    after: str | None,
) -> ArticleConnection:
    """A page of articles as a connection."""
    page = page_of(keys, sort_key, kind, first, after)
    return ArticleConnection(
        edges=[
            ArticleEdge(cursor=c, node=article_node(store.articles[k]))
            for k, c in zip(page.keys, page.cursors, strict=True)
        ],
        page_info=page_info(page),
        total_count=page.total,
    )


def filtered_connection(
    store: GraphStore,
    spec: FilterSpec,
    order_by: ArticleOrder | None,
    first: int | None,
    after: str | None,
) -> ArticleConnection:
    """A page of the articles that pass a filter, in an order."""
    order = queries.ArticleOrder((order_by or ArticleOrder.PUBLISHED_AT_DESC).name)
    keys = queries.filter_articles(store, spec, order)
    return article_connection(
        store, keys, queries.article_sort_key(store, order), f"articles:{order.value}", first, after
    )
