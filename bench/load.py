"""Load test over HTTP with wrk, then reload under load: figures for the README, checks for CI.

    python bench/load.py [--corpus DIR] [--duration 30] [--connections 20] [--workers 1,2]
                         [--cache on,off] [--no-load] [--no-reload] [--smoke] [--out bench/results]

Every phase runs twice: with the per-snapshot response cache on (the default) and off
(``GRAPHSVC_RESPONSE_CACHE_BYTES=0``). With it on, the figures are what clients repeating
their queries see; with it off, they are the GraphQL engine's own work on every request.

1. **Load**, once per ``--workers`` value and cache setting: ``graphsvc serve CORPUS --workers
   N`` as a child process, then wrk (Debian's; installed with apt-get when missing and root) with
   ``../shared/tools/wrk-post.lua`` wrapped by a small generated script that rotates the lines of
   a body file (each thread from its own place) and checks every response body (200, ``data``,
   no ``errors``). The body file (``realistic_mix``, 400 lines, about 350 distinct bodies, seeded)
   is drawn from the corpus: 120 article pages (different URLs), 40 topic pages (topics weighted
   by size), 40 provider pages, 20 copies of the topic and provider lists, 60 depth-2
   neighbourhoods and 60 shortest paths (different seeds and endpoints), 60 one- or two-word
   searches (title words in 2 titles to 2.5% of them). A wrk warm-up (3 s; 2 s with ``--smoke``)
   precedes each measured run; its responses are checked too. Recorded: req/s, p50/p90/p99/max
   latency, socket errors, non-2xx, GraphQL errors, the response cache's hit rate during the run
   (from ``/readyz``, every worker's counters summed), and the RSS of the server's process tree
   (every process, /proc VmRSS summed) after the warm-up and after the run.
2. **Reload under load**: the same on a temporary copy of the corpus with the watcher on. While
   wrk runs, a third of the files are rewritten in waves (edits, adds, deletes, and a few files
   turned malformed), and a checker loop asks for counts that must agree inside one response
   (one snapshot). Each check's body is distinct (a numbered alias), so no check is answered
   from the response cache; the checker counts the snapshot versions it saw. Once the server
   has settled, its graph must equal a fresh ingest (a new server with an empty parse cache) of
   the final folder in which the malformed files are their last good (original) versions.

**Memory must stay flat.** Load phases: RSS after the run minus RSS after the warm-up must stay
under ``max(64 MiB, 25% of the RSS after the warm-up)``. Reload phase: the start is no fair
reference (the old snapshot and the parse pool's work come and go), so the RSS after the run is
compared with a *fresh snapshot*: that fresh-ingest server (started like the reloaded one, cold
parse cache and watcher on, then given the same warm-up); it must exceed that by less than
``max(64 MiB, 25%)`` of it. With ``--smoke`` (a shared, noisy CI machine, seconds of load) the
tolerance is ``max(256 MiB, 50%)``: it catches a runaway, not a slow leak.

``--smoke`` is the CI version (tests/web/test_load_smoke.py): 5 s at 4 connections per load
phase, 8 s of reload (the same third of the files, in 3 waves instead of 6, 2 of them turned
malformed instead of 5). It prints the same table; the exit status is 1 when any phase saw a
socket error, a non-2xx, a GraphQL error, memory growth over the tolerance or (reload) an
inconsistency, a checker that saw under two snapshot versions, or a final graph unequal to a
fresh ingest, or could not finish (the other phases still run). Progress goes to stderr, results
to ``bench/results/load-*.json`` (git-ignored). The full run (defaults) takes about 6 minutes,
the smoke run 2 to 4.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mix import (
    ARTICLE,
    LISTS,
    NEIGHBORHOOD,
    SEARCH,
    SHORTEST_PATH,
    TOPIC_PAGE,
    Case,
)

from graphsvc.api.context import encode_id
from graphsvc.corpus import load_store
from graphsvc.graph.store import GraphStore
from graphsvc.ingest.cache import default_cache_dir

REPO = Path(__file__).resolve().parents[1]
NEWS = REPO.parent / "shared" / "corpus" / "news"
WRK_POST_LUA = REPO.parent / "shared" / "tools" / "wrk-post.lua"
RESULTS = REPO / "bench" / "results"
DOCUMENT_SUFFIXES = (".md", ".markdown", ".txt")
MIB = 1024 * 1024

#: Memory tolerance (floor in bytes, fraction of the reference RSS): full run and --smoke.
MEMORY_TOLERANCE = (64 * MIB, 0.25)
SMOKE_MEMORY_TOLERANCE = (256 * MIB, 0.50)


def stop_group(proc: subprocess.Popen[bytes] | None, timeout: float) -> None:
    """Stop a server started in its own process group (workers, ingest pools and all):
    SIGTERM, then SIGKILL after ``timeout`` seconds."""
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


# --- the request mix --------------------------------------------------------------------------
PROVIDER_PAGE = """
query ProviderPage($provider: String!) {
  articles(filter: {providers: [$provider]}, first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id title url publishedAt topics { name } } }
  }
}
"""

#: Lines of the body file per kind: a long tail of article pages, neighbourhoods, paths and
#: searches, fewer topic and provider pages, and the lists page that every client asks for.
MIX_SHAPE = {
    "article": 120,
    "topic_page": 40,
    "provider_page": 40,
    "lists": 20,
    "neighborhood": 60,
    "shortest_path": 60,
    "search": 60,
}


def realistic_mix(store: GraphStore, seed: int) -> list[Case]:
    """The body file's lines (``MIX_SHAPE``), variables drawn from ``store``, shuffled.

    Deterministic for a store and seed. A small corpus gives fewer distinct bodies, not fewer
    kinds (a kind whose pool is empty is left out)."""
    rng = random.Random(seed)
    full = [store.articles[k] for k in store.full_by_date]
    if not full:
        raise ValueError("the store has no articles")
    linked = [k for k in store.full_by_date if store.related_out(k)] or list(store.full_by_date)
    topics = sorted(
        (t for t in store.topics.values() if t.article_count), key=lambda t: (t.key, t.name)
    )
    providers = sorted(
        (p for p in store.providers.values() if p.article_count), key=lambda p: p.key
    )
    # Search words: words of titles that are neither rare nor everywhere ("with", "that").
    words = Counter(
        w for a in full for w in {w.lower() for w in re.findall(r"[A-Za-z]{4,}", a.title)}
    )
    common = sorted(w for w, n in words.items() if 2 <= n <= max(2, len(full) // 40))

    def some(pool: list[Any], k: int) -> list[Any]:
        return rng.sample(pool, min(k, len(pool)))

    lines = [Case("article", ARTICLE, {"url": a.url}) for a in some(full, MIX_SHAPE["article"])]
    if topics:
        lines += [
            Case("topic_page", TOPIC_PAGE, {"topic": t.name})
            for t in rng.choices(
                topics, weights=[t.article_count for t in topics], k=MIX_SHAPE["topic_page"]
            )
        ]
    lines += [
        Case("provider_page", PROVIDER_PAGE, {"provider": p.domain})
        for p in some(providers, MIX_SHAPE["provider_page"])
    ]
    lines += [Case("lists", LISTS)] * MIX_SHAPE["lists"]
    lines += [
        Case("neighborhood", NEIGHBORHOOD, {"id": encode_id(k)})
        for k in some(linked, MIX_SHAPE["neighborhood"])
    ]
    for _ in range(MIX_SHAPE["shortest_path"] if len(linked) > 1 else 0):
        a, b = rng.sample(linked, 2)
        lines.append(
            Case("shortest_path", SHORTEST_PATH, {"from": encode_id(a), "to": encode_id(b)})
        )
    texts: set[str] = set()
    for _ in range(MIX_SHAPE["search"] * 3 if common else 0):
        texts.add(" ".join(rng.sample(common, rng.choice((1, 2)))))
        if len(texts) == MIX_SHAPE["search"]:
            break
    lines += [Case("search", SEARCH, {"q": q}) for q in sorted(texts)]
    rng.shuffle(lines)
    return lines


def describe_mix(mix: list[Case]) -> dict[str, Any]:
    """Lines and distinct bodies per kind (for the record)."""
    kinds: dict[str, Any] = {}
    for case in mix:
        entry = kinds.setdefault(case.name, {"lines": 0, "distinct": set()})
        entry["lines"] += 1
        entry["distinct"].add(json.dumps(case.body(), sort_keys=True))
    out = {k: {"lines": v["lines"], "distinct": len(v["distinct"])} for k, v in kinds.items()}
    out["all"] = {
        "lines": len(mix),
        "distinct": len({json.dumps(c.body(), sort_keys=True) for c in mix}),
    }
    return out


#: Wraps wrk-post.lua (method, JSON header, summary line): rotates bodies, checks responses.
MIX_LUA = r"""
dofile(os.getenv("WRK_POST_LUA"))
local summary_line = done
local bodies = {}
for line in io.lines(os.getenv("MIX_FILE")) do bodies[#bodies + 1] = line end
local nthreads = tonumber(os.getenv("WRK_THREADS") or "1")
local threads = {}
function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end
function init(args)
  -- each thread starts at its own place in the file, so threads do not send in lockstep
  n = math.floor((offset or 0) * #bodies / nthreads)
  bad = 0
  checked = 0
end
function request()
  n = n % #bodies + 1
  return wrk.format("POST", nil, nil, bodies[n])
end
function response(status, headers, body)
  checked = checked + 1
  local has_data = string.find(body, '"data":{', 1, true)
  local has_errors = string.find(body, '"errors"', 1, true)
  if status ~= 200 or not has_data or has_errors then
    bad = bad + 1
    if bad <= 3 then
      io.stderr:write("bad response " .. status .. ": " .. string.sub(body, 1, 300) .. "\n")
    end
  end
end
function done(summary, latency, requests)
  summary_line(summary, latency, requests)
  local b, c = 0, 0
  for _, t in ipairs(threads) do
    b = b + t:get("bad")
    c = c + t:get("checked")
  end
  io.write(string.format('{"graphql_errors":%d,"checked":%d}\n', b, c))
end
"""

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


STARTED = time.monotonic()


def note(message: str) -> None:
    """A progress line on stderr, with the seconds since the start."""
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


# --- the server -------------------------------------------------------------------------------
def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """``graphsvc serve`` in its own process group, logging to a file."""

    corpus: Path
    workers: int
    cache_dir: Path
    log: Path
    watch: bool = False
    cache: bool = True  # the response cache (off: GRAPHSVC_RESPONSE_CACHE_BYTES=0)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def graphql(self) -> str:
        return f"{self.url}/graphql"

    def start(self, timeout: float = 600) -> None:
        """Start, then wait until every worker answers."""
        args = [
            sys.executable,
            "-m",
            "graphsvc",
            "serve",
            str(self.corpus),
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--log-level",
            "warning",
            "--cache-dir",
            str(self.cache_dir),
            "--watch" if self.watch else "--no-watch",
        ]
        env = {k: v for k, v in os.environ.items() if k != "GRAPHSVC_RESPONSE_CACHE_BYTES"}
        if not self.cache:
            env["GRAPHSVC_RESPONSE_CACHE_BYTES"] = "0"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env
            )
        deadline = time.monotonic() + timeout
        # Every worker must be ready: ask /readyz on fresh connections until each worker
        # process (its pid) has answered 200 (a loading worker answers 503).
        ready: set[int] = set()
        while len(ready) < max(1, self.workers):
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited {self.proc.returncode}; see {self.log}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the server was not ready in {timeout:.0f}s; see {self.log}")
            try:
                response = httpx.get(f"{self.url}/readyz", timeout=30)
                if response.status_code == 200:
                    ready.add(response.json()["pid"])
            except httpx.TransportError:
                pass
            time.sleep(0.05)

    def stop(self) -> None:
        stop_group(self.proc, 30)

    def rss_bytes(self) -> int:
        """VmRSS summed over the server's process tree (uvicorn, workers, ingest pools)."""
        return sum(rss for _, _, rss in self.rss_tree())

    def rss_tree(self) -> list[tuple[int, str, int]]:
        """(pid, command name, VmRSS) of every process of the server's tree."""
        assert self.proc is not None
        return [(pid, _comm(pid), _vm_rss(pid)) for pid in _process_tree(self.proc.pid)]

    def cache_counters(self, rounds: int = 5) -> dict[str, int]:
        """Response cache hits and misses summed over the workers that ``/readyz`` reached.

        Each ``/readyz`` request (a new connection) lands on one worker, and an idle server
        hands most of them to the same one, so each round sends several at once; with the
        server idle, distinct (hits, misses) pairs are distinct workers. ``workers`` says how
        many were seen."""
        seen: set[tuple[int, int]] = set()
        if self.workers == 1:  # one sample: the counters may be moving (the reload's checker)
            rounds = 1

        def ask() -> None:
            counters = _readyz(self).get("responseCache") or {}
            seen.add((int(counters.get("hits", 0)), int(counters.get("misses", 0))))

        for _ in range(rounds):
            many = 1 if self.workers == 1 else 4 * self.workers
            askers = [threading.Thread(target=ask) for _ in range(many)]
            for asker in askers:
                asker.start()
            for asker in askers:
                asker.join()
            if len(seen) >= self.workers:
                break
        return {
            "hits": sum(h for h, _ in seen),
            "misses": sum(m for _, m in seen),
            "workers": len(seen),
        }


@contextmanager
def running(server: Server) -> Iterator[Server]:
    try:
        server.start()
        yield server
    finally:
        server.stop()


def _post(url: str, body: dict[str, Any], timeout: float = 30) -> httpx.Response:
    return httpx.post(url, json=body, timeout=timeout)


def _process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def _vm_rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


# --- wrk --------------------------------------------------------------------------------------
def ensure_wrk() -> str:
    """The wrk executable; installed from Debian when missing (as root)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            env=env,
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not shutil.which("wrk"):
            subprocess.run(
                ["apt-get", "update", "-qq"],
                env=env,
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            subprocess.run(
                ["apt-get", "install", "-y", "-qq", "wrk"],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    return found


@dataclass
class Wrk:
    """One wrk run over the mix, started in the background."""

    url: str
    mix: list[Case]
    workdir: Path
    duration: int
    connections: int
    threads: int
    proc: subprocess.Popen[str] | None = None

    def start(self) -> Wrk:
        self.workdir.mkdir(parents=True, exist_ok=True)
        lua = self.workdir / "mix.lua"
        lua.write_text(MIX_LUA)
        bodies = self.workdir / "bodies.jsonl"
        bodies.write_text("".join(json.dumps(c.body()) + "\n" for c in self.mix))
        env = {
            **os.environ,
            "WRK_POST_LUA": str(WRK_POST_LUA),
            "MIX_FILE": str(bodies),
            "WRK_THREADS": str(self.threads),
        }
        command = [
            ensure_wrk(),
            f"-t{self.threads}",
            f"-c{self.connections}",
            f"-d{self.duration}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            str(lua),
            self.url,
        ]
        self.proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        return self

    def result(self) -> dict[str, Any]:
        assert self.proc is not None
        out, err = self.proc.communicate(timeout=self.duration + 120)
        found: dict[str, Any] = {}
        for line in out.splitlines():
            if line.startswith("{"):
                found.update(json.loads(line))
        if "requests" not in found:
            raise RuntimeError(
                f"wrk printed no summary (exit {self.proc.returncode}):\n{out}\n{err}"
            )
        found["stderr"] = err.strip()[-2000:]
        return found


# --- phase 1: load ---------------------------------------------------------------------------
def cache_label(cache: bool) -> str:
    return f"cache {'on' if cache else 'off'}"


def warm_up(
    server: Server, mix: list[Case], args: argparse.Namespace, workdir: Path
) -> dict[str, Any]:
    """A short wrk run over the same bodies (caches, search index, every worker), checked."""
    result = Wrk(server.graphql, mix, workdir, args.warmup, args.connections, args.threads).start()
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
    server = Server(corpus, workers, args.cache_dir, work / f"server-{tag}.log", cache=cache)
    note(f"{tag}: starting the server")
    with running(server):
        note(f"{tag}: ready; warming up")
        warmup = warm_up(server, mix, args, work / f"wrk-{tag}-warmup")
        note(f"{tag}: measuring")
        counters_before = server.cache_counters() if cache else None
        tree_before = server.rss_tree()
        result = (
            Wrk(
                server.graphql,
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
        counters_after = server.cache_counters() if cache else None
        alive = _post(server.graphql, {"query": "{ stats { articles } }"}).json()["data"]["stats"][
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


# --- phase 2: reload under load ---------------------------------------------------------------
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
    server = Server(
        root, 1, base / "cache", work / f"server-reload-{tag}.log", watch=True, cache=cache
    )
    note(f"reload-{tag}: starting the server (watching)")
    with running(server):
        note(f"reload-{tag}: ready; arming the watcher")
        _wait_watching(server, root)
        note(f"reload-{tag}: measuring while rewriting")
        rss_before = server.rss_bytes()
        reloads_before = _readyz(server)["reloads"]
        counters_before = server.cache_counters() if cache else None
        wrk = Wrk(
            server.graphql,
            mix,
            work / f"wrk-reload-{tag}",
            args.reload_duration,
            args.connections,
            args.threads,
        ).start()
        checker = Checker(server.graphql)
        checker.start()
        stop = threading.Event()
        waves = 3 if args.smoke else 6
        pause = max(1.0, args.reload_duration * 0.6 / waves)
        plan = rewrite_waves(root, protected, waves, pause, args.seed, 2 if args.smoke else 5, stop)
        load = wrk.result()
        counters_after = server.cache_counters() if cache else None
        note(f"reload-{tag}: load done; waiting for the server to settle")
        settled = _wait_settled(server, root)
        checker.stop.set()
        checker.join(30)
        tree_after = server.rss_tree()
        final = server_graph(server)
        readyz = _readyz(server)
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
    fresh = Server(
        expected_root,
        1,
        base / "cache-fresh",
        work / f"server-fresh-{tag}.log",
        watch=True,
        cache=cache,
    )
    note(f"reload-{tag}: settled; starting a fresh server on the final folder")
    with running(fresh):
        note(f"reload-{tag}: fresh server ready; warming up")
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
        "reloads": readyz["reloads"] - reloads_before,
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


def _readyz(server: Server) -> dict[str, Any]:
    return dict(httpx.get(f"{server.url}/readyz", timeout=30).json())


def _wait_watching(server: Server, root: Path, timeout: float = 120) -> None:
    """Touch a scratch document until a reload shows the watcher is armed, then remove it."""
    probe = root / "zz-load-probe.md"
    deadline = time.monotonic() + timeout
    start = _readyz(server)["reloads"]
    while _readyz(server)["reloads"] == start:
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
        stats = _post(server.graphql, {"query": "{ stats { version files } }"}).json()["data"][
            "stats"
        ]
        if stats["version"] != last:
            last, since = stats["version"], time.monotonic()
        elif stats["files"] == on_disk and time.monotonic() - since >= quiet:
            return round(time.monotonic() - started - quiet, 1)
        time.sleep(0.5)
    # What the server says now, asked twice: the same body as above (which the response cache
    # may answer) and a body of its own (which it cannot), with /readyz.
    fresh = _post(
        server.graphql, {"query": f"{{ settle{time.time_ns()}: stats {{ version files }} }}"}
    )
    raise TimeoutError(
        f"the server did not settle in {timeout:.0f}s: {on_disk} documents on disk; last"
        f" answer {stats}; a distinct body: {fresh.text[:200]}; /readyz {_readyz(server)}"
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
        body = _post(
            server.graphql, {"query": ALL_ARTICLES, "variables": {"after": after}}, 60
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


# --- report ---------------------------------------------------------------------------------
def failures_of(phase: str, r: dict[str, Any]) -> list[str]:
    out = [
        f"{phase}: {r[k]} {k}" for k in ("socket_errors", "non_2xx", "graphql_errors") if r.get(k)
    ]
    for name in ("warmup", "fresh_warmup"):
        bad = {k: v for k, v in (r.get(name) or {}).items() if k != "requests" and k != "rps" and v}
        if bad:
            out.append(f"{phase}: {name.replace('_', ' ')}: {bad}")
    memory = r.get("memory")
    if memory and not memory["ok"]:
        out.append(
            f"{phase}: memory grew {memory['growth'] / MIB:.0f} MiB over the RSS"
            f" {memory['reference']}"
            f" ({memory['before'] / MIB:.0f} -> {memory['after'] / MIB:.0f} MiB), limit"
            f" {memory['limit'] / MIB:.0f} MiB = {memory['tolerance']}"
        )
    if r.get("checker_failure_count"):
        bad_count = r["checker_failure_count"]
        out.append(f"{phase}: {bad_count} inconsistent responses: {r['checker_failures'][:3]}")
    if "versions_seen" in r and r.get("reloads") and r["versions_seen"] < 2:
        out.append(
            f"{phase}: the checks saw {r['versions_seen']} snapshot version(s) across"
            f" {r['reloads']} reloads: they did not run on the snapshots being served"
        )
    if r.get("difference_count"):
        out.append(f"{phase}: final graph differs from a fresh ingest: {r['differences'][:5]}")
    return out


def print_table(results: dict[str, dict[str, Any]]) -> None:
    header = (
        f"{'phase':<22}{'hits':>6}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'requests':>10}{'sock err':>9}{'non-2xx':>8}{'gql err':>8}"
        f"{'RSS ref':>9}{'RSS after':>11}{'growth/limit':>14}"
    )
    print(header)
    print("-" * len(header))
    for phase, r in results.items():
        rate = r.get("cache_hit_rate")
        hits = "-" if not r["cache"] else "?" if rate is None else f"{rate:.0%}"
        m = r["memory"]
        verdict = f"{m['growth'] / MIB:.0f}/{m['limit'] / MIB:.0f}{'' if m['ok'] else ' FAIL'}"
        print(
            f"{phase:<22}{hits:>6}{r['rps']:>9.1f}{r['p50_ms']:>9.2f}{r['p90_ms']:>9.2f}"
            f"{r['p99_ms']:>9.2f}{r['max_ms']:>9.1f}{r['requests']:>10}{r['socket_errors']:>9}"
            f"{r['non_2xx']:>8}{r['graphql_errors']:>8}{m['before'] / MIB:>7.0f}Mi"
            f"{m['after'] / MIB:>9.0f}Mi{verdict:>14}"
        )
    print(
        "\nhits: response cache hit rate during the run (- off). RSS ref: after the warm-up"
        " (load), a fresh server on the final folder (reload). growth/limit in MiB."
    )
    for phase, r in results.items():
        if "plan" not in r:
            continue
        print(
            f"\n{phase}: {r['plan']} of {r['files_before']} files ({r['files_after']} after);"
            f" {r['reloads']} reloads; {r['checker_responses']} checks, each a distinct body,"
            f" saw {r['versions_seen']} snapshot versions ({r['checker_failure_count']} bad)"
            f" + {r['checked']} wrk responses checked; RSS {r['rss_before'] / MIB:.0f} MiB"
            f" before the load; settled {r['settle_seconds']} s after the load; final graph vs"
            f" fresh ingest: {r['difference_count']} differences; rejected {r['final_rejected']}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=NEWS)
    parser.add_argument("--duration", type=int, default=30, help="seconds of wrk per load phase")
    parser.add_argument(
        "--reload-duration", type=int, default=30, help="seconds of wrk while rewriting"
    )
    parser.add_argument("--warmup", type=int, default=3, help="seconds of wrk before measuring")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument(
        "--cache", default="on,off", help="response cache settings to run: on, off or on,off"
    )
    parser.add_argument("--no-reload", dest="reload", action="store_false")
    parser.add_argument("--no-load", dest="load", action="store_false")
    parser.add_argument(
        "--smoke", action="store_true", help="5 s at 4 connections per phase, 8 s of reload (CI)"
    )
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument(
        "--cache-dir", type=Path, default=None, help="parse cache (default: the usual)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.smoke:
        args.duration, args.reload_duration, args.connections, args.threads = 5, 8, 4, 1
        args.warmup = 2
    settings = [s.strip() for s in args.cache.split(",") if s.strip()]
    if not settings or set(settings) - {"on", "off"}:
        parser.error("--cache takes on, off or on,off")
    caches = [s == "on" for s in settings]
    args.cache_dir = args.cache_dir or default_cache_dir()
    ensure_wrk()
    if not args.corpus.is_dir():
        raise SystemExit(f"no corpus at {args.corpus}")
    started = time.monotonic()
    note(f"loading {args.corpus}")
    store = load_store(args.corpus, cache_dir=args.cache_dir)
    mix = realistic_mix(store, args.seed)
    results: dict[str, dict[str, Any]] = {}
    broken: list[str] = []  # phases that could not finish
    with tempfile.TemporaryDirectory(prefix="graphsvc-load-") as tmp:
        work = Path(tmp)
        phases: list[tuple[str, Any]] = []
        if args.load:
            for workers in (int(w) for w in args.workers.split(",")):
                for cache in caches:
                    label = f"{workers} worker{'s' if workers > 1 else ''}, {cache_label(cache)}"
                    phases.append(
                        (
                            label,
                            lambda w=workers, c=cache: run_load(args.corpus, mix, w, c, args, work),
                        )
                    )
        if args.reload:
            for cache in caches:
                phases.append(
                    (
                        f"reload, {cache_label(cache)}",
                        lambda c=cache: run_reload(args.corpus, store, mix, c, args, work),
                    )
                )
        for label, run in phases:
            try:
                results[label] = run()
            except Exception as exc:  # one phase's failure must not hide the others' figures
                note(f"{label}: {type(exc).__name__}: {exc}")
                broken.append(f"{label}: did not finish: {type(exc).__name__}: {exc}")
        logs = {p.name: p.read_text()[-3000:] for p in work.glob("*.log")}
    print_table(results)
    failures = broken + [f for phase, r in results.items() for f in failures_of(phase, r)]
    record = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "corpus": str(args.corpus),
        "smoke": args.smoke,
        "duration": args.duration,
        "reload_duration": args.reload_duration,
        "warmup": args.warmup,
        "connections": args.connections,
        "threads": args.threads,
        "mix": describe_mix(mix),
        "memory_tolerance": memory_check(0, 0, args.smoke)["tolerance"],
        "cpus": os.cpu_count(),
        "loadavg": os.getloadavg(),
        "seconds": round(time.monotonic() - started, 1),
        "results": results,
        "failures": failures,
        "server_logs": logs if failures else {},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    name = f"load-{'smoke-' if args.smoke else ''}{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    (args.out / name).write_text(json.dumps(record, indent=1, default=str))
    print(f"\nwritten {args.out / name} ({record['seconds']:.0f} s)")
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    # SIGTERM (a test's hang guard, a cancelled job) unwinds like Ctrl-C: the finally blocks
    # stop the servers, which run in sessions of their own and would otherwise outlive this.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    sys.exit(main())
