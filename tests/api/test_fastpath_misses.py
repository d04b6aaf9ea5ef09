"""The fast path's misses: attribute values it must not complete itself give the standard
path's answer (data, nulls propagated through non-null fields, error messages, paths and
locations).

The corpus never holds such values (its types are well formed), so a small Strawberry schema
with plain-attribute fields serves them here: nulls in non-null fields, values of another type,
out-of-range ints, non-finite floats, unknown enum values, exceptions as values, awaitables,
other iterables than lists, objects of the wrong type, cast objects, raising properties.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from types import SimpleNamespace
from typing import Any

import pytest
import strawberry

from graphsvc.api.execution import FastExecutor


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.interface
class Thing:
    id: strawberry.ID


@strawberry.type
class Leafy(Thing):
    name: str
    maybe: str | None
    count: int
    ratio: float
    flag: bool
    colour: Colour
    when: datetime
    tags: list[str]
    maybe_tags: list[str | None] | None
    child: Leafy | None
    kids: list[Leafy]


@strawberry.type
class Other(Thing):
    label: str


def leafy(**changes: Any) -> Leafy:
    base = Leafy(
        id=strawberry.ID("L1"),
        name="leaf",
        maybe=None,
        count=3,
        ratio=0.5,
        flag=True,
        colour=Colour.RED,
        when=datetime(2021, 1, 1, tzinfo=UTC),
        tags=["a", "b"],
        maybe_tags=["x", None],
        child=None,
        kids=[],
    )
    for name, value in changes.items():
        setattr(base, name, value)
    return base


class Raising:
    """Not a Strawberry object: attributes, one of them a property that raises."""

    id = "R1"

    @property
    def name(self) -> str:
        raise RuntimeError("property failed")


class Named(str):
    """A str subclass (not the exact type the fast path passes through)."""


async def later(value: Any) -> Any:
    return value


def _tags() -> Any:
    return (t for t in ["g1", "g2"])


CASES: dict[str, Callable[[], Any]] = {
    "fine": lambda: leafy(kids=[leafy(), leafy(name="second")], child=leafy()),
    "null name": lambda: leafy(name=None),
    "null nested name": lambda: leafy(child=leafy(name=None)),
    "null name in a list": lambda: leafy(kids=[leafy(), leafy(name=None)]),
    "int too large": lambda: leafy(count=2**40),
    "int as string": lambda: leafy(count="12"),
    "int as bool": lambda: leafy(count=True),
    "int as float": lambda: leafy(count=3.0),
    "nan": lambda: leafy(ratio=math.nan),
    "float as int": lambda: leafy(ratio=2),
    "bool as int": lambda: leafy(flag=1),
    "enum as name": lambda: leafy(colour="RED"),
    "enum as value": lambda: leafy(colour="red"),
    "enum null": lambda: leafy(colour=None),
    "bad date": lambda: leafy(when="not a date"),
    "string as number": lambda: leafy(name=12),
    "string subclass": lambda: leafy(name=Named("sub")),
    "string as object": lambda: leafy(name=object()),
    "id as int": lambda: leafy(id=5),
    "exception value": lambda: leafy(name=ValueError("boom")),
    "exception child": lambda: leafy(child=ValueError("child boom")),
    "tuple tags": lambda: leafy(tags=("t1", "t2")),
    "set tags": lambda: leafy(tags={"only"}),
    "generator tags": lambda: leafy(tags=_tags()),
    "string tags": lambda: leafy(tags="abc"),
    "null tags": lambda: leafy(tags=None),
    "null in tags": lambda: leafy(tags=["a", None]),
    "null maybe tags": lambda: leafy(maybe_tags=None),
    "other as child": lambda: leafy(child=Other(id=strawberry.ID("O"), label="other")),
    "raising as child": lambda: leafy(child=Raising()),
    "cast child": lambda: leafy(child=strawberry.cast(Leafy, leafy(name="cast"))),
    "kids as tuple": lambda: leafy(kids=(leafy(),)),
    "null kid": lambda: leafy(kids=[leafy(), None]),
    "missing attribute": lambda: leafy(kids=[object()]),
    "lookalike child": lambda: leafy(child=SimpleNamespace(**vars(leafy(name="alike")))),
}


@strawberry.type
class Query:
    @strawberry.field
    def leafy(self, case: str) -> Leafy | None:
        return CASES[case]()  # type: ignore[no-any-return]

    @strawberry.field
    def things(self, case: str) -> list[Thing | None]:
        value = CASES[case]()
        return [value, Other(id=strawberry.ID("O2"), label="o"), value.child, *value.kids]

    @strawberry.field
    def kids(self, case: str) -> list[Leafy]:
        return CASES[case]().kids  # type: ignore[no-any-return]


LEAVES = "__typename id name maybe count ratio flag colour when tags maybeTags"
QUERY = f"""query($case: String!, $on: Boolean!) {{
  leafy(case: $case) {{
    {LEAVES}
    again: name
    child {{ {LEAVES} child {{ name }} }}
    kids {{ name @include(if: $on) count colour ...K }}
  }}
  things(case: $case) {{ id __typename ... on Leafy {{ name kids {{ name }} }} ... on Other {{ label }} }}
  kids(case: $case) {{ name tags }}
}}
fragment K on Leafy {{ maybe flag __typename }}
"""

TYPES = [Leafy, Other]
FAST = strawberry.Schema(query=Query, types=TYPES, execution_context_class=FastExecutor)
STANDARD = strawberry.Schema(query=Query, types=TYPES)


def outcome(result: Any) -> tuple[Any, ...]:
    errors = sorted(
        (e.message, e.path, [(loc.line, loc.column) for loc in e.locations or ()])
        for e in result.errors or ()
    )
    return result.data, errors


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("on", [True, False])
def test_same_answer(case: str, on: bool) -> None:
    variables = {"case": case, "on": on}
    expected = outcome(STANDARD.execute_sync(QUERY, variables))
    assert outcome(FAST.execute_sync(QUERY, variables)) == expected


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore:coroutine 'later' was never awaited")
@pytest.mark.parametrize("case", ["fine", "null name", "null name in a list", "other as child"])
def test_awaitable_values(case: str) -> None:
    """Async execution with awaitables as attribute values: the standard path awaits them."""

    def with_awaitables() -> Any:
        value = CASES[case]()
        value.maybe = later("awaited")
        value.kids = [later(kid) for kid in value.kids] or [later(leafy(name="kid"))]
        return value

    CASES["awaitables"] = with_awaitables
    try:
        variables = {"case": "awaitables", "on": True}
        expected = asyncio.run(STANDARD.execute(QUERY, variables))
        got = asyncio.run(FAST.execute(QUERY, variables))
    finally:
        del CASES["awaitables"]
    assert outcome(got) == outcome(expected)
    assert case != "fine" or (got.data is not None and got.data["leafy"]["maybe"] == "awaited")


def test_misses_are_errors_not_guesses() -> None:
    """A sample of what the cases give (so that the comparisons compare something)."""
    result = FAST.execute_sync(QUERY, {"case": "null nested name", "on": True})
    assert result.data is not None
    assert result.data["leafy"]["child"] is None
    assert [e.path for e in result.errors or ()] == [
        ["leafy", "child", "name"],
        ["things", 2, "name"],
    ]
    fine = FAST.execute_sync(QUERY, {"case": "fine", "on": True})
    assert not fine.errors
    assert fine.data is not None
    assert fine.data["leafy"]["colour"] == "RED"
    assert fine.data["leafy"]["when"] == "2021-01-01T00:00:00+00:00"
