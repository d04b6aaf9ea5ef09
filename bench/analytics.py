"""Cost of graph analytics on a corpus: each analytic as served (the first call on a loaded
snapshot, whose whole-graph analytics were computed when it was built), computed from scratch
(what building the snapshot spends on it), then cached (the same call again).

Usage: ``python bench/analytics.py [CORPUS_DIR | --snapshot FILE] [--repeat N] [--betweenness]
[--only TEXT]`` (CORPUS_DIR defaults to ``../shared/corpus/news`` beside the repo; a snapshot
from ``graphsvc build`` of a big synthetic corpus skips its ingest). Each group of analytics
runs on its own copy of the snapshot with an empty cache, so one group's caches never warm
another's; within a group, the first line includes what the group shares (the stories, the
timelines, the basket counts, a kind's centrality graph) and the next lines only their own
work. "cached" is the median of N calls after the first. "served" runs first, on the store
as loaded. PageRank and betweenness run compiled (graph/analytics/compiled.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graphsvc.corpus import load_store  # noqa: E402
from graphsvc.graph.analytics import (  # noqa: E402
    centrality,
    cooccurrence,
    facets,
    providers,
    stories,
    trends,
)
from graphsvc.graph.queries import ArticleFilter  # noqa: E402
from graphsvc.graph.snapshot import read_snapshot  # noqa: E402
from graphsvc.graph.store import GraphStore  # noqa: E402
from graphsvc.model import NodeKind  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "news"
Call = Callable[[GraphStore], Any]
Group = list[tuple[str, Call]]


def groups(store: GraphStore, betweenness: bool) -> list[Group]:
    """Every analytic as a resolver calls it, grouped by what they compute together."""
    topic = max(store.topics.values(), key=lambda t: t.article_count).key
    provider = max(store.providers.values(), key=lambda p: p.article_count).key
    article = store.full_by_date[0]
    second = sorted(store.topics.values(), key=lambda t: t.article_count)[-2].name
    co, measure = cooccurrence, cooccurrence.CoMeasure
    out: list[Group] = [
        [
            ("stories (partition + summaries)", stories.stories),
            (
                "stories(orderBy: RECENT, topic filter)",
                lambda s: stories.list_stories(
                    s, ArticleFilter(topics=(second,)), stories.StoryOrder.RECENT
                ),
            ),
            ("Article.story", lambda s: stories.story_of(s, article)),
        ],
        [
            (
                "topicTrend(MONTH, full range)",
                lambda s: trends.trend(s, topic, trends.Bucket.MONTH),
            ),
            ("topicTrend(DAY, full range)", lambda s: trends.trend(s, topic, trends.Bucket.DAY)),
            ("trendingTopics(7 d, 8 windows)", lambda s: trends.trending(s, "topic")),
            ("trendingProviders(7 d, 8 windows)", lambda s: trends.trending(s, "provider")),
        ],
        [
            (
                "cooccurrence(TOPIC, PMI)",
                lambda s: co.neighbours(s, co.CoKind.TOPIC, topic, measure.PMI),
            ),
        ],
        [
            (
                "cooccurrence(PROVIDER, JACCARD)",
                lambda s: co.neighbours(s, co.CoKind.PROVIDER, provider, measure.JACCARD),
            ),
            (
                "cooccurrenceGraph(PROVIDER, PMI, 50)",
                lambda s: co.cooccurrence_graph(s, co.CoKind.PROVIDER, measure.PMI, 50),
            ),
        ],
        [
            ("facets(no filter)", lambda s: facets.facets(s)),
            ("facets(topic filter)", lambda s: facets.facets(s, ArticleFilter(topics=(second,)))),
        ],
        [
            ("Provider.topicMix", lambda s: providers.topic_mix(s, provider)),
            ("Provider.coverageOverlap", lambda s: providers.coverage_overlap(s, provider)),
        ],
    ]
    for kind in NodeKind:
        group: Group = []
        for how in centrality.Centrality:
            skip = how is centrality.Centrality.BETWEENNESS and kind is NodeKind.ARTICLE
            if skip and not betweenness:
                continue
            group.append(
                (
                    f"central({kind.value.upper()}, {how.value})",
                    lambda s, k=kind, h=how: centrality.central(s, k, h, 10),
                )
            )
        out.append(group)
    return out


def main(argv: list[str] | None = None) -> int:
    """Load the corpus, then time every analytic cold and cached."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    source.add_argument("--snapshot", type=Path, help="read this graphsvc build snapshot instead")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument(
        "--betweenness", action="store_true", help="also article betweenness (the slowest)"
    )
    parser.add_argument("--only", default="", help="run the groups whose names contain this")
    args = parser.parse_args(argv)
    source = args.snapshot or args.corpus
    if not (source.is_file() if args.snapshot else source.is_dir()):
        print(f"not found: {source}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    store = read_snapshot(source) if args.snapshot else load_store(source)
    c = store.counts
    print(
        f"{source}: {c.articles:,} articles, {c.stubs:,} stubs,"
        f" {c.providers:,} providers, {c.related:,} RELATED edges;"
        f" loaded in {time.perf_counter() - started:.1f} s"
    )
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"{'analytic':42} {'served':>12} {'scratch':>12} {'cached':>12}", flush=True)
    total = served_max = 0.0
    for group in groups(store, args.betweenness):
        if args.only and not any(args.only in name for name, _call in group):
            continue
        served = []
        for _name, call in group:
            t0 = time.perf_counter()
            call(store)
            served.append(time.perf_counter() - t0)
        served_max = max(served_max, *served)
        snapshot = dataclasses.replace(store, cache={})
        for (name, call), first in zip(group, served, strict=True):
            t0 = time.perf_counter()
            call(snapshot)
            cold = time.perf_counter() - t0
            total += cold
            warm = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                call(snapshot)
                warm.append(time.perf_counter() - t0)
            cached = statistics.median(warm) * 1e6
            print(
                f"{name:42} {first * 1e3:9.2f} ms {cold * 1e3:9.1f} ms {cached:9.1f} µs",
                flush=True,
            )
    print(
        f"slowest first call as served {served_max * 1e3:.2f} ms; from scratch in all {total:.2f} s"
    )
    found = stories.stories(store)
    sizes = [s.size for s in found.by_key.values()]
    print(f"stories: {len(sizes)} by {found.method}, {sum(sizes)} articles, largest {max(sizes)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
