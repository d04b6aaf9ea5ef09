"""Requests against a fresh ``graphsvc serve --snapshot``: the first call of every analytics
field after the server is ready, and a small query sent over and over while another client
keeps sending the most expensive request the cost limits allow."""

from __future__ import annotations

import json
import statistics
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from queries import percentile

SMALL_QUERY = "{ stats { articles } }"

#: The most expensive request the limits allow (as ``tests/web/test_loop_free.py`` sends it):
#: the alias limit (30) filled with k shortest paths between far apart hubs and depth-3
#: neighbourhoods of 500 nodes, small answers, so that encoding and transfer do not let the
#: event loop breathe.
PATHS = 'p{i}: shortestPaths(from: "{a}", to: "{b}", k: 5, maxLength: 10) {{ length }}'
NEIGHBOURHOOD = 'n{i}: neighborhood(id: "{id}", depth: 3, limit: 500) {{ truncated }}'


def post(client: httpx.Client, url: str, query: str) -> dict[str, Any]:
    """One GraphQL request; its JSON (``errors`` added when the status is not 200)."""
    response = client.post(url, json={"query": query})
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        body = {"errors": [{"message": response.text[:300]}]}
    if response.status_code != 200:
        body.setdefault("errors", []).append({"message": f"HTTP {response.status_code}"})
    return body


def _first(body: dict[str, Any], *path: str) -> Any:
    value: Any = body["data"]
    for key in path:
        value = value[key]
    return value


def analytics_queries(client: httpx.Client, url: str) -> dict[str, str]:
    """One query per analytics field, named as ``bench/analytics.py`` names them, on the
    largest topic and provider, the second topic (a filter) and the newest article."""
    names = post(
        client,
        url,
        "{ topics(first: 2) { edges { node { name } } }"
        " providers(first: 1) { edges { node { domain } } }"
        " articles(first: 1) { edges { node { url } } } }",
    )
    topics = [e["node"]["name"] for e in _first(names, "topics", "edges")]
    topic, second = topics[0], topics[-1]
    provider = _first(names, "providers", "edges")[0]["node"]["domain"]
    article = _first(names, "articles", "edges")[0]["node"]["url"]
    # GraphQL string literals, quoted and escaped as JSON strings are.
    topic, second, provider, article = map(json.dumps, (topic, second, provider, article))
    q = {
        "stories": "{ stories(first: 3) { totalCount edges { node { id size } } } }",
        "stories(orderBy: RECENT, topic filter)": (
            f"{{ stories(filter: {{topics: [{second}]}}, orderBy: RECENT, first: 3)"
            " { totalCount edges { node { id size } } } }"
        ),
        "Article.story": f"{{ article(url: {article}) {{ story {{ id size }} }} }}",
        "Article.rank, degree": (
            f"{{ article(url: {article}) {{ degree rank(measure: PAGERANK) }} }}"
        ),
        "topicTrend(MONTH)": (
            f"{{ topicTrend(topic: {topic}, bucket: MONTH) {{ total points {{ count }} }} }}"
        ),
        "topicTrend(DAY)": (
            f"{{ topicTrend(topic: {topic}, bucket: DAY) {{ total points {{ count }} }} }}"
        ),
        "providerTrend(MONTH)": (
            f"{{ providerTrend(domain: {provider}, bucket: MONTH) {{ total points {{ count }} }} }}"
        ),
        "trendingTopics": "{ trendingTopics { topics { count score } } }",
        "trendingProviders": "{ trendingProviders { providers { count score } } }",
        "cooccurrence(TOPIC, PMI)": (
            f"{{ cooccurrence(kind: TOPIC, of: {topic}, measure: PMI) {{ count weight }} }}"
        ),
        "cooccurrence(PROVIDER, JACCARD)": (
            f"{{ cooccurrence(kind: PROVIDER, of: {provider}, measure: JACCARD)"
            " { count weight } }"
        ),
        "cooccurrenceGraph(PROVIDER, PMI, 50)": (
            "{ cooccurrenceGraph(kind: PROVIDER, measure: PMI, first: 50)"
            " { nodes { count } edges { weight } } }"
        ),
        "facets(no filter)": "{ facets { totalCount topics { count } providers { count } } }",
        "facets(topic filter)": (
            f"{{ facets(filter: {{topics: [{second}]}}) {{ totalCount topics {{ count }} }} }}"
        ),
        "Provider.topicMix": f"{{ provider(domain: {provider}) {{ topicMix {{ share }} }} }}",
        "Provider.coverageOverlap": (
            f"{{ provider(domain: {provider}) {{ coverageOverlap {{ share }} }} }}"
        ),
        "Provider.rank": f"{{ provider(domain: {provider}) {{ rank(measure: PAGERANK) }} }}",
    }
    for kind in ("ARTICLE", "PROVIDER", "TOPIC"):
        for measure in ("PAGERANK", "DEGREE", "BETWEENNESS"):
            q[f"central({kind}, {measure})"] = (
                f"{{ central(nodeKind: {kind}, measure: {measure}) {{ rank score }} }}"
            )
    return q


def first_calls(url: str) -> dict[str, Any]:
    """On a server just ready: one small query (the first request of any kind), then each
    analytics field once, in order: seconds of each, the slowest, and any error."""
    with httpx.Client(timeout=600) as client:
        started = time.perf_counter()
        post(client, url, SMALL_QUERY)
        first_request = time.perf_counter() - started
        queries = analytics_queries(client, url)
        seconds: dict[str, float] = {}
        errors: dict[str, str] = {}
        for name, query in queries.items():
            started = time.perf_counter()
            body = post(client, url, query)
            seconds[name] = time.perf_counter() - started
            if body.get("errors") or not body.get("data"):
                errors[name] = str(body.get("errors"))[:300]
    slowest = max(seconds, key=seconds.__getitem__)
    return {
        "first_request_seconds": first_request,
        "seconds": seconds,
        "slowest": slowest,
        "slowest_seconds": seconds[slowest],
        "errors": errors,
    }


def heavy_query(client: httpx.Client, url: str) -> str:
    """The costliest allowed request, on the 42 articles of highest PageRank."""
    top = post(client, url, "{ central(nodeKind: ARTICLE, first: 42) { node { id } } }")
    ids = [entry["node"]["id"] for entry in _first(top, "central")]
    fields = [PATHS.format(i=i, a=ids[i], b=ids[-1 - i]) for i in range(21)]
    fields += [NEIGHBOURHOOD.format(i=i, id=x) for i, x in enumerate(ids[:9])]
    return "{ " + " ".join(fields) + " }"


@dataclass
class Heavy:
    """A client sending the heavy request back to back until told to stop."""

    url: str
    query: str
    spans: list[tuple[float, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    started: threading.Event = field(default_factory=threading.Event)
    in_flight_since: float | None = None

    def run(self) -> None:
        with httpx.Client(timeout=900) as client:
            client.get(self.url.rsplit("/", 1)[0] + "/healthz")
            while not self.stop.is_set():
                began = time.perf_counter()
                self.in_flight_since = began
                self.started.set()
                try:
                    body = post(client, self.url, self.query)
                except httpx.HTTPError as exc:
                    body = {"errors": [{"message": f"{type(exc).__name__}: {exc}"}]}
                self.spans.append((began, time.perf_counter()))
                self.in_flight_since = None
                if body.get("errors"):
                    self.errors.append(str(body["errors"])[:300])


def small_under_heavy(url: str, seconds: float) -> dict[str, Any]:
    """``{ stats { articles } }`` sent one after another for ``seconds`` while another client
    keeps the heaviest allowed request running; latencies of the small requests that were sent
    while a heavy one was in flight, and how many heavy requests they overlapped."""
    with httpx.Client(timeout=900) as client:
        heavy = Heavy(url, heavy_query(client, url))
        post(client, url, SMALL_QUERY)  # connected before the race
        thread = threading.Thread(target=heavy.run, daemon=True)
        thread.start()
        heavy.started.wait(60)
        time.sleep(0.05)  # the server starts on it
        smalls: list[tuple[float, float]] = []
        small_errors: list[str] = []
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline or not smalls:
            began = time.perf_counter()
            body = post(client, url, SMALL_QUERY)
            smalls.append((began, time.perf_counter()))
            if body.get("errors"):
                small_errors.append(str(body["errors"])[:300])
        heavy.stop.set()
        last_open = heavy.in_flight_since
        thread.join(900)
    spans = list(heavy.spans)
    if last_open is not None and thread.is_alive():  # still running: open until now
        spans.append((last_open, time.perf_counter()))

    def overlaps(s: tuple[float, float], h: tuple[float, float]) -> bool:
        return s[0] < h[1] and h[0] < s[1]

    during = [s for s in smalls if any(h[0] <= s[0] <= h[1] for h in spans)]
    latencies = [e - b for b, e in during] or [e - b for b, e in smalls]
    overlapped = sum(1 for h in spans if any(overlaps(s, h) for s in smalls))
    heavy_seconds = [e - b for b, e in heavy.spans]
    return {
        "small_requests": len(smalls),
        "small_during_heavy": len(during),
        "small_p50_ms": statistics.median(latencies) * 1e3,
        "small_p99_ms": percentile(latencies, 99) * 1e3,
        "small_max_ms": max(latencies) * 1e3,
        "small_errors": small_errors[:3],
        "heavy_requests": len(heavy.spans),
        "heavy_overlapped": overlapped,
        "heavy_median_seconds": statistics.median(heavy_seconds) if heavy_seconds else None,
        "heavy_errors": heavy.errors[:3],
        "heavy_error_count": len(heavy.errors),
        "heavy_unfinished": thread.is_alive(),
    }
