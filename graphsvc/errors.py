"""The error hierarchy: one root, so callers can catch graphsvc's own failures."""

from __future__ import annotations


class GraphsvcError(Exception):
    """Root of every error graphsvc raises on purpose."""


class IngestError(GraphsvcError):
    """A document that cannot be read: carries its path and, where known, its line."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        super().__init__(f"{path}{f':{line}' if line else ''}: {reason}")
        self.path = path
        self.reason = reason
        self.line = line


class ConfigError(GraphsvcError):
    """A setting or command-line value that cannot be used."""
