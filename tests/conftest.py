"""Shared fixtures: the real corpus (skipped where absent, mandatory under CI) and stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.corpus import load_store
from graphsvc.graph.store import GraphStore
from tests.support import NEWS, SEEDS, require


@pytest.fixture(scope="session")
def news_dir() -> Path:
    """The 1,370 real documents of ../shared/corpus/news."""
    require(NEWS.is_dir(), f"the shared corpus is not at {NEWS}")
    return NEWS


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A parse cache folder private to this test session."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def news_store(news_dir: Path, cache_dir: Path) -> GraphStore:
    """The store of the real corpus, built once per session."""
    return load_store(news_dir, cache_dir=cache_dir)


@pytest.fixture(scope="session")
def seeds_store(cache_dir: Path) -> GraphStore:
    """The store of seeds/."""
    return load_store(SEEDS, cache_dir=cache_dir)
