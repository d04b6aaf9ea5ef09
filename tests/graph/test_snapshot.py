"""Snapshots: a written store reads back identical (records, indexes, layout, GraphQL answers),
and a wrong, truncated or edited file is refused with a clear GraphsvcError."""

from __future__ import annotations

import json
from array import array
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from graphsvc.api.context import Context, encode_id
from graphsvc.api.schema import build_schema
from graphsvc.cli import app
from graphsvc.corpus import load_store
from graphsvc.errors import GraphsvcError
from graphsvc.graph.analytics import stories
from graphsvc.graph.build import EDGE_ATTRS, NODE_ATTRS
from graphsvc.graph.searching import keep_index_at, search
from graphsvc.graph.snapshot import (
    FORMAT,
    MAGIC,
    SnapshotError,
    read_info,
    read_snapshot,
    verify_snapshot,
    write_snapshot,
)
from graphsvc.graph.store import GraphStore, summarize
from graphsvc.model import NodeKind
from tests.support import SEEDS, flip_section_byte, rewrite_section


def assert_identical(a: GraphStore, b: GraphStore) -> None:
    """Same records, indexes, report and version, and build.py's graph layout, in order."""
    for name in ("articles", "providers", "topics", "url_index", "sources"):
        assert list(getattr(a, name).items()) == list(getattr(b, name).items()), name
    for name in ("topic_articles", "provider_articles"):
        assert list(getattr(a, name).items()) == list(getattr(b, name).items()), name
    assert a.full_by_date == b.full_by_date
    assert a.stubs_by_date == b.stubs_by_date
    assert a.report == b.report
    assert (a.version, a.root) == (b.version, b.root)
    assert a.counts == b.counts
    assert summarize(a) == summarize(b)
    ga, gb = a.graph, b.graph
    assert list(ga._node.items()) == list(gb._node.items())
    for node in ga:  # successors (RELATED in rank order) and predecessors, in the same order
        assert list(ga._adj[node].items()) == list(gb._adj[node].items()), node
        assert list(ga._pred[node].items()) == list(gb._pred[node].items()), node
    assert list(gb._adj) == list(ga._adj) and list(gb._pred) == list(ga._pred)
    # One shared attribute dict per node kind and per edge kind, as build.py makes them.
    assert all(d is NODE_ATTRS[NodeKind(d["kind"])] for d in gb._node.values())
    shared = {id(d) for d in EDGE_ATTRS.values()}
    assert all(id(d) in shared for nbrs in gb._adj.values() for d in nbrs.values())
    assert all(id(d) in shared for nbrs in gb._pred.values() for d in nbrs.values())
    # The article's key is its node key (one string, not a copy).
    assert all(k is article.key for k, article in b.articles.items())


def round_trip(store: GraphStore, path: Path, *, compress: bool = False) -> GraphStore:
    size = write_snapshot(store, path, compress=compress)
    assert size == path.stat().st_size > 0
    assert not list(path.parent.glob(".*.tmp"))
    return read_snapshot(path)


def test_seeds_round_trip(seeds_store: GraphStore, tmp_path: Path) -> None:
    assert_identical(seeds_store, round_trip(seeds_store, tmp_path / "seeds.snap"))


@pytest.mark.parametrize("compress", [False, True])
def test_news_round_trip(news_store: GraphStore, tmp_path: Path, compress: bool) -> None:
    read = round_trip(news_store, tmp_path / "news.snap", compress=compress)
    assert_identical(news_store, read)
    # The worked example of docs/data-model.md#a-worked-example, from the snapshot.
    counts = read.counts
    assert (counts.articles, counts.stubs, counts.providers, counts.topics) == (1368, 2559, 409, 20)
    assert counts.edges == 47792


def test_compression_makes_it_smaller(news_store: GraphStore, tmp_path: Path) -> None:
    plain = write_snapshot(news_store, tmp_path / "plain.snap")
    packed = write_snapshot(news_store, tmp_path / "packed.snap", compress=True)
    assert packed < plain / 2


def test_read_info(seeds_store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "seeds.snap"
    write_snapshot(seeds_store, path)
    info = read_info(path)
    assert info["format"] == FORMAT
    assert info["version"] == seeds_store.version
    assert info["counts"] == seeds_store.counts.as_dict()


QUERIES = [
    "{ stats { articles stubs providers topics edges } }",
    "{ topics(first: 100) { totalCount edges { cursor node { id name articleCount } } } }",
    "{ providers(first: 100) { totalCount edges { cursor node { id name domain articleCount"
    " articles(first: 5) { edges { node { id } } } } } } }",
    "{ ingestProblems(warnings: true) { path reason line } }",
    '{ search(query: "cloud kubernetes", first: 10) { score snippet node { id } } }',
]
PER_ARTICLE = [
    """query ($url: String!) { article(url: $url) { id url title excerpt publishedAt type quality
    heat published isStub provider { id name } topics { id name } images { url width height }
    related(first: 50) { totalCount edges { cursor node { id title } } }
    incoming: related(direction: IN, first: 50) { totalCount edges { node { id } } }
    both: related(direction: BOTH, first: 50) { edges { node { id } } } } }""",
    """query ($id: ID!) { neighborhood(id: $id, depth: 2, limit: 200) { truncated
    nodes { id } edges { kind source target } } }""",
    """query ($id: ID!, $to: ID!) { shortestPath(from: $id, to: $to) { length nodes { id }
    edges { kind source target } } }""",
    """query ($id: ID!, $to: ID!) { shortestPath(from: $id, to: $to, edgeKinds: [RELATED]) {
    length nodes { id } } }""",
    """query ($topic: String!) { articles(filter: {topics: [$topic]}, first: 7) { totalCount
    pageInfo { endCursor hasNextPage } edges { cursor node { id } } } }""",
]
ORDERS = [  # whole-store sorts and scans, read off the article places a snapshot keeps
    "{ articles(orderBy: PUBLISHED_AT_ASC, first: 9) { totalCount edges { cursor node { id } } } }",
    "{ articles(orderBy: QUALITY_DESC, first: 9) { totalCount edges { cursor node { id } } } }",
    "{ articles(filter: {includeStubs: true}, first: 9) { totalCount edges { node { id } } } }",
    "{ articles(filter: {minQuality: 2}, orderBy: QUALITY_DESC, first: 9) { totalCount"
    " edges { node { id quality } } } }",
]


def answers(store: GraphStore) -> list[Any]:
    """The answers to a fixed set of queries, variables picked from the store by rule."""
    schema = build_schema()
    keys = [k for k in store.full_by_date if store.related_out(k)][:3] or list(
        store.full_by_date[:3]
    )
    far = store.full_by_date[-1]
    topic = min(store.topics.values(), key=lambda t: (-t.article_count, t.key)).name
    out: list[Any] = []

    def run(query: str, **variables: Any) -> None:
        result = schema.execute_sync(query, variable_values=variables, context_value=Context(store))
        out.append((result.data, [e.message for e in result.errors or []]))

    for query in QUERIES + ORDERS:
        run(query)
    provider = min(store.providers.values(), key=lambda p: (-p.article_count, p.key)).domain
    run(
        """query ($d: String!) { articles(filter: {providers: [$d], includeStubs: true},
        orderBy: PUBLISHED_AT_ASC, first: 9) { totalCount edges { node { id } } } }""",
        d=provider,
    )
    for key in keys:
        run(PER_ARTICLE[0], url=store.articles[key].url)
        run(PER_ARTICLE[1], id=encode_id(key))
        run(PER_ARTICLE[2], id=encode_id(key), to=encode_id(far))
        run(PER_ARTICLE[3], id=encode_id(key), to=encode_id(far))
    run(PER_ARTICLE[4], topic=topic)
    return out


def test_graphql_answers_are_identical(news_store: GraphStore, tmp_path: Path) -> None:
    read = round_trip(news_store, tmp_path / "news.snap")
    expected = answers(news_store)
    assert all(not errors for _data, errors in expected), expected
    assert answers(read) == expected


def test_graphql_answers_are_identical_on_seeds(seeds_store: GraphStore, tmp_path: Path) -> None:
    assert answers(round_trip(seeds_store, tmp_path / "seeds.snap")) == answers(seeds_store)


# Refusals ------------------------------------------------------------------------------
@pytest.fixture
def snapshot(seeds_store: GraphStore, tmp_path: Path) -> Path:
    path = tmp_path / "seeds.snap"
    write_snapshot(seeds_store, path)
    return path


def test_errors_are_graphsvc_errors() -> None:
    assert issubclass(SnapshotError, GraphsvcError)


def test_other_format_version_is_refused(snapshot: Path) -> None:
    data = snapshot.read_bytes()
    first, rest = data.split(b"\n", 1)
    assert first == MAGIC + str(FORMAT).encode()
    snapshot.write_bytes(MAGIC + str(FORMAT + 1).encode() + b"\n" + rest)
    with pytest.raises(SnapshotError, match=rf"format '{FORMAT + 1}'.*reads format {FORMAT}"):
        read_snapshot(snapshot)
    with pytest.raises(SnapshotError, match="build it again"):
        read_info(snapshot)


def test_not_a_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "article.md"
    path.write_text("---\ntitle: x\n---\n")
    with pytest.raises(SnapshotError, match="not a graphsvc snapshot"):
        read_snapshot(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="cannot read snapshot"):
        read_snapshot(tmp_path / "nothing.snap")


@pytest.mark.parametrize("where", [0.3, 0.5, 0.7])
def test_flipped_byte_is_caught(snapshot: Path, where: float) -> None:
    flip_section_byte(snapshot, where)
    with pytest.raises(SnapshotError, match="checksum"):
        read_snapshot(snapshot)


@pytest.mark.parametrize("keep", [0.0, 0.5, 0.99])
def test_truncated_file_is_refused(snapshot: Path, keep: float) -> None:
    data = snapshot.read_bytes()
    snapshot.write_bytes(data[: max(len(MAGIC) + 3, int(len(data) * keep))])
    with pytest.raises(SnapshotError, match="corrupt or truncated"):
        read_snapshot(snapshot)


def test_garbled_trailer_is_refused(snapshot: Path) -> None:
    data = bytearray(snapshot.read_bytes())
    data[-20:-8] = b"x" * 12
    snapshot.write_bytes(bytes(data))
    with pytest.raises(SnapshotError, match="corrupt"):
        read_snapshot(snapshot)


@pytest.mark.parametrize(
    ("section", "payload"),
    [
        ("succ_nodes", array("I", [4_000_000_000] * 40).tobytes()),  # a node that is not there
        ("graph_order", array("I", [0] * 30).tobytes()),  # one node many times
        ("article_records", b"[1, 2]"),  # shorter than its offsets say
        ("keys", b'["a:x", 1]'),  # not the records' keys
        ("url_index", array("I", [4_000_000_000]).tobytes()),  # an article that is not there
        ("pred_offsets", array("Q", [0, 9, 3]).tobytes()),  # rows that do not match the nodes
        ("topics", b"[[1]]"),
        ("meta", b"not json"),
        ("full_by_date", b"\x01\x02\x03"),  # not a whole number of uint32s
    ],
)
def test_wrong_content_with_good_checksums_is_refused(
    snapshot: Path, section: str, payload: bytes
) -> None:
    rewrite_section(snapshot, section, payload)
    with pytest.raises(SnapshotError, match="corrupt"):
        read_snapshot(snapshot)


@pytest.mark.parametrize(
    "section",
    [
        "graph_order",
        "place:QUALITY_DESC",
        "story_members",
        "story_by_hash",
        "story_of_article",
        "story_order:SIZE",
        "links_targets",
        "facet:provider",
        "facet:topic_items",
    ],
)
def test_out_of_bounds_analytics_are_refused(snapshot: Path, section: str) -> None:
    """Orders, stories and provider links are read in place: numbers that name no node,
    story or provider (same length, good checksum) are refused at start, not on a request."""
    entry = next(s for s in read_info(snapshot)["sections"] if s["name"] == section)
    rewrite_section(
        snapshot, section, array("I", [4_000_000_000] * (entry["length"] // 4)).tobytes()
    )
    with pytest.raises(SnapshotError, match="corrupt"):
        read_snapshot(snapshot)


@pytest.mark.parametrize("section", ["article_records", "story_records"])
def test_garbled_record_with_good_checksums_is_refused(snapshot: Path, section: str) -> None:
    """Every record is covered by a checksum; one rewritten (with its checksum fixed) to the
    same length but not JSON is still refused at start: the ends are decoded on reading."""
    info = read_info(snapshot)
    entry = next(s for s in info["sections"] if s["name"] == section)
    rewrite_section(snapshot, section, b"x" * entry["length"])
    with pytest.raises(SnapshotError, match="corrupt"):
        read_snapshot(snapshot)


def test_a_file_checked_once_is_read_without_its_checksums_while_unchanged(
    seeds_store: GraphStore, snapshot: Path
) -> None:
    """``serve`` checks the file once and its workers skip the checksums, but only while the
    file is the one checked: a byte changed since (same inode and size) is refused."""
    checked = verify_snapshot(snapshot)["identity"]
    assert_identical(seeds_store, read_snapshot(snapshot, checked=checked))
    entry = next(s for s in read_info(snapshot)["sections"] if s["name"] == "article_records")
    with open(snapshot, "r+b") as fh:
        fh.seek(entry["offset"] + 1)
        fh.write(b"~")
    with pytest.raises(SnapshotError, match="checksum"):
        read_snapshot(snapshot, checked=checked)


def test_an_empty_corpus_round_trips(tmp_path: Path) -> None:
    """No articles, no stories: nothing to decode at the ends, and nothing refused."""
    (tmp_path / "corpus").mkdir()
    built = load_store(tmp_path / "corpus", cache_dir=tmp_path / "cache")
    assert built.counts.articles == 0
    read = round_trip(built, tmp_path / "empty.snap")
    assert_identical(built, read)
    assert len(stories.stories(read).by_key) == 0


def test_write_to_a_missing_folder(seeds_store: GraphStore, tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="cannot write snapshot"):
        write_snapshot(seeds_store, tmp_path / "no" / "such" / "folder.snap")


def test_cli_build_writes_a_snapshot(seeds_store: GraphStore, tmp_path: Path) -> None:
    out = tmp_path / "seeds.snap"
    args = ["build", str(SEEDS), "--output", str(out), "--json", "--cache-dir", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["snapshot"]["bytes"] == out.stat().st_size
    assert summary["articles"] == seeds_store.counts.articles
    read = read_snapshot(out)  # another ingest: the same graph, its own report timings
    assert read.version == seeds_store.version
    assert read.counts == seeds_store.counts
    assert list(read.articles.items()) == list(seeds_store.articles.items())
    assert answers(read) == answers(seeds_store)
    # The search index is built beside it, for `serve --snapshot` to open.
    assert summary["snapshot"]["searchIndex"] == str(tmp_path / "seeds.snap.search")
    keep_index_at(read, tmp_path / "seeds.snap.search")
    (tmp_path / "seeds.snap.search" / "sentinel").touch()
    assert [h.key for h in search(read, "azure")] == [h.key for h in search(seeds_store, "azure")]
    assert (tmp_path / "seeds.snap.search" / "sentinel").exists()  # opened, not rebuilt


def test_cli_build_reports_errors(tmp_path: Path) -> None:
    args = ["build", str(SEEDS), "--output", str(tmp_path / "missing" / "x.snap")]
    result = CliRunner().invoke(app, [*args, "--cache-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "cannot write snapshot" in result.output
