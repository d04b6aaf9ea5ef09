"""Issue 3 acceptance: keyset cursors survive a reload between pages.

A client walks a list page by page; in the middle of the walk the service reloads the corpus with
documents added, and the client carries on with its old ``endCursor`` against the new snapshot.
The walk must see every original item exactly once, in order, and of the added documents exactly
those that sort after the cursor (the ones that sort before it are behind the reader: not seen).

The expected lists are a brute-force filter and sort over the stores' records, in the documented
orders, never graphsvc's own ordering; the added documents are placed relative to the reload
position by the fixture, which checks its own plan before any walk runs.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import strawberry

from graphsvc.api.context import Context
from graphsvc.corpus import load_store
from graphsvc.graph.store import GraphStore
from graphsvc.model import Article

# The reload happens after this many pages of each walk (first, pages before the reload).
AZURE_FIRST, AZURE_RELOAD = 7, 50  # 350 of 1,368 seen
QUALITY_FIRST, QUALITY_RELOAD = 25, 25  # 625 of 1,368 seen
ASC_FIRST, ASC_RELOAD = 7, 50  # 350 of the 615 microsoft.com Azure articles seen
TOPICS_FIRST, TOPICS_RELOAD = 1, 19  # 19 of 20 topics seen: the cursor is at Mobile (5)
PROVIDERS_FIRST, PROVIDERS_RELOAD = 7, 30  # 210 of 409 providers seen (in the 1-article run)

ALPHA, ZULU = "Alpha Reload", "Zulu Reload"  # topics that only the added documents carry


# Brute-force orders (the documented ones) --------------------------------------------------
def _ts(a: Article) -> float:
    assert a.published_at is not None
    return a.published_at.timestamp()


def desc_key(a: Article) -> tuple[Any, ...]:
    """Newest first, undated last, ties by URL ascending."""
    return (1, 0.0, a.url) if a.published_at is None else (0, -_ts(a), a.url)


def asc_key(a: Article) -> tuple[Any, ...]:
    """Oldest first, undated last, ties by URL ascending."""
    return (1, 0.0, a.url) if a.published_at is None else (0, _ts(a), a.url)


def quality_key(a: Article) -> tuple[Any, ...]:
    """Highest quality first, null quality last, then newest first, ties by URL."""
    return (a.quality is None, -(a.quality or 0), *desc_key(a))


def article_list(
    store: GraphStore,
    key: Callable[[Article], tuple[Any, ...]],
    topic: str | None = None,
    provider: str | None = None,
) -> list[str]:
    """URLs of the full articles passing the (topic, provider) filter, in ``key`` order."""
    chosen = [
        a
        for a in store.articles.values()
        if not a.is_stub
        and (topic is None or f"t:{topic.casefold()}" in a.topics)
        and (provider is None or a.provider == f"p:{provider}")
    ]
    return [a.url for a in sorted(chosen, key=key)]


def topic_list(store: GraphStore) -> list[str]:
    """Folded topic names by article count, most first, ties by name."""
    counts = {k[2:]: t.article_count for k, t in store.topics.items()}
    return sorted(counts, key=lambda n: (-counts[n], n))


def provider_list(store: GraphStore) -> list[str]:
    """Provider domains by article count, most first, ties by domain."""
    counts = {p.domain: p.article_count for p in store.providers.values()}
    return sorted(counts, key=lambda d: (-counts[d], d))


# The reloaded corpus -----------------------------------------------------------------------
@dataclass
class Reload:
    old: GraphStore
    new: GraphStore
    added: dict[str, str]  # name -> URL of every added document


def _document(
    url: str,
    title: str,
    topics: list[str],
    domain: str,
    published: datetime | None,
    quality: int | None,
) -> str:
    lines = ["---", f'title: "{title}"', f'webUrl: "{url}"', "type: article"]
    if published is not None:
        lines.append(f"publishedDateTime: {published.astimezone(UTC).isoformat()}")
    if quality is not None:
        lines.append(f"quality: {quality}")
    lines += ["provider:", "  name: Added", f"  domain: {domain}", "topics:"]
    lines += [f"  - {t}" for t in topics]
    return "\n".join([*lines, "---", ""])


@pytest.fixture(scope="module")
def reload(
    news_store: GraphStore, news_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Reload:
    """The corpus copied with six documents added, placed around each walk's reload point."""
    old = news_store
    azure_desc = article_list(old, desc_key, topic="azure")
    by_quality = article_list(old, quality_key)
    assert len(azure_desc) == len(by_quality) == 1368  # DATA-MODEL.md: every article is Azure
    cursor = old.url_index[azure_desc[AZURE_FIRST * AZURE_RELOAD - 1]]
    cursor_at = old.articles[cursor].published_at
    assert cursor_at is not None

    def article_at(urls: list[str], i: int) -> Article:
        return old.articles[old.url_index[urls[i]]]

    late, early = article_at(azure_desc, 100), article_at(azure_desc, 1200)
    q_late, q_early = article_at(by_quality, 100).quality, article_at(by_quality, 1200).quality
    assert late.published_at and early.published_at
    ms = "microsoft.com"
    plan = {
        # Same date as the Azure walk's cursor item; the URL decides which side it falls.
        "tie_before": ("https://aaa-reload.example/tie", [ALPHA], ms, cursor_at, 37),
        "tie_after": ("https://zzz-reload.example/tie", [ALPHA], ms, cursor_at, 37),
        # Newer and better than the reload points (DESC, QUALITY) / later than the ASC one.
        "late": (
            "https://reload.example/late",
            [ALPHA],
            ms,
            late.published_at - timedelta(seconds=1),
            q_late,
        ),
        # Older and worse than the reload points (DESC, QUALITY) / earlier than the ASC one.
        "early": (
            "https://reload.example/early",
            [ALPHA],
            ms,
            early.published_at + timedelta(seconds=1),
            q_early,
        ),
        # New providers with one article each: the first sorts before the providers' cursor.
        "provider_before": (
            "https://reload.example/provider-aaa",
            [ALPHA],
            "aaa-reload.example",
            datetime(2020, 6, 15, 12, tzinfo=UTC),
            37,
        ),
        # Undated, no quality: last in every order; its provider sorts after the cursor.
        "provider_after": (
            "https://reload.example/provider-zzz",
            [ZULU],
            "zzz-reload.example",
            None,
            None,
        ),
    }
    root = tmp_path_factory.mktemp("reload") / "news"
    shutil.copytree(news_dir, root)
    for name, (url, topics, domain, published, quality) in plan.items():
        text = _document(url, f"Added {name}", ["Azure", *topics], domain, published, quality)
        (root / f"zz-added-{name}.md").write_text(text, encoding="utf-8")
    new = load_store(root, cache_dir=tmp_path_factory.mktemp("reload-cache"))
    assert not new.report.rejected
    added = {name: spec[0] for name, spec in plan.items()}
    assert new.counts.articles == old.counts.articles + len(added)
    assert new.topics["t:alpha reload"].article_count == 5
    assert new.topics["t:zulu reload"].article_count == 1
    return Reload(old, new, added)


# Walking -----------------------------------------------------------------------------------
def _execute(
    schema: strawberry.Schema, store: GraphStore, query: str, **variables: Any
) -> dict[str, Any]:
    result = schema.execute_sync(query, variable_values=variables, context_value=Context(store))
    assert not result.errors, result.errors
    assert result.data is not None
    return result.data


def walk_with_reload(
    schema: strawberry.Schema,
    stores: Reload,
    query: str,
    path: list[str],
    ident: Callable[[dict[str, Any]], str],
    first: int,
    reload_after: int,
    **variables: Any,
) -> list[str]:
    """Every item of a connection; pages after ``reload_after`` come from the new store."""
    seen: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        store = stores.old if pages < reload_after else stores.new
        data: Any = _execute(schema, store, query, first=first, after=after, **variables)
        for key in path:
            data = data[key]
        seen += [ident(e["node"]) for e in data["edges"]]
        pages += 1
        info = data["pageInfo"]
        if pages <= reload_after:
            assert info["hasNextPage"], "the walk ended before the reload point"
        if not info["hasNextPage"]:
            assert pages < 1000
            return seen
        after = info["endCursor"]


def check_walk(
    seen: list[str],
    old_list: list[str],
    new_list: list[str],
    added: set[str],
    n_before_reload: int,
) -> None:
    """The walk equals the old list up to the cursor, then the new list after the cursor."""
    old_set = set(old_list)
    # The plan behind the test: the new list is the old one with added items put in place,
    # and the reload happens with added items on both sides of the cursor.
    assert [x for x in new_list if x in old_set] == old_list
    assert set(new_list) - old_set <= added
    cursor_item = old_list[n_before_reload - 1]
    at = new_list.index(cursor_item)
    before = {x for x in new_list[: at + 1] if x not in old_set}
    after = {x for x in new_list[at + 1 :] if x not in old_set}
    assert before, "the test needs an added item that sorts before the cursor"
    assert after, "the test needs an added item that sorts after the cursor"

    assert seen[:n_before_reload] == old_list[:n_before_reload]
    assert seen[n_before_reload:] == new_list[at + 1 :]
    # The acceptance criteria, said directly.
    assert len(seen) == len(set(seen)), "an item was seen twice"
    assert [x for x in seen if x in old_set] == old_list, "an original item missing or moved"
    assert {x for x in seen if x not in old_set} == after
    assert not before & set(seen)


def _url(node: dict[str, Any]) -> str:
    return str(node["url"])


ARTICLE_PAGE = "totalCount pageInfo { hasNextPage endCursor } edges { cursor node { url } }"


def test_topic_articles_survive_a_reload(schema: strawberry.Schema, reload: Reload) -> None:
    query = (
        'query($first: Int, $after: String) { topic(name: "Azure") {'
        f" articles(first: $first, after: $after) {{ {ARTICLE_PAGE} }} }} }}"
    )
    seen = walk_with_reload(
        schema, reload, query, ["topic", "articles"], _url, AZURE_FIRST, AZURE_RELOAD
    )
    old_list = article_list(reload.old, desc_key, topic="azure")
    new_list = article_list(reload.new, desc_key, topic="azure")
    check_walk(seen, old_list, new_list, set(reload.added.values()), AZURE_FIRST * AZURE_RELOAD)
    # The two documents dated exactly like the cursor item fall on the side their URL says.
    assert reload.added["tie_after"] in seen and reload.added["tie_before"] not in seen
    assert reload.added["early"] in seen and reload.added["late"] not in seen
    assert len(seen) == 1368 + 4  # tie_after, early, provider_before, provider_after


def test_quality_order_survives_a_reload(schema: strawberry.Schema, reload: Reload) -> None:
    query = (
        "query($first: Int, $after: String) {"
        f" articles(orderBy: QUALITY_DESC, first: $first, after: $after) {{ {ARTICLE_PAGE} }} }}"
    )
    seen = walk_with_reload(
        schema, reload, query, ["articles"], _url, QUALITY_FIRST, QUALITY_RELOAD
    )
    check_walk(
        seen,
        article_list(reload.old, quality_key),
        article_list(reload.new, quality_key),
        set(reload.added.values()),
        QUALITY_FIRST * QUALITY_RELOAD,
    )
    assert reload.added["early"] in seen and reload.added["late"] not in seen
    assert seen[-1] == reload.added["provider_after"]  # no quality, undated: last of all


def test_filtered_ascending_order_survives_a_reload(
    schema: strawberry.Schema, reload: Reload
) -> None:
    query = (
        "query($first: Int, $after: String, $filter: ArticleFilter) {"
        " articles(filter: $filter, orderBy: PUBLISHED_AT_ASC, first: $first, after: $after)"
        f" {{ {ARTICLE_PAGE} }} }}"
    )
    flt = {"topics": ["AZURE"], "providers": ["www.Microsoft.com"]}
    seen = walk_with_reload(
        schema, reload, query, ["articles"], _url, ASC_FIRST, ASC_RELOAD, filter=flt
    )
    old_list = article_list(reload.old, asc_key, topic="azure", provider="microsoft.com")
    new_list = article_list(reload.new, asc_key, topic="azure", provider="microsoft.com")
    assert len(old_list) == 615  # DATA-MODEL.md: microsoft.com publishes 615 articles
    check_walk(seen, old_list, new_list, set(reload.added.values()), ASC_FIRST * ASC_RELOAD)
    # Ascending: the early document is behind the reader, the late one ahead.
    assert reload.added["late"] in seen and reload.added["early"] not in seen
    # Other providers' added documents never enter this list.
    assert reload.added["provider_before"] not in seen
    assert reload.added["provider_after"] not in seen


def test_topics_survive_a_reload(schema: strawberry.Schema, reload: Reload) -> None:
    query = (
        "query($first: Int, $after: String) { topics(first: $first, after: $after) {"
        " totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name } } } }"
    )
    seen = walk_with_reload(
        schema,
        reload,
        query,
        ["topics"],
        lambda n: str(n["name"]).casefold(),
        TOPICS_FIRST,
        TOPICS_RELOAD,
    )
    old_list, new_list = topic_list(reload.old), topic_list(reload.new)
    assert old_list[TOPICS_RELOAD - 1] == "mobile"  # DATA-MODEL.md counts: ..., Mobile 5, ...
    check_walk(seen, old_list, new_list, {"alpha reload", "zulu reload"}, TOPICS_RELOAD)
    # Alpha Reload (5 articles) ties with Mobile and sorts before it: behind the reader.
    assert "zulu reload" in seen and "alpha reload" not in seen


def test_providers_survive_a_reload(schema: strawberry.Schema, reload: Reload) -> None:
    query = (
        "query($first: Int, $after: String) { providers(first: $first, after: $after) {"
        " totalCount pageInfo { hasNextPage endCursor } edges { cursor node { domain } } } }"
    )
    seen = walk_with_reload(
        schema,
        reload,
        query,
        ["providers"],
        lambda n: str(n["domain"]),
        PROVIDERS_FIRST,
        PROVIDERS_RELOAD,
    )
    old_list, new_list = provider_list(reload.old), provider_list(reload.new)
    assert len(old_list) == 409
    check_walk(
        seen,
        old_list,
        new_list,
        {"aaa-reload.example", "zzz-reload.example"},
        PROVIDERS_FIRST * PROVIDERS_RELOAD,
    )
    assert "zzz-reload.example" in seen and "aaa-reload.example" not in seen


def test_a_cursor_of_a_deleted_item_still_resumes(
    schema: strawberry.Schema, reload: Reload
) -> None:
    """The other direction: a cursor from the new store used on the old one, where the item
    it names (an added document) does not exist, resumes right after its position."""
    query = (
        'query($first: Int, $after: String) { topic(name: "Azure") {'
        f" articles(first: $first, after: $after) {{ {ARTICLE_PAGE} }} }} }}"
    )
    new_list = article_list(reload.new, desc_key, topic="azure")
    tie = reload.added["tie_after"]
    at = new_list.index(tie)
    # Page through the new store to the page that ends with the added document.
    after: str | None = None
    done = 0
    while done < at + 1:
        page = _execute(schema, reload.new, query, first=min(100, at + 1 - done), after=after)
        edges = page["topic"]["articles"]["edges"]
        done += len(edges)
        after = edges[-1]["cursor"]
    last = edges[-1]
    assert last["node"]["url"] == tie
    rest = _execute(schema, reload.old, query, first=5, after=last["cursor"])
    got = [e["node"]["url"] for e in rest["topic"]["articles"]["edges"]]
    old_list = article_list(reload.old, desc_key, topic="azure")
    want = [u for u in new_list[at + 1 :] if u in set(old_list)][:5]
    assert got == want
