"""Each node's key is one string, shared by every edge, article and member list that names it
(issue 13: at 100k documents a fresh key string per related item was 3.1M strings)."""

from __future__ import annotations

from pathlib import Path

from graphsvc.graph.build import build_store
from graphsvc.ingest.loader import load_corpus


def test_every_mention_of_a_node_is_its_key_itself(news_dir: Path, tmp_path: Path) -> None:
    loaded = load_corpus(news_dir, cache_dir=tmp_path)
    store = build_store(loaded.records, loaded.report, version=loaded.version)
    graph = store.graph
    own = {key: key for key in graph}  # each node's key, the object the graph holds
    mentions = 0
    for source in graph:
        for target in graph.succ[source]:
            assert target is own[target], (source, target)
            mentions += 1
        for origin in graph.pred[source]:
            assert origin is own[origin], (origin, source)
    for key, article in store.articles.items():
        named = (key, article.key, article.provider, *article.topics)
        assert all(k is own[k] for k in named), key
    for members in (*store.topic_articles.values(), *store.provider_articles.values()):
        assert all(k is own[k] for k in members)
    assert mentions == store.counts.edges > 40_000  # every edge was looked at
