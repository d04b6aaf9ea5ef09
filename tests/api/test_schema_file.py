"""schema/schema.graphql is the served schema, and it never breaks the API contract."""

from __future__ import annotations

from graphql import build_schema as parse_sdl
from graphql.utilities import find_breaking_changes

from graphsvc.api.schema import SCHEMA_FILE, schema_sdl
from tests.support import REPO, SHARED, require


def test_committed_sdl_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text() == schema_sdl(), (
        "schema/schema.graphql is stale: run `graphsvc schema > schema/schema.graphql`"
    )


def test_no_breaking_change_against_the_contract() -> None:
    contract = SHARED / "api" / "contract.graphql"
    require(contract.is_file(), f"the API contract is not at {contract}")
    changes = find_breaking_changes(parse_sdl(contract.read_text()), parse_sdl(schema_sdl()))
    assert [f"{c.type.name}: {c.description}" for c in changes] == []


def test_every_type_and_field_is_described() -> None:
    served = parse_sdl((REPO / "schema" / "schema.graphql").read_text())
    missing = []
    for name, gtype in served.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if not gtype.description:
            missing.append(name)
        for field_name, field in getattr(gtype, "fields", {}).items():
            if not field.description:
                missing.append(f"{name}.{field_name}")
    assert missing == []


def test_every_argument_input_field_and_enum_value_is_described() -> None:
    """GraphiQL's docs pane explains the served schema by itself: every type, field, argument,
    input field and enum value outside introspection carries a description."""
    from graphql import GraphQLEnumType, GraphQLInputObjectType

    from graphsvc.api.schema import build_schema

    served = build_schema()._schema
    missing = []
    for name, gtype in served.type_map.items():
        if name.startswith("__"):
            continue
        if not (gtype.description or "").strip():
            missing.append(name)
        if isinstance(gtype, GraphQLEnumType):
            for value_name, value in gtype.values.items():
                if not (value.description or "").strip():
                    missing.append(f"{name}.{value_name}")
        elif isinstance(gtype, GraphQLInputObjectType):
            for field_name, input_field in gtype.fields.items():
                if not (input_field.description or "").strip():
                    missing.append(f"{name}.{field_name}")
        else:
            for field_name, field in (getattr(gtype, "fields", None) or {}).items():
                if not (field.description or "").strip():
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in field.args.items():
                    if not (arg.description or "").strip():
                        missing.append(f"{name}.{field_name}({arg_name})")
    assert missing == [], f"{len(missing)} without a description: {missing}"
