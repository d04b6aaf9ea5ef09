"""The GraphQL operations the project itself uses, and variables for them from a store.

Collected from the playground's examples (graphsvc/web/examples.py), the README's ``graphql``
blocks, the benchmarks' mix (bench/mix.py) and every string literal in tests/ that parses as
an executable document: what the differential test runs through both execution paths.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    EnumTypeDefinitionNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    OperationType,
    parse,
    type_from_ast,
)

from graphsvc.api.context import encode_id
from graphsvc.graph.store import GraphStore
from graphsvc.web.examples import DEFAULT_QUERY, examples_for

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Operation:
    """One operation: where it comes from, its document and the operation to run in it."""

    source: str
    text: str
    name: str | None

    @property
    def label(self) -> str:
        return f"{self.source}:{self.name or 'anonymous'}"


def _queries(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [
        d
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode) and d.operation == OperationType.QUERY
    ]


def _operations(source: str, text: str) -> list[Operation]:
    """The query operations of a text (none when it is not a GraphQL document)."""
    try:
        document = parse(text)
    except GraphQLSyntaxError:
        return []
    if any(isinstance(d, EnumTypeDefinitionNode) for d in document.definitions):
        return []
    queries = _queries(document)
    if len(queries) > 1 and any(q.name is None for q in queries):
        # a block of one-line anonymous queries (the README's style): one document each
        lines = [line for line in text.splitlines() if line.strip()]
        return [op for line in lines for op in _operations(source, line)]
    return [Operation(source, text, q.name.value if q.name else None) for q in queries]


def _string_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.search(r"[{}]", node.value)
    ]


def collected() -> list[Operation]:
    """Every operation of the examples, the README, the mix and the tests, deduplicated."""
    found: list[Operation] = []
    found += _operations("examples:default", DEFAULT_QUERY)
    for title, text in examples_for(None):  # a graph's own: test_playground_examples
        found += _operations(f"examples:{title}", text)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for i, block in enumerate(re.findall(r"```graphql\n(.*?)```", readme, re.S)):
        found += _operations(f"README#{i}", block)
    for path in [REPO / "bench" / "mix.py", *sorted((REPO / "tests").rglob("*.py"))]:
        for text in _string_literals(path):
            found += _operations(path.relative_to(REPO).as_posix(), text)
    unique: dict[tuple[str, str | None], Operation] = {}
    for op in found:
        unique.setdefault((op.text, op.name), op)
    return list(unique.values())


class Values:
    """Real values of a store (and some that match nothing) for arguments and variables."""

    def __init__(self, store: GraphStore) -> None:
        articles = sorted(store.full_by_date, key=lambda k: len(store.graph.succ[k]), reverse=True)
        self.article = articles[0]
        self.topic = max(store.topics.values(), key=lambda t: t.article_count)
        self.provider = max(store.providers.values(), key=lambda p: p.article_count)
        self.ids = [
            encode_id(self.article),
            encode_id(self.topic.key),
            encode_id(self.provider.key),
            encode_id(articles[-1]),
            encode_id("a:https://nowhere.example/none"),  # well formed, unknown
            "not-an-id!",  # malformed
        ]
        self.urls = [store.articles[self.article].url, "https://nowhere.example/none"]
        self.names = [self.topic.name, "no such topic"]
        self.domains = [self.provider.domain, "nowhere.example"]

    def strings(self, name: str) -> list[str]:
        """Candidate strings for an argument or variable, by its name."""
        lowered = name.lower()
        if "url" in lowered:
            return self.urls
        if "domain" in lowered or "provider" in lowered:
            return self.domains
        if lowered in {"q", "query", "text"}:
            return ["cloud security", "kubernetes", "zzzz"]
        if "after" in lowered or "cursor" in lowered:
            return ["bogus-cursor"]
        if lowered in {"from", "to", "id", "of"} or lowered.endswith("id"):
            return [*self.names, *self.domains]
        return [*self.names, *self.domains]

    def first(self, type_: GraphQLInputType, name: str) -> Any:
        """One plausible value of an input type for a variable called ``name``."""
        if isinstance(type_, GraphQLNonNull):
            return self.first(type_.of_type, name)
        if isinstance(type_, GraphQLList):
            return [self.first(type_.of_type, name)]
        if isinstance(type_, GraphQLEnumType):
            return next(iter(type_.values))
        if isinstance(type_, GraphQLInputObjectType):
            return {}
        assert isinstance(type_, GraphQLScalarType)
        return {
            "ID": self.ids[0],
            "Int": 2 if "depth" in name.lower() else 3,
            "Float": 0.5,
            "Boolean": True,
            "DateTime": "2021-01-01T00:00:00Z",
            "Date": "2021-01-01",
        }.get(type_.name) or self.strings(name)[0]


def variables_for(
    schema: GraphQLSchema, operation: Operation, values: Values
) -> list[dict[str, Any]]:
    """Variable sets to run an operation with: one value for every variable, and none at all
    when every variable may be left out."""
    document = parse(operation.text)
    (definition,) = [
        q for q in _queries(document) if (q.name.value if q.name else None) == operation.name
    ]
    full: dict[str, Any] = {}
    optional = True
    for variable in definition.variable_definitions or ():
        type_ = type_from_ast(schema, variable.type)
        name = variable.variable.name.value
        if type_ is None:
            return [{}]  # unknown type: the operation is invalid; both paths say so
        full[name] = values.first(type_, name)  # type: ignore[arg-type]
        optional = optional and not (
            isinstance(type_, GraphQLNonNull) and variable.default_value is None
        )
    return [full, {}] if full and optional else [full]
