"""Which part of the graph an export holds: the whole graph, a filter's articles, a seed's
surroundings, or a filter applied within a seed's surroundings.

Rules: articles pull in their providers and topics; an edge goes out only when both of its
ends do; RELATED ranks stay the ranks of the full related list, so a filtered export may show
gaps. With no filter and no seed the export is the whole graph, stubs
included; once any filter option is given, ``ArticleFilter``'s rules apply (stubs left out
unless ``includeStubs``), so a filtered export holds exactly what ``articles(filter:)`` lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, date, datetime

from graphsvc.errors import GraphsvcError
from graphsvc.graph.nxraw import succ_dicts
from graphsvc.graph.queries import (
    ArticleFilter,
    QueryError,
    filter_articles,
    find_article,
    find_provider,
    find_topic,
)
from graphsvc.graph.store import GraphStore
from graphsvc.graph.traversal import MAX_SEED_DEPTH, iter_neighbors, seed_hops
from graphsvc.identity import decode_id, is_article, kind_of
from graphsvc.model import EdgeKind, NodeKind

#: The deepest seed neighbourhood an export takes (each hop through a topic can reach most
#: of the graph, so more would only repeat the whole graph).
MAX_DEPTH = MAX_SEED_DEPTH
_ALL_KINDS = frozenset(k.value for k in EdgeKind)
_EDGE_KIND = {k.value: k for k in EdgeKind}

#: An exported edge: source, target, kind and (RELATED only) its rank in the full list.
Edge = tuple[str, str, EdgeKind, int | None]


class SelectionError(GraphsvcError):
    """A selection argument that cannot be used; ``parameter`` names it (HTTP spelling)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True, slots=True)
class SelectionSpec:
    """What to export: an optional article filter and an optional seed node key with a depth."""

    filter: ArticleFilter | None = None
    seed: str | None = None
    depth: int = 1


@dataclass(frozen=True, slots=True)
class Selection:
    """Node keys by kind, in export order, and (``members``) the set they make; ``members`` is
    None for the whole graph, where every edge goes out."""

    store: GraphStore
    articles: Sequence[str]
    providers: Sequence[str]
    topics: Sequence[str]
    members: AbstractSet[str] | None = None

    def nodes(self) -> Iterator[str]:
        """Every selected node: articles, then providers, then topics."""
        yield from self.articles
        yield from self.providers
        yield from self.topics

    @property
    def node_count(self) -> int:
        """Number of selected nodes."""
        return len(self.articles) + len(self.providers) + len(self.topics)

    def edges(self, kind: EdgeKind | None = None) -> Iterator[Edge]:
        """Edges whose two ends are selected (of one kind, or all), grouped by source article
        in export order, each article's in stored order (RELATED by rank)."""
        succ = succ_dicts(self.store.graph)  # the plain dicts: NetworkX's views cost 3x per edge
        members = self.members
        wanted = kind.value if kind is not None else None
        for source in self.articles:
            rank = 0
            for target, data in succ[source].items():
                name = data["kind"]
                if name == "RELATED":
                    rank += 1
                if wanted is not None and name != wanted:
                    continue
                if members is not None and target not in members:
                    continue
                yield source, target, _EDGE_KIND[name], rank if name == "RELATED" else None

    def edge_count(self) -> int:
        """Number of selected edges (a pass over them unless the whole graph is selected)."""
        if self.members is None:
            return int(self.store.graph.number_of_edges())
        return sum(1 for _ in self.edges())

    @property
    def is_whole_graph(self) -> bool:
        """Whether every node and edge is selected."""
        return self.members is None


def select(store: GraphStore, spec: SelectionSpec | None = None) -> Selection:
    """The selection a spec picks (see the module's rules)."""
    spec = spec or SelectionSpec()
    if spec.filter is None and spec.seed is None:
        return Selection(
            store,
            articles=(*store.full_by_date, *store.stubs_by_date),
            providers=sorted(store.providers),
            topics=sorted(store.topics),
        )
    articles: Sequence[str]
    if spec.seed is not None:
        around = neighborhood_keys(store, spec.seed, spec.depth)
        if spec.filter is None:
            articles = [k for k in around if is_article(k)]
        else:
            articles = [k for k in filter_articles(store, spec.filter) if k in around]
    else:
        articles = filter_articles(store, spec.filter)
    providers = {store.articles[k].provider for k in articles}
    topics = {t for k in articles for t in store.articles[k].topics}
    if spec.seed is not None and not is_article(spec.seed):
        (providers if kind_of(spec.seed) is NodeKind.PROVIDER else topics).add(spec.seed)
    members = {*articles, *providers, *topics}
    return Selection(store, articles, sorted(providers), sorted(topics), members)


def neighborhood_keys(store: GraphStore, seed: str, depth: int) -> dict[str, int]:
    """Every node within ``depth`` hops of ``seed`` (edges followed both ways), with its
    distance, nearest first; no node cap, unlike the API's bounded ``neighborhood``."""
    seen = {seed: 0}
    frontier = [seed]
    for distance in range(1, depth + 1):
        next_frontier: list[str] = []
        for node in frontier:
            for neighbor in iter_neighbors(store, node, _ALL_KINDS):
                if neighbor not in seen:
                    seen[neighbor] = distance
                    next_frontier.append(neighbor)
        if not next_frontier:
            break
        frontier = next_frontier
    return seen


# Parsing user input (CLI options and HTTP query parameters alike) ----------------------
def parse_spec(
    store: GraphStore,
    *,
    topics: Iterable[str] = (),
    providers: Iterable[str] = (),
    after: str | None = None,
    before: str | None = None,
    min_quality: str | int | None = None,
    include_stubs: str | bool | None = None,
    seed: str | None = None,
    depth: str | int | None = None,
) -> SelectionSpec:
    """A spec from raw option values, checked against the store; a SelectionError names the
    first bad parameter (unknown topic, provider or seed, bad date, number or flag)."""
    topic_names = tuple(topics)
    for name in topic_names:
        if find_topic(store, name) is None:
            raise SelectionError("topic", f"no topic named {name[:200]!r} in this graph")
    domains = tuple(providers)
    for domain in domains:
        if find_provider(store, domain) is None:
            raise SelectionError("provider", f"no provider with domain {domain[:200]!r}")
    published_after = parse_time(after, "after") if after is not None else None
    published_before = parse_time(before, "before") if before is not None else None
    quality = _parse_int(min_quality, "minQuality") if min_quality is not None else None
    stubs = _parse_bool(include_stubs, "includeStubs") if include_stubs is not None else None
    seed_key = resolve_seed(store, seed) if seed is not None else None
    asked = None if depth is None else _parse_int(depth, "depth")
    try:
        hops = seed_hops(asked, seed_key is not None)
    except QueryError as exc:
        raise SelectionError("depth", str(exc)) from None
    given = (topic_names, domains, after, before, min_quality, include_stubs)
    flt = None
    if any(v is not None and v != () for v in given):
        flt = ArticleFilter(
            topics=topic_names,
            providers=domains,
            published_after=published_after,
            published_before=published_before,
            min_quality=quality,
            include_stubs=bool(stubs),
        )
    return SelectionSpec(flt, seed_key, hops)


def parse_time(text: str, parameter: str) -> datetime:
    """A time from ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ISO 8601; naive means UTC.

    >>> parse_time("2021", "after").isoformat()
    '2021-01-01T00:00:00+00:00'
    >>> parse_time("2021-06-01T12:00:00+02:00", "after").isoformat()
    '2021-06-01T10:00:00+00:00'
    """
    value = text.strip()
    try:
        if len(value) == 4 and value.isdigit():
            parsed = datetime(int(value), 1, 1)
        elif len(value) == 7 and value[4] == "-":
            parsed = datetime(int(value[:4]), int(value[5:]), 1)
        elif len(value) == 10:
            parsed = datetime.combine(date.fromisoformat(value), datetime.min.time())
        else:
            parsed = datetime.fromisoformat(value)
    except ValueError:
        raise SelectionError(
            parameter,
            f"`{parameter}` is not a date: {text[:60]!r}"
            " (use YYYY, YYYY-MM, YYYY-MM-DD or ISO 8601 like 2021-06-01T12:00:00Z)",
        ) from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is in year 0 in UTC
        raise SelectionError(
            parameter,
            f"`{parameter}` is out of range: {text[:60]!r} falls outside years 1 to 9999 in UTC",
        ) from None


def _parse_int(value: str | int, parameter: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise SelectionError(
            parameter, f"`{parameter}` must be a whole number (got {str(value)[:60]!r})"
        ) from None


def _parse_bool(value: str | bool, parameter: str) -> bool:
    if isinstance(value, bool):
        return value
    text = value.strip().lower()
    if text in {"", "1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise SelectionError(parameter, f"`{parameter}` must be true or false (got {value[:60]!r})")


def resolve_seed(store: GraphStore, text: str) -> str:
    """The node key a seed names: an article URL, a node ID as the API gives it, or a node key
    (``a:``, ``p:``, ``t:`` prefix)."""
    value = text.strip()
    if store.has_node(value):
        return value
    key = find_article(store, value)
    if key is not None:
        return key
    decoded = decode_id(value)
    if decoded is not None and store.has_node(decoded):
        return decoded
    raise SelectionError(
        "seed",
        f"no node for seed {text[:200]!r}: give an article URL or a node ID from the API",
    )
