"""GRAPHSVC_FAST_PATH: the fast path by default, Strawberry's standard executor when false."""

from __future__ import annotations

import pytest

from graphsvc.api.execution import FastExecutor
from graphsvc.api.schema import build_schema
from graphsvc.errors import ConfigError


@pytest.mark.parametrize(
    ("value", "fast"), [(None, True), ("", True), ("true", True), ("false", False), ("0", False)]
)
def test_setting(monkeypatch: pytest.MonkeyPatch, value: str | None, fast: bool) -> None:
    if value is None:
        monkeypatch.delenv("GRAPHSVC_FAST_PATH", raising=False)
    else:
        monkeypatch.setenv("GRAPHSVC_FAST_PATH", value)
    monkeypatch.setenv("GRAPHSVC_PORT", "not a port")  # another setting's error is not ours
    executor = build_schema().execution_context_class
    assert (executor is FastExecutor) is fast
    assert build_schema(fast=not fast).execution_context_class is not executor


def test_bad_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPHSVC_FAST_PATH", "maybe")
    with pytest.raises(ConfigError, match="GRAPHSVC_FAST_PATH='maybe' is not a valid bool"):
        build_schema()
