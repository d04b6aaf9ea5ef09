"""Help that reads naturally: ``--port N`` and ``--json`` (not ``--port <int>`` and
``--json <bool>``), ``CORPUS`` and ``[CORPUS]`` (not ``{corpus}``).

Typer names each option's Python type in the help; these command classes give every option
the metavar its declaration chose (or its name in capitals) and flags none.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption


def _metavar(param: Any) -> str:
    """The placeholder shown for a parameter's value: its metavar, else its name in capitals."""
    return str(param.metavar or (param.name or "value").upper())


class NaturalOption(TyperOption):
    """An option whose help shows ``--name VALUE``, and nothing after a flag."""

    def display_type(self, ctx: Any) -> str:
        return "" if self.is_flag or self.count else _metavar(self)

    def display_type_rich(self, ctx: Any) -> str | None:
        return self.display_type(ctx) or None


class NaturalArgument(TyperArgument):
    """An argument shown as ``NAME`` (required) or ``[NAME]``, without a type after it."""

    def display_type(self, ctx: Any) -> str:
        return ""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _rich_display_name(self) -> str:
        return _metavar(self) if self.metavar else (self.name or "").upper()

    def _usage_display_name(self) -> str:
        name = self._rich_display_name()
        return name if self.required else f"[{name}]"


def _natural(params: list[Any]) -> list[Any]:
    for param in params:
        if type(param) is TyperOption:
            param.__class__ = NaturalOption
        elif type(param) is TyperArgument:
            param.__class__ = NaturalArgument
    return params


class NaturalCommand(TyperCommand):
    """A command whose help reads naturally (see the module's docstring)."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _natural(super().get_params(ctx))


class NaturalGroup(TyperGroup):
    """The command group, with the same help."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _natural(super().get_params(ctx))
