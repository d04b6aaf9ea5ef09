"""Progress lines on stderr, and the JSON files a run leaves in bench/results/."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

GIB = 1024**3
MIB = 1024**2
RESULTS = Path(__file__).resolve().parents[1] / "results"
STARTED = time.monotonic()


def say(message: str) -> None:
    """A progress line on stderr, with the seconds since the script started."""
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


def write_result(out: Path, prefix: str, record: dict[str, Any]) -> Path:
    """Write ``record`` into the folder ``out``, named by the prefix and the time (UTC) as
    PREFIX-YYYYmmdd-HHMMSS (a JSON file); return its path."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{prefix}-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(record, indent=1, default=str))
    return path
