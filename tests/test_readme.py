"""The README's examples run on what a newcomer has, the demo corpus in seeds/ alone: each
GraphQL example validates and answers without errors and without an empty fragment (``{}``,
a node that no fragment selected), and each ``graphsvc`` command line of a bash block exits 0
(``/data/news`` read as seeds/). The playground's examples, filled from the served graph,
answer with data on seeds/, on a second corpus built here (game news with a hub topic), and
on an empty one."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import strawberry

from graphsvc.api.context import Context
from graphsvc.api.schema import build_schema
from graphsvc.corpus import load_store
from graphsvc.graph.store import GraphStore
from graphsvc.web.examples import DEFAULT_QUERY, examples_for
from tests.game_corpus import write_game_corpus
from tests.support import REPO, SEEDS

README = (REPO / "README.md").read_text()


def readme_operations() -> list[str]:
    ops: list[str] = []
    for block in re.findall(r"```graphql\n(.*?)```", README, re.S):
        body = "\n".join(line for line in block.splitlines() if not line.startswith("#"))
        ops += [op.strip() for op in re.split(r"\n(?=query |subscription )", body) if op.strip()]
    return ops


def readme_commands() -> list[list[str]]:
    """The arguments of every ``.venv/bin/graphsvc`` line of the bash blocks but ``serve``."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", README, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            if line.startswith(".venv/bin/graphsvc "):
                args = shlex.split(line, comments=True)[1:]
                if args[0] != "serve":
                    commands.append(args)
    return commands


@pytest.fixture(scope="module")
def schema() -> strawberry.Schema:
    return build_schema()


def empty_fragments(value: Any, path: str = "data") -> list[str]:
    """Where an answer holds ``{}``: a node whose type no fragment of the query selected."""
    if value == {}:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in empty_fragments(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in empty_fragments(v, f"{path}[{i}]")]
    return []


def answer(schema: strawberry.Schema, store: GraphStore, operation: str) -> dict[str, Any]:
    result = schema.execute_sync(operation, context_value=Context(store))
    assert not result.errors, [e.message for e in result.errors]
    assert result.data, result
    assert not empty_fragments(result.data), (empty_fragments(result.data), result.data)
    return result.data


def test_the_readme_has_examples() -> None:
    assert len(readme_operations()) >= 10
    assert len(readme_commands()) >= 8


@pytest.mark.parametrize("operation", readme_operations())
def test_readme_example_runs_on_seeds(
    operation: str, schema: strawberry.Schema, seeds_store: GraphStore
) -> None:
    if operation.startswith("subscription"):
        from graphql import parse, validate

        assert validate(schema._schema, parse(operation)) == []
        return
    answer(schema, seeds_store, operation)


@pytest.mark.parametrize("args", readme_commands(), ids=" ".join)
def test_readme_command_runs_on_seeds(args: list[str], tmp_path: Path) -> None:
    args = [str(SEEDS) if a in ("/data/news", "seeds") else a for a in args]
    done = subprocess.run(
        [sys.executable, "-m", "graphsvc", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "GRAPHSVC_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert done.returncode == 0, done.stderr[-2000:]


# The playground's examples ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def game_store(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    root = tmp_path_factory.mktemp("game")
    return load_store(write_game_corpus(root / "corpus"), cache_dir=root / "cache")


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    root = tmp_path_factory.mktemp("empty")
    (root / "corpus").mkdir()
    return load_store(root / "corpus", cache_dir=root / "cache")


def main_answer(data: dict[str, Any]) -> list[Any]:
    """What each root field found: its list, its page's edges or nodes, or itself."""
    found = []
    for value in data.values():
        if isinstance(value, dict):
            value = value.get("edges", value.get("nodes", value.get("points", value)))
        found.append(value)
    return found


@pytest.mark.parametrize("corpus", ["seeds", "game", "empty"])
def test_playground_examples_answer_with_data(
    corpus: str,
    schema: strawberry.Schema,
    seeds_store: GraphStore,
    game_store: GraphStore,
    empty_store: GraphStore,
) -> None:
    store = {"seeds": seeds_store, "game": game_store, "empty": empty_store}[corpus]
    examples = examples_for(store)
    assert len(examples) >= (2 if corpus == "empty" else 7)
    names = [name for name, _ in examples]
    assert len(set(names)) == len(names)
    answer(schema, store, DEFAULT_QUERY)
    for name, query in examples:
        data = answer(schema, store, query)
        if corpus != "empty" and "IngestProblems" not in query:  # ingestProblems may be []
            assert all(found not in (None, [], {}) for found in main_answer(data)), (name, data)


def test_the_game_examples_are_filled_from_the_game_corpus(game_store: GraphStore) -> None:
    text = "\n".join(query for _, query in examples_for(game_store))
    assert '"Diablo 4"' in text and "https://www." in text
    assert "AI" not in text and "nationthailand" not in text and "kubernetes" not in text
