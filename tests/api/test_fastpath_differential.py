"""Differential: the fast execution path (graphsvc.api.execution) answers exactly as the standard
path does: the same ``data``, the same errors (message, path, locations, extensions) and the
same response ``extensions``.

Run on seeds/ and the shared corpus:
- every operation the project uses (playground examples, README, bench mix, the tests'
  own queries: tests/api/fastpath_operations.py), sync and async;
- seeded Hypothesis-generated operations over the schema: random selections, aliases, inline
  and named fragments, ``__typename``, ``@include``/``@skip`` with literals and variables,
  arguments as literals and as variables, unknown and malformed IDs, names that match nothing
  (errors, and nulls propagated through non-null fields).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    get_named_type,
)
from graphql.pyutils import Undefined
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.api.context import Context
from graphsvc.api.execution import FastExecutor
from graphsvc.api.schema import build_schema
from graphsvc.graph.store import GraphStore
from graphsvc.web.examples import examples_for
from tests.api.fastpath_operations import Operation, Values, collected, variables_for

OPERATIONS = collected()


@pytest.fixture(scope="module")
def fast() -> strawberry.Schema:
    return build_schema()


@pytest.fixture(scope="module")
def standard() -> strawberry.Schema:
    return build_schema(fast=False)


@pytest.fixture(scope="module", params=["seeds", "news"])
def store(request: pytest.FixtureRequest) -> GraphStore:
    return request.getfixturevalue(f"{request.param}_store")  # type: ignore[no-any-return]


def outcome(result: Any) -> tuple[Any, ...]:
    """What a client sees of a result."""
    errors = [
        (
            e.message,
            e.path,
            [(loc.line, loc.column) for loc in e.locations or ()],
            e.extensions,
        )
        for e in result.errors or ()
    ]
    return result.data, errors, result.extensions


def same(
    fast: strawberry.Schema,
    standard: strawberry.Schema,
    store: GraphStore,
    query: str,
    variables: dict[str, Any] | None = None,
    name: str | None = None,
) -> tuple[Any, ...]:
    """Runs an operation through both paths, asserts the same outcome and returns it."""
    args: dict[str, Any] = {"variable_values": variables, "operation_name": name}
    expected = outcome(standard.execute_sync(query, context_value=Context(store), **args))
    got = outcome(fast.execute_sync(query, context_value=Context(store), **args))
    assert got == expected, f"{query}\n{json.dumps(variables)}"
    return got


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_project_operations(
    fast: strawberry.Schema, standard: strawberry.Schema, store: GraphStore, operation: Operation
) -> None:
    values = Values(store)
    for variables in variables_for(fast._schema, operation, values):
        same(fast, standard, store, operation.text, variables, operation.name)


def test_playground_examples(
    fast: strawberry.Schema, standard: strawberry.Schema, store: GraphStore
) -> None:
    """The picker's examples, filled from this graph's own IDs, URLs, topics and words."""
    examples = examples_for(store)
    assert len(examples) > 2  # filled from the graph, not only the two that need nothing
    for title, text in examples:
        data, errors, _extensions = same(fast, standard, store, text)
        assert not errors and data, title


def test_operations_async(
    fast: strawberry.Schema, standard: strawberry.Schema, store: GraphStore
) -> None:
    """The async executor (what the HTTP view runs) takes the fast path too, to the same end."""
    values = Values(store)

    async def both(operation: Operation, variables: dict[str, Any]) -> None:
        args = {"variable_values": variables, "operation_name": operation.name}
        expected = await standard.execute(operation.text, context_value=Context(store), **args)
        got = await fast.execute(operation.text, context_value=Context(store), **args)
        assert outcome(got) == outcome(expected), operation.label

    async def run_all() -> None:
        for operation in OPERATIONS:
            for variables in variables_for(fast._schema, operation, values):
                await both(operation, variables)

    asyncio.run(run_all())


def test_collection_covers_the_big_answers() -> None:
    """The collected operations include the large, inline-heavy ones (not a vacuous list)."""
    labels = " ".join(op.label for op in OPERATIONS)
    for expected in ("bench/mix.py:Neighborhood", "examples:", "README#", "tests/api/"):
        assert expected in labels


def test_fast_path_is_taken(fast: strawberry.Schema, news_store: GraphStore) -> None:
    """The neighbourhood's node and edge lists are completed inline: nodes through the Node
    interface, edges as plain objects (else the comparisons above prove nothing)."""
    executors: list[FastExecutor] = []

    class Recording(FastExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            executors.append(self)

    schema = build_schema()
    schema.execution_context_class = Recording
    values = Values(news_store)
    query = """query($id: ID!) { neighborhood(id: $id, depth: 2, limit: 50) {
      truncated nodes { id __typename ... on Article { title } ... on Topic { name } }
      edges { kind source target } } }"""
    result = schema.execute_sync(query, {"id": values.ids[0]}, context_value=Context(news_store))
    assert not result.errors
    assert len(result.data["neighborhood"]["edges"]) > 50
    (executor,) = executors
    planned = {
        (parent, name): inline is not None
        for (parent, _), (_, fields) in executor._fields.items()
        for name, _, inline in fields
    }
    assert planned[("Subgraph", "nodes")]
    assert planned[("Subgraph", "edges")]
    assert planned[("Subgraph", "truncated")]
    assert not any(parent == "Query" for parent, _ in planned)  # root fields: the standard path


# Generated operations ------------------------------------------------------------------
class Writer:
    """Builds one operation text: its variables, fragments and a counter for names."""

    def __init__(self, draw: st.DrawFn, values: Values) -> None:
        self.draw = draw
        self.values = values
        self.variables: dict[str, tuple[str, Any]] = {}  # name -> (GraphQL type, value)
        self.fragments: list[str] = []
        self.count = 0

    def fresh(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def variable(self, type_text: str, value: Any) -> str:
        name = self.fresh("v")
        self.variables[name] = (type_text, value)
        return f"${name}"

    def directives(self) -> str:
        """Maybe an @include or @skip, with a literal or a variable."""
        kind = self.draw(st.sampled_from(["", "", "", "include", "skip"]))
        if not kind:
            return ""
        flag = self.draw(st.booleans())
        use_variable = self.draw(st.booleans())
        condition = self.variable("Boolean!", flag) if use_variable else json.dumps(flag)
        return f" @{kind}(if: {condition})"

    def input_value(self, type_: GraphQLInputType, name: str) -> Any:
        """A Python value (JSON-ready) for an input type."""
        if isinstance(type_, GraphQLNonNull):
            return self.input_value(type_.of_type, name)
        if isinstance(type_, GraphQLList):
            size = self.draw(st.integers(0, 2))
            return [self.input_value(type_.of_type, name) for _ in range(size)]
        if isinstance(type_, GraphQLEnumType):
            return self.draw(st.sampled_from(sorted(type_.values)))
        if isinstance(type_, GraphQLInputObjectType):
            out: dict[str, Any] = {}
            for field_name, field in type_.fields.items():
                if isinstance(field.type, GraphQLNonNull) or self.draw(st.booleans()):
                    out[field_name] = self.input_value(field.type, field_name)
            return out
        assert isinstance(type_, GraphQLScalarType)
        lowered = name.lower()
        if type_.name == "ID":
            return self.draw(st.sampled_from(self.values.ids))
        if type_.name == "Int":
            if "depth" in lowered:
                return self.draw(st.integers(0, 4))
            if "length" in lowered:
                return self.draw(st.sampled_from([0, 1, 2, 6, 11]))
            return self.draw(st.sampled_from([0, 1, 2, 3, 5, -1, 10_000]))
        if type_.name == "Float":
            return self.draw(st.sampled_from([0.0, 0.5, 2.0, -1.0]))
        if type_.name == "Boolean":
            return self.draw(st.booleans())
        if type_.name in {"DateTime", "Date"}:
            value = self.draw(st.sampled_from(["2020-06-01T00:00:00Z", "2021-01-01T00:00:00Z"]))
            return value if type_.name == "DateTime" else value[:10]
        return self.draw(st.sampled_from(self.values.strings(name)))

    def literal(self, value: Any, type_: GraphQLInputType) -> str:
        """A Python value as a GraphQL literal of a type."""
        if isinstance(type_, GraphQLNonNull):
            return self.literal(value, type_.of_type)
        if isinstance(type_, GraphQLList):
            return "[" + ", ".join(self.literal(v, type_.of_type) for v in value) + "]"
        if isinstance(type_, GraphQLEnumType):
            return str(value)
        if isinstance(type_, GraphQLInputObjectType):
            parts = [f"{k}: {self.literal(v, type_.fields[k].type)}" for k, v in value.items()]
            return "{" + ", ".join(parts) + "}"
        return json.dumps(value)

    def arguments(self, field: GraphQLField) -> str:
        parts = []
        for name, argument in field.args.items():
            required = (
                isinstance(argument.type, GraphQLNonNull) and argument.default_value is Undefined
            )
            if not required and not self.draw(st.booleans()):
                continue
            value = self.input_value(argument.type, name)
            if self.draw(st.booleans()):
                parts.append(f"{name}: {self.variable(str(argument.type), value)}")
            else:
                parts.append(f"{name}: {self.literal(value, argument.type)}")
        return f"({', '.join(parts)})" if parts else ""

    def selection(
        self, type_: GraphQLObjectType | GraphQLInterfaceType, depth: int, spread: bool = True
    ) -> str:
        """A selection set on a composite type: fields, aliases, fragments, directives."""
        fields = type_.fields
        leaves = [n for n, f in fields.items() if not _composite(f)]
        composites = [n for n, f in fields.items() if _composite(f)] if depth > 0 else []
        pool = sorted(leaves + composites)
        chosen = self.draw(
            st.lists(st.sampled_from(pool), min_size=1, max_size=min(4, len(pool)), unique=True)
            if pool
            else st.just([])
        )
        parts = []
        for name in chosen:
            field = fields[name]
            alias = f"{self.fresh('a')}: " if self.draw(st.integers(0, 3)) == 3 else ""
            text = f"{alias}{name}{self.arguments(field)}{self.directives()}"
            named = get_named_type(field.type)
            if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
                text += " " + self.sub_selection(named, depth - 1)
            parts.append(text)
        if not parts or self.draw(st.integers(0, 4)) == 4:
            parts.append("__typename")
        if spread and isinstance(type_, GraphQLObjectType) and self.draw(st.integers(0, 5)) == 5:
            fragment = self.fresh("F")
            body = self.selection(type_, 0, spread=False)
            self.fragments.append(f"fragment {fragment} on {type_.name} {body}")
            parts.append(f"...{fragment}{self.directives()}")
        return "{ " + " ".join(parts) + " }"

    def sub_selection(
        self, type_: GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType, depth: int
    ) -> str:
        if isinstance(type_, GraphQLObjectType):
            return self.selection(type_, depth)
        possible = sorted(t.name for t in self.values.schema.get_possible_types(type_))
        spread = self.draw(st.lists(st.sampled_from(possible), max_size=3, unique=True))
        own = self.selection(type_, depth)[2:-2] if isinstance(type_, GraphQLInterfaceType) else ""
        parts = [own] if own else ["__typename"]
        for name in spread:
            object_type = self.values.schema.get_type(name)
            assert isinstance(object_type, GraphQLObjectType)
            parts.append(f"... on {name}{self.directives()} {self.selection(object_type, depth)}")
        return "{ " + " ".join(parts) + " }"

    def document(self) -> tuple[str, dict[str, Any]]:
        query_type = self.values.schema.query_type
        assert query_type is not None
        roots = sorted(query_type.fields)
        chosen = self.draw(st.lists(st.sampled_from(roots), min_size=1, max_size=2, unique=True))
        parts = []
        for name in chosen:
            field = query_type.fields[name]
            alias = f"{self.fresh('r')}: " if self.draw(st.booleans()) else ""
            text = f"{alias}{name}{self.arguments(field)}{self.directives()}"
            named = get_named_type(field.type)
            if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
                text += " " + self.sub_selection(named, self.draw(st.integers(0, 3)))
            parts.append(text)
        declared = ", ".join(f"${n}: {t}" for n, (t, _) in self.variables.items())
        head = f"query Generated({declared})" if declared else "query Generated"
        text = "\n".join([f"{head} {{ {' '.join(parts)} }}", *self.fragments])
        return text, {n: v for n, (_, v) in self.variables.items()}


def _composite(field: GraphQLField) -> bool:
    return not isinstance(get_named_type(field.type), GraphQLScalarType | GraphQLEnumType)


class SchemaValues(Values):
    """Values, with the schema and the IDs of real stories (asked of the schema itself)."""

    def __init__(self, store: GraphStore, schema: strawberry.Schema) -> None:
        super().__init__(store)
        self.schema = schema._schema
        stories = schema.execute_sync(
            "{ stories(first: 2) { edges { node { id } } } }", context_value=Context(store)
        )
        assert stories.data is not None, stories.errors
        self.ids += [e["node"]["id"] for e in stories.data["stories"]["edges"]]


@st.composite
def operations(draw: st.DrawFn, values: SchemaValues) -> tuple[str, dict[str, Any]]:
    return Writer(draw, values).document()


@pytest.fixture(scope="module")
def values(store: GraphStore, fast: strawberry.Schema) -> SchemaValues:
    return SchemaValues(store, fast)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.large_base_example,
    ],
)
@given(data=st.data())
def test_generated_operations(
    fast: strawberry.Schema,
    standard: strawberry.Schema,
    store: GraphStore,
    values: SchemaValues,
    data: st.DataObject,
) -> None:
    query, variables = data.draw(operations(values))
    same(fast, standard, store, query, variables)
