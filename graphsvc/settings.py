"""Settings: every knob in one frozen object, read from ``GRAPHSVC_*`` environment variables.

Command-line options override the environment; the environment overrides the defaults.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from graphsvc.errors import ConfigError

#: The project's seeds/ folder: what ``graphsvc serve`` loads when given no folder.
SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


@dataclass(frozen=True, slots=True)
class Settings:
    """Service settings; each field ``name`` reads ``GRAPHSVC_NAME`` from the environment."""

    corpus: Path = SEEDS_DIR
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_level: str = "info"
    cache_dir: Path | None = None  # None: $XDG_CACHE_HOME/graphsvc
    no_cache: bool = False
    ingest_workers: int = 0  # 0: one per core
    max_file_bytes: int = 5 * 1024 * 1024
    max_body_bytes: int = 1_000_000  # also the largest WebSocket message
    max_header_bytes: int = 32 * 1024  # request headers in all (431 above)
    max_headers: int = 100  # request headers (431 above)
    header_timeout: int = 10  # seconds to send a request's head (408 after)
    idle_timeout: int = 5  # seconds a keep-alive connection may idle between requests
    max_connections: int = 1000  # open connections per worker, HTTP and WebSocket (503 above)
    response_cache_bytes: int = 64 * 1024 * 1024  # 0: no response cache
    fast_path: bool = True  # False: Strawberry's standard executor (graphsvc.api.execution)
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 4000
    max_cost: int = 50_000
    cors_origins: tuple[str, ...] = ()
    tracing: bool = False  # OpenTelemetry spans per GraphQL operation (graphsvc[tracing])
    watch: bool = True
    snapshot: Path | None = None
    snapshot_checked: str = ""  # set by `serve`: the snapshot file whose checksums it checked

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``GRAPHSVC_*`` variables, then explicit (non-None) overrides."""
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"GRAPHSVC_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _convert(f.name, str(f.type), raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)

    def to_env(self) -> dict[str, str]:
        """The ``GRAPHSVC_*`` variables that ``from_env`` reads back as these settings (a
        worker process builds its app from them); paths made absolute, None left out."""
        env: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if isinstance(value, bool):
                text = str(value).lower()
            elif isinstance(value, tuple):
                text = ",".join(value)
            elif isinstance(value, Path):
                text = str(value.expanduser().resolve())
            else:
                text = str(value)
            env[f"GRAPHSVC_{f.name.upper()}"] = text
        return env


def _convert(name: str, type_name: str, raw: str) -> Any:
    """Turn one environment string into the field's type, or say what is wrong."""
    try:
        if "int" in type_name:
            return int(raw.replace("_", ""))
        if "bool" in type_name:
            if raw.lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if "tuple" in type_name:
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        if "Path" in type_name:
            return Path(raw).expanduser()
        return raw
    except ValueError:
        raise ConfigError(
            f"GRAPHSVC_{name.upper()}={raw!r} is not a valid {type_name.split('|')[0].strip()}"
        ) from None
