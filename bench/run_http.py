"""The scale benchmark over HTTP: graphsvc and the floor served from the snapshot, each
answering the mix once, then wrk per small operation and over the whole mix."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from lib.reports import say
from lib.servers import Server, graphsvc_command, serving
from lib.wrk import Wrk
from mix import QUERIES, Case
from run_phases import first_difference

BENCH = Path(__file__).resolve().parent

SMALL = ("article", "topic_page", "lists")  # the small queries compared with the floor


def graphsvc_service(
    snapshot: Path,
    workers: int,
    work: Path,
    *,
    response_cache: bool = True,
    fast_path: bool = True,
) -> Server:
    """graphsvc from the snapshot; ``response_cache=False`` turns its response cache off, so
    that every request runs through GraphQL (the engine's own throughput); ``fast_path=False``
    runs Strawberry's standard executor instead of the fast path (``GRAPHSVC_FAST_PATH``)."""
    command = graphsvc_command("--snapshot", str(snapshot), "--workers", str(workers), "--no-watch")
    name = "graphsvc" if response_cache else "graphsvc-uncached"
    env = {} if response_cache else {"GRAPHSVC_RESPONSE_CACHE_BYTES": "0"}
    if not fast_path:
        name += "-standard"
        env["GRAPHSVC_FAST_PATH"] = "false"
    return Server(name, command, workers, work / f"{name}-w{workers}.log", env)


def floor_service(snapshot: Path, workers: int, work: Path) -> Server:
    command = [sys.executable, "-m", "uvicorn", "floor:app", "--app-dir", str(BENCH)]
    command += ["--host", "127.0.0.1", "--workers", str(workers), "--log-level", "warning"]
    path = os.pathsep.join(p for p in (str(BENCH), os.environ.get("PYTHONPATH", "")) if p)
    env = {"GRAPHSVC_FLOOR_SNAPSHOT": str(snapshot), "PYTHONPATH": path}
    return Server("floor", command, workers, work / f"floor-w{workers}.log", env, "/floor")


def floor_cases(mix: Sequence[Case]) -> list[Case]:
    """The same operations as floor requests: ``{"operation": name, "variables": ...}``."""

    @dataclass(frozen=True)
    class FloorCase(Case):
        def body(self) -> dict[str, Any]:
            return {"operation": self.name, "variables": self.variables}

    return [FloorCase(c.name, c.query, c.variables) for c in mix]


def measure_service(
    service: Server, mix: Sequence[Case], args: argparse.Namespace, work: Path
) -> dict[str, Any]:
    """Start, answer each operation once, wrk per small operation and over the whole mix."""
    say(f"  {service.name}, {service.workers} worker(s): starting")
    with serving(service):
        started = time.monotonic()
        start = {"ready_seconds": service.start()}
        service.wait_answers(mix)
        start["all_ready_seconds"] = time.monotonic() - started
        for case in [*mix] * 3:  # warm every worker's caches
            httpx.post(service.endpoint, json=case.body(), timeout=120)
        rss_before = service.rss()
        answers: dict[str, Any] = {}
        for case in mix:
            response = httpx.post(service.endpoint, json=case.body(), timeout=120)
            answers[case.name] = {"status": response.status_code, "body": response.json()}
        runs: dict[str, dict[str, Any]] = {}
        plan = [(name, [c for c in mix if c.name == name]) for name in SMALL]
        plan.append(("mix", list(mix)))
        for name, chosen in plan:
            say(f"  {service.name}, {service.workers} worker(s): wrk {name} {args.duration}s")
            runs[name] = (
                Wrk(
                    service.endpoint,
                    chosen,
                    work / f"wrk-{service.name}-w{service.workers}-{name}",
                    args.duration,
                    args.connections,
                    args.threads,
                )
                .start()
                .result()
            )
        rss_after = service.rss()
    return {
        **start,
        "rss_before": rss_before,
        "rss_after": rss_after,
        "answers": answers,
        "runs": runs,
    }


def answer_problems(name: str, answers: dict[str, Any]) -> list[str]:
    """Answers that are not 200 with data and without errors."""
    out = []
    for op, a in answers.items():
        body = a["body"]
        if (
            a["status"] != 200
            or not isinstance(body, dict)
            or body.get("errors")
            or "data" not in body
        ):
            out.append(f"{name} {op}: {a['status']} {json.dumps(body)[:300]}")
    return out


def run_http(
    snapshot: Path, cases_json: list[dict[str, Any]], args: argparse.Namespace, work: Path
) -> dict[str, Any]:
    mix = [Case(c["name"], QUERIES[c["name"]], c["variables"]) for c in cases_json]
    out: dict[str, Any] = {}
    for workers in args.workers:
        g = measure_service(graphsvc_service(snapshot, workers, work), mix, args, work)
        u = measure_service(
            graphsvc_service(snapshot, workers, work, response_cache=False), mix, args, work
        )
        s = measure_service(
            graphsvc_service(snapshot, workers, work, response_cache=False, fast_path=False),
            mix,
            args,
            work,
        )
        f = measure_service(floor_service(snapshot, workers, work), floor_cases(mix), args, work)
        equal, differences = {}, {}
        for case in mix:
            mine = f["answers"][case.name]["body"].get("data")
            theirs = g["answers"][case.name]["body"].get("data")
            equal[case.name] = mine is not None and mine == theirs
            if not equal[case.name]:
                differences[case.name] = first_difference(theirs, mine)
        out[str(workers)] = {
            "graphsvc": g,
            "graphsvc_uncached": u,
            "graphsvc_standard": s,
            "floor": f,
            "equal": equal,
            "differences": differences,
            "answer_problems": answer_problems("graphsvc", g["answers"])
            + answer_problems("graphsvc-uncached", u["answers"])
            + answer_problems("graphsvc-uncached-standard", s["answers"])
            + answer_problems("floor", f["answers"]),
        }
        for case in mix:  # the standard path's answers are the fast path's
            if s["answers"][case.name]["body"] != u["answers"][case.name]["body"]:
                equal[case.name] = False
                differences[case.name] = "the standard path's answer differs from the fast path's"
        for side in (g, u, s, f):  # keep the JSON small: the answers were compared
            for a in side["answers"].values():
                a["bytes"] = len(json.dumps(a.pop("body")))
    return out
