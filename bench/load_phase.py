"""The load phase: graphsvc serving the corpus under wrk, with its memory checked (see load.py)."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from lib.reports import say
from lib.servers import Server, graphsvc_command, serving
from lib.wrk import Wrk
from mix import Case

MIB = 1024 * 1024

#: Memory tolerance (floor in bytes, fraction of the reference RSS): full run and --smoke.
MEMORY_TOLERANCE = (64 * MIB, 0.25)
SMOKE_MEMORY_TOLERANCE = (256 * MIB, 0.50)


def graphsvc_server(
    corpus: Path,
    workers: int,
    cache_dir: Path,
    log: Path,
    *,
    watch: bool = False,
    cache: bool = True,
) -> Server:
    """``graphsvc serve CORPUS``; ``cache=False`` turns the response cache off
    (``GRAPHSVC_RESPONSE_CACHE_BYTES=0``)."""
    args = [str(corpus), "--workers", str(workers), "--cache-dir", str(cache_dir)]
    args.append("--watch" if watch else "--no-watch")
    env = {} if cache else {"GRAPHSVC_RESPONSE_CACHE_BYTES": "0"}
    return Server("graphsvc", graphsvc_command(*args), workers, log, env)


@contextmanager
def running(server: Server) -> Iterator[Server]:
    """``server`` started, with every worker ready; stopped at the end."""
    with serving(server):
        server.start(600)
        server.wait_workers(600)
        yield server


def post(url: str, body: dict[str, Any], timeout: float = 30) -> httpx.Response:
    return httpx.post(url, json=body, timeout=timeout)


def readyz(server: Server) -> dict[str, Any]:
    return dict(httpx.get(f"{server.url}/readyz", timeout=30).json())


def cache_counters(server: Server, rounds: int = 5) -> dict[str, int]:
    """Response cache hits and misses summed over the workers that ``/readyz`` reached.

    Each ``/readyz`` request (a new connection) lands on one worker, and an idle server
    hands most of them to the same one, so each round sends several at once; with the
    server idle, distinct (hits, misses) pairs are distinct workers. ``workers`` says how
    many were seen."""
    seen: set[tuple[int, int]] = set()
    if server.workers == 1:  # one sample: the counters may be moving (the reload's checker)
        rounds = 1

    def ask() -> None:
        counters = readyz(server).get("responseCache") or {}
        seen.add((int(counters.get("hits", 0)), int(counters.get("misses", 0))))

    for _ in range(rounds):
        many = 1 if server.workers == 1 else 4 * server.workers
        askers = [threading.Thread(target=ask) for _ in range(many)]
        for asker in askers:
            asker.start()
        for asker in askers:
            asker.join()
        if len(seen) >= server.workers:
            break
    return {
        "hits": sum(h for h, _ in seen),
        "misses": sum(m for _, m in seen),
        "workers": len(seen),
    }


def cache_label(cache: bool) -> str:
    return f"cache {'on' if cache else 'off'}"


def warm_up(
    server: Server, mix: list[Case], args: argparse.Namespace, workdir: Path
) -> dict[str, Any]:
    """A short wrk run over the same bodies (caches, search index, every worker), checked."""
    result = Wrk(server.endpoint, mix, workdir, args.warmup, args.connections, args.threads).start()
    found = result.result()
    return {k: found[k] for k in ("requests", "rps", "socket_errors", "non_2xx", "graphql_errors")}


def hit_rate(
    before: dict[str, int] | None, after: dict[str, int] | None, workers: int
) -> float | None:
    """The response cache's hit rate between two ``cache_counters`` (None when unknown)."""
    if not before or not after or before["workers"] != workers or after["workers"] != workers:
        return None
    hits, misses = after["hits"] - before["hits"], after["misses"] - before["misses"]
    return round(hits / (hits + misses), 4) if hits + misses > 0 else None


def memory_check(
    before: int, after: int, smoke: bool, reference: str = "after the warm-up"
) -> dict[str, Any]:
    """Is ``after`` within the tolerance over ``before``? (see the module's docstring)."""
    floor, fraction = SMOKE_MEMORY_TOLERANCE if smoke else MEMORY_TOLERANCE
    limit = max(floor, int(fraction * before))
    growth = after - before
    return {
        "reference": reference,
        "before": before,
        "after": after,
        "growth": growth,
        "limit": limit,
        "tolerance": f"max({floor // MIB} MiB, {fraction:.0%})",
        "ok": growth < limit,
    }


def run_load(
    corpus: Path,
    mix: list[Case],
    workers: int,
    cache: bool,
    args: argparse.Namespace,
    work: Path,
) -> dict[str, Any]:
    tag = f"w{workers}-{'cache' if cache else 'nocache'}"
    server = graphsvc_server(
        corpus, workers, args.cache_dir, work / f"server-{tag}.log", cache=cache
    )
    say(f"{tag}: starting the server")
    with running(server):
        say(f"{tag}: ready; warming up")
        warmup = warm_up(server, mix, args, work / f"wrk-{tag}-warmup")
        say(f"{tag}: measuring")
        counters_before = cache_counters(server) if cache else None
        tree_before = server.rss_tree()
        result = (
            Wrk(
                server.endpoint,
                mix,
                work / f"wrk-{tag}",
                args.duration,
                args.connections,
                args.threads,
            )
            .start()
            .result()
        )
        tree_after = server.rss_tree()
        counters_after = cache_counters(server) if cache else None
        alive = post(server.endpoint, {"query": "{ stats { articles } }"}).json()["data"]["stats"][
            "articles"
        ]
    rss_before = sum(rss for _, _, rss in tree_before)
    rss_after = sum(rss for _, _, rss in tree_after)
    return {
        **result,
        "workers": workers,
        "cache": cache,
        "warmup": warmup,
        "cache_hit_rate": hit_rate(counters_before, counters_after, workers),
        "cache_counters": {"before": counters_before, "after": counters_after},
        "rss_before": rss_before,
        "rss_after": rss_after,
        "rss_tree": {"before": tree_before, "after": tree_after},
        "memory": memory_check(rss_before, rss_after, args.smoke),
        "articles_after": alive,
    }
