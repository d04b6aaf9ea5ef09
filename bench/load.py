"""Load test over HTTP with wrk, then reload under load: figures for the README, checks for CI.

    python bench/load.py [--corpus DIR] [--duration 30] [--connections 20] [--workers 1,2]
                         [--no-reload] [--smoke] [--out bench/results]

1. **Load**, once per ``--workers`` value: ``graphsvc serve CORPUS --workers N`` as a child
   process, then wrk (Debian's; installed with apt-get when missing and root) with
   ``../shared/tools/wrk-post.lua`` wrapped by a small generated script that rotates the six
   operations of ``bench/mix.py`` and checks every response body (200, ``data``, no ``errors``).
   Recorded: req/s, p50/p90/p99/max latency, socket errors, non-2xx, GraphQL errors, and the RSS
   of the server's process tree (every process, /proc VmRSS summed) before and after.
2. **Reload under load**: the same on a temporary copy of the corpus with the watcher on. While
   wrk runs, a third of the files are rewritten in waves (edits, adds, deletes, and a few files
   turned malformed), and a checker loop asks for counts that must agree inside one response
   (one snapshot). Once the server has settled, its graph must equal a fresh ingest of the final
   folder in which the malformed files are their last good (original) versions.

``--smoke`` is the CI version (tests/web/test_load_smoke.py): 5 s at 4 connections per phase,
fewer rewrites. It prints the same table; the exit status is 1 when any phase saw a socket
error, a non-2xx, a GraphQL error or (reload) an inconsistency. Results go to
``bench/results/load-*.json`` (git-ignored).
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

from mix import Case, cases

from graphsvc.graph.loading import load_store
from graphsvc.graph.store import GraphStore
from graphsvc.ingest.cache import default_cache_dir

REPO = Path(__file__).resolve().parents[1]
NEWS = REPO.parent / "shared" / "corpus" / "news"
WRK_POST_LUA = REPO.parent / "shared" / "tools" / "wrk-post.lua"
RESULTS = REPO / "bench" / "results"
DOCUMENT_SUFFIXES = (".md", ".markdown", ".txt")

#: Wraps wrk-post.lua (method, JSON header, summary line): rotates bodies, checks responses.
MIX_LUA = r"""
dofile(os.getenv("WRK_POST_LUA"))
local summary_line = done
local bodies = {}
for line in io.lines(os.getenv("MIX_FILE")) do bodies[#bodies + 1] = line end
local threads = {}
function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end
function init(args)
  n = offset or 0
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

#: Counts that must agree inside one response, whatever snapshot answered it.
CONSISTENCY = """{
  stats {
    articles stubs providers topics edges relatedEdges publishedByEdges taggedEdges
    files rejected version
  }
  articles(first: 1) { totalCount }
  everything: articles(first: 1, filter: {includeStubs: true}) { totalCount }
  topics(first: 100) { totalCount edges { node { articleCount } } }
  providers(first: 1) { totalCount }
}"""


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
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def graphql(self) -> str:
        return f"{self.url}/graphql"

    def start(self, mix: list[Case], timeout: float = 600) -> None:
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
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        # Every worker must be ready: ask on fresh connections until all of the mix answers
        # 200 several times in a row (a loading worker answers 503).
        streak = 0
        while streak < 5 * max(1, self.workers):
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited {self.proc.returncode}; see {self.log}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the server was not ready in {timeout:.0f}s; see {self.log}")
            try:
                ok = all(_post(self.graphql, c.body()).status_code == 200 for c in mix)
            except httpx.TransportError:
                ok = False
            streak = streak + 1 if ok else 0
            if not ok:
                time.sleep(0.5)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def rss_bytes(self) -> int:
        """VmRSS summed over the server's process tree (uvicorn, workers, ingest pools)."""
        assert self.proc is not None
        return sum(_vm_rss(pid) for pid in _process_tree(self.proc.pid))


@contextmanager
def running(server: Server, mix: list[Case]) -> Iterator[Server]:
    try:
        server.start(mix)
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
        env = {**os.environ, "WRK_POST_LUA": str(WRK_POST_LUA), "MIX_FILE": str(bodies)}
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


# --- phase 1: load ----------------------------------------------------------------------------
def run_load(
    corpus: Path, mix: list[Case], workers: int, args: argparse.Namespace, work: Path
) -> dict[str, Any]:
    server = Server(corpus, workers, args.cache_dir, work / f"server-w{workers}.log")
    with running(server, mix):
        for case in mix * 3:  # warm every worker's caches (search index, parsers)
            _post(server.graphql, case.body())
        rss_before = server.rss_bytes()
        result = (
            Wrk(
                server.graphql,
                mix,
                work / f"wrk-w{workers}",
                args.duration,
                args.connections,
                args.threads,
            )
            .start()
            .result()
        )
        rss_after = server.rss_bytes()
        alive = _post(server.graphql, {"query": "{ stats { articles } }"}).json()["data"]["stats"][
            "articles"
        ]
    return {
        **result,
        "workers": workers,
        "rss_before": rss_before,
        "rss_after": rss_after,
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
    """Asks for counts that must agree inside one response, until stopped."""

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
                try:
                    response = client.post(self.url, json={"query": CONSISTENCY})
                except httpx.HTTPError as exc:
                    self.failures.append(f"transport error: {exc!r}")
                    continue
                self.checked += 1
                problem = consistency_problem(response)
                if problem:
                    self.failures.append(problem)
                else:
                    self.versions[response.json()["data"]["stats"]["version"]] += 1


def consistency_problem(response: httpx.Response) -> str | None:
    """Why one response is not 200 with valid data from one consistent snapshot (or None)."""
    if response.status_code != 200:
        return f"{response.status_code}: {response.text[:300]}"
    body = response.json()
    if body.get("errors") or not body.get("data"):
        return f"errors: {json.dumps(body)[:300]}"
    d = body["data"]
    s = d["stats"]
    checks = {
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


def run_reload(
    corpus: Path, store: GraphStore, mix: list[Case], args: argparse.Namespace, work: Path
) -> dict[str, Any]:
    root = work / "reload" / "corpus"
    if root.parent.exists():
        shutil.rmtree(root.parent)
    shutil.copytree(corpus, root, symlinks=True)
    protected = {path for case in mix for path in _sources_of(store, case)}
    server = Server(root, 1, work / "reload" / "cache", work / "server-reload.log", watch=True)
    with running(server, mix):
        _wait_watching(server, root)
        rss_before = server.rss_bytes()
        reloads_before = _readyz(server)["reloads"]
        wrk = Wrk(
            server.graphql,
            mix,
            work / "wrk-reload",
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
        settled = _wait_settled(server, root)
        checker.stop.set()
        checker.join(30)
        rss_after = server.rss_bytes()
        final = server_graph(server)
        readyz = _readyz(server)
    expected_root = work / "reload" / "expected"
    shutil.copytree(root, expected_root, symlinks=True)
    for rel, text in plan.malformed.items():
        (expected_root / rel).write_text(text)
    expected = store_graph(load_store(expected_root, use_cache=False))
    differences = compare_graphs(final, expected, set(plan.malformed))
    shutil.rmtree(expected_root)
    return {
        **load,
        "workers": 1,
        "rss_before": rss_before,
        "rss_after": rss_after,
        "plan": plan.counts(),
        "files": sum(1 for p in root.rglob("*") if p.suffix.lower() in DOCUMENT_SUFFIXES),
        "checker_responses": checker.checked,
        "checker_failures": checker.failures[:20],
        "checker_failure_count": len(checker.failures),
        "versions_seen": len(checker.versions),
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
    from graphsvc.model import article_key

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
    on_disk = sum(
        1 for p in root.rglob("*") if p.suffix.lower() in DOCUMENT_SUFFIXES and p.is_file()
    )
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
    raise TimeoutError(f"the server did not settle in {timeout:.0f}s")


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


def store_graph(store: GraphStore) -> dict[str, Any]:
    """The same view of a store built in this process."""
    c = store.counts
    articles = {}
    for key in store.full_by_date:
        a = store.articles[key]
        provider = store.providers.get(a.provider)
        articles[a.url] = {
            "title": a.title,
            "publishedAt": a.published_at and a.published_at.isoformat(),
            "quality": a.quality,
            "sources": sorted(a.sources),
            "provider": provider.domain if provider else None,
            "topics": [store.topics[t].name for t in a.topics],
            "related": len(store.related_out(key)),
        }
    counts = {
        "articles": c.articles,
        "stubs": c.stubs,
        "providers": c.providers,
        "topics": c.topics,
        "edges": c.edges,
        "relatedEdges": c.related,
        "publishedByEdges": c.published_by,
        "taggedEdges": c.tagged,
    }
    return {
        "counts": counts,
        "articles": articles,
        "rejected": [p.path for p in store.report.rejected],
    }


def compare_graphs(
    served: dict[str, Any], expected: dict[str, Any], malformed: set[str]
) -> list[str]:
    """Differences between the served graph and the expected one, as sentences."""
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


# --- report -----------------------------------------------------------------------------------
def failures_of(phase: str, r: dict[str, Any]) -> list[str]:
    out = [
        f"{phase}: {r[k]} {k}" for k in ("socket_errors", "non_2xx", "graphql_errors") if r.get(k)
    ]
    if r.get("checker_failure_count"):
        bad = r["checker_failure_count"]
        out.append(f"{phase}: {bad} inconsistent responses: {r['checker_failures'][:3]}")
    if r.get("difference_count"):
        out.append(f"{phase}: final graph differs from a fresh ingest: {r['differences'][:5]}")
    return out


def print_table(results: dict[str, dict[str, Any]]) -> None:
    mib = 1024 * 1024
    header = (
        f"{'phase':<10}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'requests':>10}{'sock err':>9}{'non-2xx':>8}{'gql err':>8}{'RSS before':>12}"
        f"{'RSS after':>11}"
    )
    print(header)
    print("-" * len(header))
    for phase, r in results.items():
        print(
            f"{phase:<10}{r['rps']:>9.1f}{r['p50_ms']:>9.2f}{r['p90_ms']:>9.2f}{r['p99_ms']:>9.2f}"
            f"{r['max_ms']:>9.1f}{r['requests']:>10}{r['socket_errors']:>9}{r['non_2xx']:>8}"
            f"{r['graphql_errors']:>8}{r['rss_before'] / mib:>10.0f}Mi"
            f"{r['rss_after'] / mib:>9.0f}Mi"
        )
    if "reload" in results:
        r = results["reload"]
        print(
            f"\nreload: {r['plan']} of {r['files']} files; {r['reloads']} reloads,"
            f" {r['versions_seen']} versions seen; {r['checker_responses']} checker responses"
            f" ({r['checker_failure_count']} bad) + {r['checked']} wrk responses checked;"
            f" settled {r['settle_seconds']} s after the load; final graph vs fresh ingest:"
            f" {r['difference_count']} differences; rejected {r['final_rejected']}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=NEWS)
    parser.add_argument("--duration", type=int, default=30, help="seconds of wrk per load phase")
    parser.add_argument(
        "--reload-duration", type=int, default=30, help="seconds of wrk while rewriting"
    )
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--no-reload", dest="reload", action="store_false")
    parser.add_argument("--no-load", dest="load", action="store_false")
    parser.add_argument("--smoke", action="store_true", help="5 s at 4 connections per phase (CI)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument(
        "--cache-dir", type=Path, default=None, help="parse cache (default: the usual)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.smoke:
        args.duration, args.reload_duration, args.connections, args.threads = 5, 8, 4, 1
    args.cache_dir = args.cache_dir or default_cache_dir()
    ensure_wrk()
    if not args.corpus.is_dir():
        raise SystemExit(f"no corpus at {args.corpus}")
    store = load_store(args.corpus, cache_dir=args.cache_dir)
    mix = cases(store)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="graphsvc-load-") as tmp:
        work = Path(tmp)
        if args.load:
            for workers in (int(w) for w in args.workers.split(",")):
                results[f"{workers} worker{'s' if workers > 1 else ''}"] = run_load(
                    args.corpus, mix, workers, args, work
                )
        if args.reload:
            results["reload"] = run_reload(args.corpus, store, mix, args, work)
        logs = {p.name: p.read_text()[-3000:] for p in work.glob("*.log")}
    print_table(results)
    failures = [f for phase, r in results.items() for f in failures_of(phase, r)]
    record = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "corpus": str(args.corpus),
        "smoke": args.smoke,
        "duration": args.duration,
        "connections": args.connections,
        "threads": args.threads,
        "mix": [c.name for c in mix],
        "cpus": os.cpu_count(),
        "loadavg": os.getloadavg(),
        "results": results,
        "failures": failures,
        "server_logs": logs if failures else {},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    name = f"load-{'smoke-' if args.smoke else ''}{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    (args.out / name).write_text(json.dumps(record, indent=1, default=str))
    print(f"\nwritten {args.out / name}")
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
