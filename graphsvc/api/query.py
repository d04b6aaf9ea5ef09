"""The Query root: each resolver turns arguments into one call of a ``graph`` function."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graphsvc.api import arguments as doc
from graphsvc.api.analytics.stories import story_by_id
from graphsvc.api.arguments import After, PageFirst
from graphsvc.api.context import Info, PublicError, decode_id
from graphsvc.api.graphtypes import (
    GraphStats,
    IngestProblem,
    Path,
    SearchHit,
    Subgraph,
    graph_edges,
    nodes_of,
    problem_of,
    stats_of,
)
from graphsvc.api.types import (
    Article,
    ArticleConnection,
    ArticleFilter,
    ArticleOrder,
    EdgeKind,
    Node,
    Provider,
    ProviderConnection,
    ProviderEdge,
    Topic,
    TopicConnection,
    TopicEdge,
    any_node,
    article_node,
    filtered_connection,
    page_info,
    page_of,
    provider_node,
    topic_node,
)
from graphsvc.graph import queries, searching, traversal
from graphsvc.graph.queries import QueryError
from graphsvc.graph.search import MAX_QUERY_CHARS, MAX_QUERY_TERMS
from graphsvc.graph.store import GraphStore
from graphsvc.identity import is_story
from graphsvc.model import EdgeKind as ModelEdgeKind

#: The longest search string taken; a longer one is an error, not a silent cut.
MAX_SEARCH_CHARS = 1000
MAX_SEARCH_HITS = 100
SEARCH_QUERY = f"Plain text, at most {MAX_SEARCH_CHARS:,} characters (longer is an error); only the first {MAX_QUERY_CHARS} characters and {MAX_QUERY_TERMS} words are searched. Every word must match (when that finds nothing, any word may); a last word with no space after it also matches as a prefix."


def _kinds(edge_kinds: list[EdgeKind] | None) -> list[ModelEdgeKind] | None:
    return [ModelEdgeKind(k.name) for k in edge_kinds] if edge_kinds else None


def _key(store: GraphStore, node_id: strawberry.ID, argument: str) -> str:
    key = decode_id(str(node_id))
    if not store.has_node(key):
        raise PublicError(f"no node with {argument} {str(node_id)[:60]!r} in this graph")
    return key


def _path(store: GraphStore, keys: list[str]) -> Path:
    return Path(
        length=len(keys) - 1,
        nodes=nodes_of(store, keys),
        edges=graph_edges(store, traversal.path_edges(store, keys)),
    )


@strawberry.type(description="Read the news graph: lookups, lists, traversals, search and counts.")
class Query:
    @strawberry.field(
        description="Any node by its ID; null (with an error saying why) when unknown."
    )
    def node(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description=doc.NODE_ID)]
    ) -> Node | None:
        store = info.context.store
        key = decode_id(str(id))
        if is_story(key):
            return story_by_id(store, str(id))
        node = any_node(store, key)
        if node is None:
            raise PublicError(f"no node with id {str(id)[:60]!r} in this graph")
        return node

    @strawberry.field(
        description="Look an article up by any of its URLs; the URL is canonicalised first."
    )
    def article(
        self,
        info: Info,
        url: Annotated[
            str,
            strawberry.argument(
                description="Any of the article's URLs; canonicalised first (scheme and host lower-cased, fragment, `utm_*` parameters and a trailing `/` dropped). An unknown URL is an error."
            ),
        ],
    ) -> Article | None:
        store = info.context.store
        key = queries.find_article(store, url)
        if key is None:
            raise PublicError(f"no article with URL {url[:200]!r}")
        return article_node(store.articles[key])

    @strawberry.field(
        description="Articles that pass a filter, in an order, a page at a time (first ≤ 100)."
    )
    def articles(
        self,
        info: Info,
        filter: Annotated[
            ArticleFilter | None, strawberry.argument(description=doc.ARTICLE_FILTER)
        ] = None,
        order_by: Annotated[
            ArticleOrder | None, strawberry.argument(description=doc.ARTICLE_ORDER)
        ] = ArticleOrder.PUBLISHED_AT_DESC,
        first: PageFirst = 20,
        after: After = None,
    ) -> ArticleConnection:
        store = info.context.store
        spec = filter.checked_spec(store) if filter else queries.ArticleFilter()
        return filtered_connection(store, spec, order_by, first, after)

    @strawberry.field(description="Case-insensitive.")
    def topic(
        self, info: Info, name: Annotated[str, strawberry.argument(description=doc.TOPIC_NAME)]
    ) -> Topic | None:
        store = info.context.store
        key = queries.find_topic(store, name)
        if key is None:
            raise PublicError(f"no topic named {name[:200]!r}")
        return topic_node(store.topics[key])

    @strawberry.field(description="Ordered by articleCount, most first.")
    def topics(self, info: Info, first: PageFirst = 20, after: After = None) -> TopicConnection:
        store = info.context.store
        keys, sort_key = queries.count_order(store, "topic")
        page = page_of(keys, sort_key, "topics", first, after)
        return TopicConnection(
            edges=[
                TopicEdge(cursor=c, node=topic_node(store.topics[k]))
                for k, c in zip(page.keys, page.cursors, strict=True)
            ],
            page_info=page_info(page),
            total_count=page.total,
        )

    @strawberry.field(description="A provider by domain (case and a leading `www.` ignored).")
    def provider(
        self,
        info: Info,
        domain: Annotated[str, strawberry.argument(description=doc.PROVIDER_DOMAIN)],
    ) -> Provider | None:
        store = info.context.store
        key = queries.find_provider(store, domain)
        if key is None:
            raise PublicError(f"no provider with domain {domain[:200]!r}")
        return provider_node(store.providers[key])

    @strawberry.field(description="Ordered by articleCount, most first.")
    def providers(
        self, info: Info, first: PageFirst = 20, after: After = None
    ) -> ProviderConnection:
        store = info.context.store
        keys, sort_key = queries.count_order(store, "provider")
        page = page_of(keys, sort_key, "providers", first, after)
        return ProviderConnection(
            edges=[
                ProviderEdge(cursor=c, node=provider_node(store.providers[k]))
                for k, c in zip(page.keys, page.cursors, strict=True)
            ],
            page_info=page_info(page),
            total_count=page.total,
        )

    @strawberry.field(
        description="Full-text search over titles and excerpts of articles (and names of topics and providers), best first."
    )
    def search(
        self,
        info: Info,
        query: Annotated[str, strawberry.argument(description=SEARCH_QUERY)],
        first: Annotated[
            int | None,
            strawberry.argument(description=doc.list_first("hits", 10, MAX_SEARCH_HITS)),
        ] = 10,
    ) -> list[SearchHit]:
        if len(query) > MAX_SEARCH_CHARS:
            raise PublicError(
                f"`query` is {len(query):,} characters, over the limit of {MAX_SEARCH_CHARS:,}"
            )
        first = 10 if first is None else first
        try:
            queries.check_first(first, MAX_SEARCH_HITS)
        except QueryError as exc:
            raise PublicError(str(exc)) from None
        store = info.context.store
        hits = searching.search(store, query, first)
        out: list[SearchHit] = []
        for hit in hits:
            node = any_node(store, hit.key)
            if node is not None:
                out.append(SearchHit(score=hit.score, node=node, snippet=hit.snippet))
        return out

    @strawberry.field(
        description="Nodes within depth hops of id (edges followed in both directions), at most limit nodes (depth ≤ 3, limit ≤ 500)."
    )
    def neighborhood(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="ID of the centre node.")],
        depth: Annotated[int | None, strawberry.argument(description=doc.DEPTH)] = 1,
        edge_kinds: Annotated[
            list[EdgeKind] | None, strawberry.argument(description=doc.EDGE_KINDS)
        ] = None,
        limit: Annotated[int | None, strawberry.argument(description=doc.LIMIT)] = 100,
    ) -> Subgraph:
        store = info.context.store
        key = _key(store, id, "id")
        try:
            sub = traversal.neighborhood(
                store,
                key,
                1 if depth is None else depth,
                _kinds(edge_kinds),
                100 if limit is None else limit,
            )
        except QueryError as exc:
            raise PublicError(str(exc)) from None
        return Subgraph(
            nodes=nodes_of(store, sub.nodes),
            edges=graph_edges(store, sub.edges),
            truncated=sub.truncated,
        )

    @strawberry.field(
        description="A shortest path, edges followed in both directions; null when none within maxLength (≤ 10)."
    )
    def shortest_path(
        self,
        info: Info,
        from_: Annotated[
            strawberry.ID, strawberry.argument(name="from", description="Start node ID.")
        ],
        to: Annotated[strawberry.ID, strawberry.argument(description="End node ID.")],
        edge_kinds: Annotated[
            list[EdgeKind] | None, strawberry.argument(description=doc.EDGE_KINDS)
        ] = None,
        max_length: Annotated[int | None, strawberry.argument(description=doc.MAX_LENGTH)] = 6,
    ) -> Path | None:
        store = info.context.store
        source, target = _key(store, from_, "from"), _key(store, to, "to")
        try:
            keys = traversal.shortest_path(
                store, source, target, _kinds(edge_kinds), 6 if max_length is None else max_length
            )
        except QueryError as exc:
            raise PublicError(str(exc)) from None
        return _path(store, keys) if keys else None

    @strawberry.field(
        description="Up to k (≤ 5) shortest simple paths, shortest first, each hop explained; empty when none within maxLength."
    )
    def shortest_paths(
        self,
        info: Info,
        from_: Annotated[
            strawberry.ID, strawberry.argument(name="from", description="Start node ID.")
        ],
        to: Annotated[strawberry.ID, strawberry.argument(description="End node ID.")],
        edge_kinds: Annotated[
            list[EdgeKind] | None, strawberry.argument(description=doc.EDGE_KINDS)
        ] = None,
        max_length: Annotated[int | None, strawberry.argument(description=doc.MAX_LENGTH)] = 6,
        k: Annotated[int, strawberry.argument(description=doc.K)] = 3,
    ) -> list[Path]:
        store = info.context.store
        source, target = _key(store, from_, "from"), _key(store, to, "to")
        try:
            paths = traversal.shortest_paths(
                store,
                source,
                target,
                _kinds(edge_kinds),
                6 if max_length is None else max_length,
                k,
            )
        except QueryError as exc:
            raise PublicError(str(exc)) from None
        return [_path(store, p) for p in paths]

    @strawberry.field(description="Counts of the graph.")
    def stats(self, info: Info) -> GraphStats:
        return stats_of(info.context.store)

    @strawberry.field(
        description="Files the ingest rejected (and, with warnings: true, every warning), by path."
    )
    def ingest_problems(
        self,
        info: Info,
        warnings: Annotated[
            bool,
            strawberry.argument(
                description="Also list every warning, not only rejected files (default false)."
            ),
        ] = False,
    ) -> list[IngestProblem]:
        report = info.context.store.report
        problems = [*report.rejected, *(report.warnings if warnings else [])]
        return [problem_of(p) for p in problems]
