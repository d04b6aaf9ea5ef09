"""Fuzz the GraphQL API with schemathesis against a real server on the shared corpus.

schemathesis introspects /graphql and generates valid and invalid queries for every root field
for a bounded time (``GRAPHSVC_FUZZ_SECONDS``, default 60; never under 60 when CI=true). It runs
as a subprocess with ``--checks all``; its NDJSON report is then read here, because one of its
checks cannot tell a client error from a server error in this API (see ``judge``).

What must hold: no 5xx, no internal error (masked by the API as "Unexpected error."), no null in
a non-null field, no malformed response, no schemathesis error (a refused connection, a timeout),
and no valid query refused except by the documented limits. "Not found" answers are a null in
``data`` with a message, never an exception (tested directly at the end).
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import IN_CI, NEWS, require
from tests.web.server import Server, corpus_settings, running_server

pytestmark = pytest.mark.corpus

MIN_CI_SECONDS = 60
MASKED = "Unexpected error."
#: Messages of the documented query limits (api/limits.py, field bounds): refusing a
#: schema-valid query for these is intended, not a failure of positive_data_acceptance.
LIMIT_MESSAGES = re.compile(
    r"query cost .* over the budget|exceeds maximum operation depth|more than \d+ tokens"
    r"|too many aliases|over the limit of|must be \d+\.\.\d+|must be 0 or more",
    re.IGNORECASE,
)


def fuzz_seconds() -> int:
    seconds = int(os.environ.get("GRAPHSVC_FUZZ_SECONDS", MIN_CI_SECONDS))
    return max(seconds, MIN_CI_SECONDS) if IN_CI else max(seconds, 1)


@pytest.fixture(scope="module")
def news_server(cache_dir: Path) -> Iterator[Server]:
    """The shared corpus served in-thread (the session's parse cache: no cold parse)."""
    require(NEWS.is_dir(), f"the shared corpus is not at {NEWS}")
    settings = corpus_settings(NEWS, cache_dir, watch=False)
    with running_server(settings) as server:
        yield server


def schemathesis_command() -> list[str]:
    exe = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or shutil.which(
        "schemathesis"
    )
    require(exe is not None, "schemathesis is not installed (pip install -e '.[dev]')")
    return [str(exe)]


def test_schemathesis_finds_no_server_error(news_server: Server, tmp_path: Path) -> None:
    seconds = fuzz_seconds()
    reports = tmp_path / "reports"
    command = [
        *schemathesis_command(),
        "run",
        news_server.graphql,
        "--checks",
        "all",
        "--max-time",
        str(seconds),
        "--request-timeout",
        "20",
        "--no-color",
        "--report",
        "json,ndjson",
        "--report-json-path",
        str(reports / "run.json"),
        "--report-ndjson-path",
        str(reports / "run.ndjson"),
        "--generation-database",
        "none",
    ]
    # cwd: schemathesis and Hypothesis write their own files there, not in the checkout.
    run = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=seconds + 300
    )
    assert (reports / "run.json").is_file(), (
        f"schemathesis exited {run.returncode}:\n{run.stdout[-3000:]}{run.stderr[-3000:]}"
    )
    summary = json.loads((reports / "run.json").read_text())
    assert summary["errors"] == [], summary["errors"]
    if seconds >= MIN_CI_SECONDS:  # a shortened local run may end before it really starts
        assert summary["operations"]["tested"] >= 15, summary["operations"]
        assert summary["test_cases"]["generated"] >= 50, summary["test_cases"]
    problems, tally = judge(reports / "run.ndjson")
    print(f"schemathesis seed {summary['seed']}: {dict(tally)}")
    assert tally["responses"] > 0 or seconds < MIN_CI_SECONDS
    assert not problems, "\n\n".join(problems[:20])
    # The server is still well after the run.
    assert news_server.query("{ stats { articles } }")["data"]["stats"]["articles"] == 1368


def judge(ndjson: Path) -> tuple[list[str], Counter[str]]:
    """The failures that matter, and a tally of what was seen.

    schemathesis's ``not_a_server_error`` check reports ST113 "GraphQL server error" for any
    error that carries a ``path`` unless it has an Apollo-style ``extensions.code``. graphsvc
    reports a client's bad argument (an unknown ID, ``first: -1``) at the field, with a path and
    a message and no code, so ST113 alone would fail the run on correct answers. The check stays
    on (it is also what reports a 5xx); instead every response is judged here: a 5xx or an
    error masked as "Unexpected error." (an exception inside the server) matters, a field error
    with a message written for the client does not. ST206 (a valid query refused) matters
    unless a documented limit refused it; every other failed check matters as reported.
    """
    problems: list[str] = []
    tally: Counter[str] = Counter()
    for line in ndjson.read_text().splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished.get("recorder") or {}
        cases = recorder.get("cases") or {}
        for case_id, interaction in (recorder.get("interactions") or {}).items():
            tally["responses"] += 1
            response = interaction.get("response")
            request_body = (cases.get(case_id) or {}).get("value", {}).get("body")
            if response is None:
                problems.append(f"no response to {request_body!r}")
                continue
            status = response["status_code"]
            tally[f"status {status}"] += 1
            text = _content(response)
            if status >= 500:
                problems.append(f"{status} for {request_body!r}:\n{text[:500]}")
            elif MASKED in text:
                problems.append(f"internal error (masked) for {request_body!r}:\n{text[:500]}")
        for case_id, checks in (recorder.get("checks") or {}).items():
            for check in checks:
                if check["status"] != "failure":
                    continue
                failure = (check.get("failure_info") or {}).get("failure") or {}
                code, message = failure.get("code"), str(failure.get("message", ""))
                tally[f"{check['name']} {code}"] += 1
                if code == "ST113" and MASKED not in message:
                    continue  # a field error written for the client (see the docstring)
                if code == "ST206" and LIMIT_MESSAGES.search(message):
                    continue
                body = (cases.get(case_id) or {}).get("value", {}).get("body")
                problems.append(
                    f"{check['name']} {code} {failure.get('title')}: {message[:300]}\nquery: {body!r}"
                )
    return problems, tally


def _content(response: dict[str, Any]) -> str:
    content = response.get("content") or {}
    if isinstance(content, dict) and "$base64" in content:
        return base64.b64decode(content["$base64"]).decode("utf-8", "replace")
    return str(content)


# --- "not found" is a null with a message, never an exception ---------------------------------
@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        (
            "query($id: ID!) { node(id: $id) { id } }",
            {"id": "YTpodHRwczovL25vLnN1Y2gvYXJ0aWNsZQ"},
            "node",
        ),
        ("query($id: ID!) { node(id: $id) { id } }", {"id": "not base64 at all!"}, "node"),
        (
            "query($u: String!) { article(url: $u) { title } }",
            {"u": "https://no.such.example/x"},
            "article",
        ),
        ("query($u: String!) { article(url: $u) { title } }", {"u": ""}, "article"),
        ("query($n: String!) { topic(name: $n) { name } }", {"n": "no such topic"}, "topic"),
        (
            "query($d: String!) { provider(domain: $d) { name } }",
            {"d": "no-such-provider.example"},
            "provider",
        ),
    ],
)
def test_not_found_is_null_with_a_message(
    news_server: Server, query: str, variables: dict[str, Any], field: str
) -> None:
    response = httpx.post(
        news_server.graphql, json={"query": query, "variables": variables}, timeout=30
    )
    assert response.status_code == 200, response.text[:500]
    body = response.json()
    assert body["data"] == {field: None}, body
    [error] = body["errors"]
    assert error["path"] == [field] and error["message"] and MASKED not in error["message"], error
