"""The reload phase: the corpus rewritten under load while a checker asks for counts that must
agree inside one response; the settled graph must equal a fresh ingest (see load.py)."""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from lib.reports import say
from lib.servers import Server
from lib.wrk import Wrk
from load_phase import (
    cache_counters,
    graphsvc_server,
    hit_rate,
    memory_check,
    post,
    readyz,
    running,
    warm_up,
)
from mix import Case

from graphsvc.graph.store import GraphStore

DOCUMENT_SUFFIXES = (".md", ".markdown", ".txt")

#: Counts that must agree inside one response, whatever snapshot answered it. ``ALIAS`` is
#: replaced by a numbered alias per check, so that no two checks send the same body.
CONSISTENCY = """{
  ALIAS: __typename
  stats {
    articles stubs providers topics edges relatedEdges publishedByEdges taggedEdges
    files rejected version
  }
  articles(first: 1) { totalCount }
  everything: articles(first: 1, filter: {includeStubs: true}) { totalCount }
  topics(first: 100) { totalCount edges { node { articleCount } } }
  providers(first: 1) { totalCount }
}"""


@dataclass
class Plan:
    """What the rewriter did: malformed files keep their original text as the last good one."""

    edited: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    malformed: dict[str, str] = field(default_factory=dict)  # path -> last good text

    def counts(self) -> dict[str, int]:
        return {
            "edited": len(self.edited),
            "added": len(self.added),
            "deleted": len(self.deleted),
            "malformed": len(self.malformed),
        }


def rewrite_waves(
    root: Path,
    protected: set[str],
    waves: int,
    pause: float,
    seed: int,
    malformed: int,
    stop: threading.Event,
) -> Plan:
    """Rewrite a third of the documents under root in ``waves`` waves, ``pause`` seconds apart."""
    rng = random.Random(seed)
    files = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.suffix.lower() in DOCUMENT_SUFFIXES and p.is_file()
    )
    candidates = [f for f in files if f not in protected]
    rng.shuffle(candidates)
    third = len(files) // 3
    broken, chosen = candidates[:malformed], candidates[malformed:third]
    n_delete, n_add = len(chosen) // 5, len(chosen) // 4
    to_delete, to_edit = chosen[:n_delete], chosen[n_delete:]
    sources = [f for f in candidates[third:]] or files
    ops: list[tuple[str, str]] = [("edit", f) for f in to_edit] + [("delete", f) for f in to_delete]
    ops += [("add", f"added/{i // 50}/new-{i}.md") for i in range(n_add)] + [
        ("break", f) for f in broken
    ]
    rng.shuffle(ops)
    plan = Plan()
    per_wave = -(-len(ops) // waves)
    for wave in range(waves):
        if stop.is_set():
            break
        for op, rel in ops[wave * per_wave : (wave + 1) * per_wave]:
            path = root / rel
            if op == "edit":
                path.write_text(_edited(path.read_text(encoding="utf-8"), rng, wave))
                plan.edited.append(rel)
            elif op == "delete":
                path.unlink()
                plan.deleted.append(rel)
            elif op == "add":
                source = (root / rng.choice(sources)).read_text(encoding="utf-8")
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")  # some editors write a temporary file, then rename
                tmp.write_text(_with_url(source, f"https://reload.example/{rel}", f"Added {rel}"))
                tmp.rename(path)
                plan.added.append(rel)
            else:
                text = path.read_text(encoding="utf-8")
                plan.malformed[rel] = text
                path.write_text(
                    text.replace("---\n", "---\n@broken: [\n", 1)
                )  # '@' starts no YAML token
        time.sleep(pause)
    return plan


def _edited(text: str, rng: random.Random, wave: int) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return re.sub(
            r"^title: (.*)$",
            lambda m: f"title: {json.dumps(f'Edited {wave}: ' + _scalar(m[1]))}",
            text,
            count=1,
            flags=re.MULTILINE,
        )
    if kind == 1:
        return re.sub(
            r"^quality: .*$", f"quality: {rng.randrange(100)}", text, count=1, flags=re.MULTILINE
        )
    if kind == 2:
        return re.sub(
            r"^topics:\n", "topics:\n  - Reload Test\n", text, count=1, flags=re.MULTILINE
        )
    # Drop the first related item (its stub may go, its edge goes).
    return re.sub(
        r"^related:\n  - (?:.*\n)(?:    .*\n)*", "related:\n", text, count=1, flags=re.MULTILINE
    )


def _scalar(raw: str) -> str:
    raw = raw.strip()
    if raw[:1] in "\"'":
        try:
            return str(json.loads(raw)) if raw[0] == '"' else raw.strip("'")
        except ValueError:
            return raw.strip("\"'")
    return raw


def _with_url(text: str, url: str, title: str) -> str:
    text = re.sub(r"^webUrl: .*$", f"webUrl: {json.dumps(url)}", text, count=1, flags=re.MULTILINE)
    text = re.sub(r"^originalUrl: .*\n", "", text, flags=re.MULTILINE)
    if not re.search(r"^webUrl: ", text, flags=re.MULTILINE):
        text = text.replace("---\n", f"---\nwebUrl: {json.dumps(url)}\n", 1)
    return re.sub(r"^title: .*$", f"title: {json.dumps(title)}", text, count=1, flags=re.MULTILINE)


class Checker(threading.Thread):
    """Asks for counts that must agree inside one response, until stopped.

    Every check sends a body of its own (the alias ``check<n>``), so the response cache never
    answers one: each runs on the snapshot being served. ``versions`` counts the snapshot
    versions the checks saw."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.checked = 0
        self.failures: list[str] = []
        self.versions: Counter[str] = Counter()

    def run(self) -> None:
        with httpx.Client(timeout=30) as client:
            while not self.stop.is_set():
                alias = f"check{self.checked}"
                query = CONSISTENCY.replace("ALIAS", alias, 1)
                try:
                    response = client.post(self.url, json={"query": query})
                except httpx.HTTPError as exc:
                    self.failures.append(f"transport error: {exc!r}")
                    time.sleep(0.5)
                    continue
                self.checked += 1
                problem = consistency_problem(response, alias)
                if problem:
                    self.failures.append(problem)
                else:
                    self.versions[response.json()["data"]["stats"]["version"]] += 1


def consistency_problem(response: httpx.Response, alias: str) -> str | None:
    """Why one response is not 200 with valid data from one consistent snapshot (or None)."""
    if response.status_code != 200:
        return f"{response.status_code}: {response.text[:300]}"
    body = response.json()
    if body.get("errors") or not body.get("data"):
        return f"errors: {json.dumps(body)[:300]}"
    d = body["data"]
    s = d["stats"]
    checks = {
        f"the answer to this check ({alias})": d.get(alias) == "Query",
        "articles list = stats.articles": d["articles"]["totalCount"] == s["articles"],
        "articles with stubs = articles + stubs": d["everything"]["totalCount"]
        == s["articles"] + s["stubs"],
        "topics list = stats.topics": d["topics"]["totalCount"] == s["topics"],
        "providers list = stats.providers": d["providers"]["totalCount"] == s["providers"],
        "edges = sum of kinds": s["edges"]
        == s["relatedEdges"] + s["publishedByEdges"] + s["taggedEdges"],
        "PUBLISHED_BY = articles + stubs": s["publishedByEdges"] == s["articles"] + s["stubs"],
        "TAGGED = sum of topic article counts": s["topics"] > 100
        or s["taggedEdges"] == sum(e["node"]["articleCount"] for e in d["topics"]["edges"]),
    }
    broken = [name for name, ok in checks.items() if not ok]
    return f"inconsistent ({', '.join(broken)}): {json.dumps(d)[:400]}" if broken else None


def count_documents(root: Path) -> int:
    return sum(1 for p in root.rglob("*") if p.suffix.lower() in DOCUMENT_SUFFIXES and p.is_file())


def run_reload(
    corpus: Path,
    store: GraphStore,
    mix: list[Case],
    cache: bool,
    args: argparse.Namespace,
    work: Path,
) -> dict[str, Any]:
    tag = "cache" if cache else "nocache"
    base = work / f"reload-{tag}"
    root = base / "corpus"
    if base.exists():
        shutil.rmtree(base)
    shutil.copytree(corpus, root, symlinks=True)
    files_before = count_documents(root)
    protected = {path for case in mix for path in _sources_of(store, case)}
    server = graphsvc_server(
        root, 1, base / "cache", work / f"server-reload-{tag}.log", watch=True, cache=cache
    )
    say(f"reload-{tag}: starting the server (watching)")
    with running(server):
        say(f"reload-{tag}: ready; arming the watcher")
        _wait_watching(server, root)
        say(f"reload-{tag}: measuring while rewriting")
        rss_before = server.rss()
        reloads_before = readyz(server)["reloads"]
        counters_before = cache_counters(server) if cache else None
        wrk = Wrk(
            server.endpoint,
            mix,
            work / f"wrk-reload-{tag}",
            args.reload_duration,
            args.connections,
            args.threads,
        ).start()
        checker = Checker(server.endpoint)
        checker.start()
        stop = threading.Event()
        waves = 3 if args.smoke else 6
        pause = max(1.0, args.reload_duration * 0.6 / waves)
        plan = rewrite_waves(root, protected, waves, pause, args.seed, 2 if args.smoke else 5, stop)
        load = wrk.result()
        counters_after = cache_counters(server) if cache else None
        say(f"reload-{tag}: load done; waiting for the server to settle")
        settled = _wait_settled(server, root)
        checker.stop.set()
        checker.join(30)
        tree_after = server.rss_tree()
        final = server_graph(server)
        ready = readyz(server)
    files_after = count_documents(root)
    # The expected final graph: the final folder with the malformed files at their last good
    # (original) text, which is what the server keeps serving for them.
    expected_root = base / "expected"
    shutil.copytree(root, expected_root, symlinks=True)
    for rel, text in plan.malformed.items():
        (expected_root / rel).write_text(text)
    # A fresh ingest of that folder: a new server started the same way (cold parse cache,
    # watching), warmed up with the same bodies. Its graph is the expected one, its RSS the
    # fresh-snapshot reference for memory.
    fresh = graphsvc_server(
        expected_root,
        1,
        base / "cache-fresh",
        work / f"server-fresh-{tag}.log",
        watch=True,
        cache=cache,
    )
    say(f"reload-{tag}: settled; starting a fresh server on the final folder")
    with running(fresh):
        say(f"reload-{tag}: fresh server ready; warming up")
        fresh_warmup = warm_up(fresh, mix, args, work / f"wrk-fresh-{tag}-warmup")
        tree_fresh = fresh.rss_tree()
        expected = server_graph(fresh)
    differences = compare_graphs(final, expected, set(plan.malformed))
    shutil.rmtree(base)
    rss_after = sum(rss for _, _, rss in tree_after)
    rss_fresh = sum(rss for _, _, rss in tree_fresh)
    return {
        **load,
        "workers": 1,
        "cache": cache,
        "cache_hit_rate": hit_rate(counters_before, counters_after, 1),
        "cache_counters": {"before": counters_before, "after": counters_after},
        "rss_before": rss_before,
        "rss_after": rss_after,
        "rss_fresh": rss_fresh,
        "rss_tree": {"after": tree_after, "fresh": tree_fresh},
        "fresh_warmup": fresh_warmup,
        "memory": memory_check(rss_fresh, rss_after, args.smoke, "of a fresh snapshot"),
        "plan": plan.counts(),
        "files_before": files_before,
        "files_after": files_after,
        "checker_responses": checker.checked,
        "checker_failures": checker.failures[:20],
        "checker_failure_count": len(checker.failures),
        "versions_seen": len(checker.versions),
        "checks_per_version": sorted(checker.versions.values(), reverse=True),
        "reloads": ready["reloads"] - reloads_before,
        "settle_seconds": settled,
        "final_counts": final["counts"],
        "final_rejected": sorted(final["rejected"]),
        "differences": differences[:30],
        "difference_count": len(differences),
    }


def _sources_of(store: GraphStore, case: Case) -> list[str]:
    """The files behind the articles a mix case names (they must not change under it)."""
    from graphsvc.api.context import decode_id
    from graphsvc.identity import article_key

    keys = []
    for name, value in case.variables.items():
        if name == "url":
            keys.append(store.url_index.get(value, article_key(value)))
        elif name in ("id", "from", "to"):
            keys.append(decode_id(value))
    return [src for key in keys if key in store.articles for src in store.articles[key].sources]


def _wait_watching(server: Server, root: Path, timeout: float = 120) -> None:
    """Touch a scratch document until a reload shows the watcher is armed, then remove it."""
    probe = root / "zz-load-probe.md"
    deadline = time.monotonic() + timeout
    start = readyz(server)["reloads"]
    while readyz(server)["reloads"] == start:
        if time.monotonic() > deadline:
            raise TimeoutError("the watcher never reported a change")
        probe.write_text(
            f"---\ntitle: probe\nwebUrl: https://reload.example/probe/{time.time()}\n---\n"
        )
        time.sleep(1)
    probe.unlink()
    _wait_settled(server, root)


def _wait_settled(server: Server, root: Path, quiet: float = 5, timeout: float = 300) -> float:
    """Seconds until the served version stops changing and every file on disk is counted."""
    started = time.monotonic()
    on_disk = count_documents(root)
    last, since = None, time.monotonic()
    while time.monotonic() - started < timeout:
        stats = post(server.endpoint, {"query": "{ stats { version files } }"}).json()["data"][
            "stats"
        ]
        if stats["version"] != last:
            last, since = stats["version"], time.monotonic()
        elif stats["files"] == on_disk and time.monotonic() - since >= quiet:
            return round(time.monotonic() - started - quiet, 1)
        time.sleep(0.5)
    # What the server says now, asked twice: the same body as above (which the response cache
    # may answer) and a body of its own (which it cannot), with /readyz.
    fresh = post(
        server.endpoint, {"query": f"{{ settle{time.time_ns()}: stats {{ version files }} }}"}
    )
    raise TimeoutError(
        f"the server did not settle in {timeout:.0f}s: {on_disk} documents on disk; last"
        f" answer {stats}; a distinct body: {fresh.text[:200]}; /readyz {readyz(server)}"
    )


ALL_ARTICLES = """query($after: String) {
  stats { articles stubs providers topics edges relatedEdges publishedByEdges taggedEdges }
  ingestProblems { path }
  articles(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { url title publishedAt quality sourcePaths provider { domain } topics { name }
      related(first: 1) { totalCount } } }
  }
}"""


def server_graph(server: Server) -> dict[str, Any]:
    """Counts, rejected paths and every full article as the server sees them."""
    articles: dict[str, Any] = {}
    after = None
    while True:
        body = post(
            server.endpoint, {"query": ALL_ARTICLES, "variables": {"after": after}}, 60
        ).json()
        if body.get("errors"):
            raise RuntimeError(f"reading the final graph: {body['errors'][:3]}")
        data = body["data"]
        for edge in data["articles"]["edges"]:
            n = edge["node"]
            articles[n["url"]] = {
                "title": n["title"],
                "publishedAt": n["publishedAt"]
                and datetime.fromisoformat(n["publishedAt"]).isoformat(),
                "quality": n["quality"],
                "sources": sorted(n["sourcePaths"]),
                "provider": n["provider"] and n["provider"]["domain"],
                "topics": [t["name"] for t in n["topics"]],
                "related": n["related"]["totalCount"],
            }
        if not data["articles"]["pageInfo"]["hasNextPage"]:
            return {
                "counts": data["stats"],
                "articles": articles,
                "rejected": [p["path"] for p in data["ingestProblems"]],
            }
        after = data["articles"]["pageInfo"]["endCursor"]


def compare_graphs(
    served: dict[str, Any], expected: dict[str, Any], malformed: set[str]
) -> list[str]:
    """Differences between the served graph and the expected one (a fresh ingest, served by
    a new server), as sentences. The malformed files must be rejected by the served one only."""
    out = [
        f"count {k}: served {served['counts'][k]}, expected {v}"
        for k, v in expected["counts"].items()
        if served["counts"][k] != v
    ]
    if set(served["rejected"]) != malformed | set(expected["rejected"]):
        out.append(f"rejected: served {sorted(served['rejected'])}, expected {sorted(malformed)}")
    for url in sorted(set(served["articles"]) | set(expected["articles"])):
        a, b = served["articles"].get(url), expected["articles"].get(url)
        if a != b:
            out.append(f"{url}: served {a}, expected {b}")
    return out
