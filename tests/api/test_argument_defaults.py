"""An argument's description states the default its signature gives: each default is one named
constant (graphsvc/api/arguments.py), and this keeps the two from drifting apart."""

from __future__ import annotations

import re

import strawberry
from graphql import GraphQLArgument, Undefined, ast_from_value, print_ast


def defaults(schema: strawberry.Schema) -> list[tuple[str, GraphQLArgument]]:
    """(``Type.field(argument)``, argument) of every argument with a default and a description
    that names one."""
    found = []
    for type_name, named in schema._schema.type_map.items():
        for field_name, field in (getattr(named, "fields", None) or {}).items():
            for arg_name, arg in (getattr(field, "args", None) or {}).items():
                described = arg.description and "default" in arg.description
                if arg.default_value not in (Undefined, None) and described:
                    found.append((f"{type_name}.{field_name}({arg_name})", arg))
    return found


def test_descriptions_state_the_signatures_default(schema: strawberry.Schema) -> None:
    found = defaults(schema)
    assert len(found) >= 20, [name for name, _ in found]  # first, depth, limit, orders, ...
    wrong = []
    for name, arg in found:
        literal = ast_from_value(arg.default_value, arg.type)
        assert literal is not None, name
        shown = print_ast(literal)
        if not re.search(rf"\(default {re.escape(shown)}\b", arg.description or ""):
            wrong.append(f"{name} = {shown}: {arg.description}")
    assert wrong == []
