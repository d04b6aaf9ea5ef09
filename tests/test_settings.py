"""Settings read from and written to ``GRAPHSVC_*`` variables: what ``serve --workers`` hands
to its worker processes must read back as the same settings."""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

from graphsvc.settings import Settings


def test_every_setting_survives_the_environment(tmp_path: Path) -> None:
    changed = replace(
        Settings(),
        corpus=tmp_path / "corpus",
        host="0.0.0.0",
        port=0,
        workers=3,
        log_level="debug",
        cache_dir=tmp_path / "cache",
        no_cache=True,
        ingest_workers=2,
        max_file_bytes=1234,
        max_body_bytes=5678,
        max_header_bytes=999,
        max_headers=7,
        header_timeout=3,
        idle_timeout=2,
        max_connections=11,
        response_cache_bytes=0,
        fast_path=False,
        max_depth=5,
        max_aliases=4,
        max_tokens=300,
        max_cost=77,
        cors_origins=("https://a.example", "https://b.example"),
        tracing=True,
        watch=False,
        snapshot=tmp_path / "graph.snapshot",
        snapshot_checked="2049:1234:5678:1700000000000000000",
    )
    # The test changes every field, so a field added later without an encoding fails here.
    assert all(getattr(changed, f.name) != getattr(Settings(), f.name) for f in fields(Settings))
    env = changed.to_env()
    assert all(name.startswith("GRAPHSVC_") for name in env)
    assert Settings.from_env(env) == changed


def test_unset_paths_stay_unset() -> None:
    env = Settings().to_env()
    assert "GRAPHSVC_SNAPSHOT" not in env and "GRAPHSVC_CACHE_DIR" not in env
    assert Settings.from_env(env) == Settings()
