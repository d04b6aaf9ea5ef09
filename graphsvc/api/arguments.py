"""Descriptions of the schema's arguments, written once so that one argument reads the same on
every field, and built from the limits the graph layer enforces so that they never drift."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from graphsvc.api.limits import Limits
from graphsvc.graph.analytics.trends import MAX_BUCKETS
from graphsvc.graph.queries import MAX_PAGE
from graphsvc.graph.traversal import MAX_DEPTH, MAX_NODES, MAX_PATH_LENGTH, MAX_PATHS

# Defaults: each named once, read by the description, the signature and the fallback for an
# explicit null, so the three never disagree.
DEFAULT_FIRST = 20  #: a connection's page
DEFAULT_TOP = 10  #: a ranked list: search hits, trending, partners, central nodes, shares
DEFAULT_STORY_TOP = 5  #: a story's top topics and providers
DEFAULT_GRAPH_NODES = 50  #: nodes of a co-occurrence graph
DEFAULT_FACET_VALUES = 20  #: values of each facet
DEFAULT_DEPTH = 1
DEFAULT_LIMIT = 100
DEFAULT_MAX_LENGTH = 6
DEFAULT_K = 3
DEFAULT_MIN_COUNT = 1
DEFAULT_WINDOW = 7
DEFAULT_BASELINE = 8
# Enum arguments' defaults, by value name (each enum is declared beside its fields).
DEFAULT_ARTICLE_ORDER = "PUBLISHED_AT_DESC"
DEFAULT_STORY_ORDER = "SIZE"
DEFAULT_DIRECTION = "OUT"
DEFAULT_CENTRALITY = "PAGERANK"
DEFAULT_COOCCURRENCE_MEASURE = "COUNT"
DEFAULT_BUCKET = "MONTH"

#: Page-size arguments (`first`, `limit`) multiply the static query cost (api/limits.py).
COST = f"Counts toward the query cost budget (setting max_cost, GRAPHSVC_MAX_COST, default {Limits().max_cost:,})."


def name_or(value: Enum | None, default: str) -> str:
    """The value name of an enum argument, or its default's when it is null."""
    return default if value is None else value.name


def page_first(default: int = DEFAULT_FIRST) -> str:
    """`first` of a connection."""
    return f"Page size, 0 to {MAX_PAGE} (default {default}); outside that is an error. {COST}"


def list_first(what: str, default: int, cap: int = MAX_PAGE) -> str:
    """`first` of a plain list."""
    return f"Number of {what}, 0 to {cap} (default {default}); outside that is an error. {COST}"


AFTER = "Cursor from pageInfo.endCursor of a previous page of this same list and order: this page starts after that item, even after a reload. Omit it for the first page; an invalid cursor is an error."
ARTICLE_ORDER = f"Order of the articles (default {DEFAULT_ARTICLE_ORDER}, newest first); null means the default."
STORY_ORDER = (
    f"Order of the stories (default {DEFAULT_STORY_ORDER}, biggest first); null means the default."
)
DIRECTION = f"Which related articles (default {DEFAULT_DIRECTION}): OUT the ones this article lists, IN the ones that list it, BOTH the OUT list then the IN-only ones; null means the default."
CENTRALITY = f"Centrality measure (default {DEFAULT_CENTRALITY}); null means the default."
COOCCURRENCE_KIND = "Co-occurrence of topics or of providers."
COOCCURRENCE_MEASURE = (
    f"Weight of a pair (default {DEFAULT_COOCCURRENCE_MEASURE}); null means the default."
)
MIN_COUNT = (
    f"Least number of baskets (full articles) holding both of a pair (default {DEFAULT_MIN_COUNT})."
)
EDGE_KINDS = "Follow only edges of these kinds; null or empty follows every kind."
MAX_LENGTH = f"Longest path looked for, in edges, 1 to {MAX_PATH_LENGTH} (default {DEFAULT_MAX_LENGTH}); outside that is an error."
NODE_ID = "ID of any node (article, provider, topic or story), as its `id` field gives it; an unknown ID is an error."
TOPIC_NAME = (
    "Topic name, case-insensitive (as stored or as displayed); an unknown topic is an error."
)
PROVIDER_DOMAIN = (
    "Provider domain; case and a leading `www.` are ignored. An unknown domain is an error."
)
ARTICLE_FILTER = "Which articles; every condition given must hold. Without it, every full article (stubs left out)."

DEPTH = (
    f"Hops from the centre, 0 to {MAX_DEPTH} (default {DEFAULT_DEPTH}); outside that is an error."
)
LIMIT = f"Most nodes returned, the centre included, 1 to {MAX_NODES} (default {DEFAULT_LIMIT}); outside that is an error. When it cuts the neighbourhood short, `truncated` is true. {COST}"
K = f"Most paths returned, 1 to {MAX_PATHS} (default {DEFAULT_K}); outside that is an error."
BUCKET = f"Bucket size (default {DEFAULT_BUCKET}); null means the default. A range of over {MAX_BUCKETS:,} buckets is an error."

#: The two arguments of every connection, described alike everywhere.
PageFirst = Annotated[int | None, strawberry.argument(description=page_first())]
After = Annotated[str | None, strawberry.argument(description=AFTER)]
