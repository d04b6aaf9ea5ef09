"""The scale benchmark's corpora (generated once per size and seed) and the projections that
refuse a size the machine cannot hold."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lib.processes import meminfo
from lib.reports import GIB, say

if TYPE_CHECKING:
    pass

BENCH = Path(__file__).resolve().parent

SAFETY = 1.25  # projected peak memory = measured per document x N x this
DEFAULT_PEAK_PER_DOC = 110_000  # bytes: a 100k cold ingest peaked at 9.9-10.7 GB (README)
DEFAULT_CORPUS_PER_DOC = 27_000  # bytes on disk per synthetic document
DEFAULT_WORK_PER_DOC = 20_000  # bytes: snapshot, kept store and parse cache per document
DOCUMENT_SUFFIXES = (".md", ".markdown", ".txt")


def corpus_path(root: Path, n: int, seed: int) -> Path:
    return root / f"synth-{n}-seed{seed}"


def corpus_stats(path: Path) -> tuple[int, int]:
    """Documents and their bytes on disk."""
    count = size = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            if name.endswith(DOCUMENT_SUFFIXES):
                count += 1
                size += os.stat(os.path.join(dirpath, name)).st_size
    return count, size


def ensure_corpus(root: Path, n: int, seed: int) -> tuple[Path, float | None]:
    """The synthetic corpus of n documents (generated once per n and seed), and the seconds
    its generation took (None when reused)."""
    final = corpus_path(root, n, seed)
    if final.is_dir():
        say(f"reusing {final}")
        return final, None
    partial = final.with_name(final.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    root.mkdir(parents=True, exist_ok=True)
    say(f"generating {n:,} documents into {final} (bench/synth.py, seed {seed})")
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            str(BENCH / "synth.py"),
            str(n),
            str(partial),
            "--seed",
            str(seed),
            "--corpus",
            str(root / "no-real-corpus"),  # skip measuring the real corpus beside it
        ],
        check=True,
        stdout=sys.stderr,
    )
    partial.rename(final)
    return final, time.perf_counter() - started


@dataclass
class Measured:
    """Per-document figures from the largest size measured so far (for projections)."""

    documents: int = 0
    peak_per_doc: float = 0.0
    corpus_per_doc: float = 0.0
    work_per_doc: float = 0.0
    source: str = ""

    def update(self, record: dict[str, Any], source: str) -> None:
        docs = record.get("corpus", {}).get("documents") or 0
        peaks = [
            record.get("ingest", {}).get(k, {}).get("peak_rss_tree") or 0
            for k in ("cold", "warm", "baseline")
        ]
        peaks.append(record.get("store", {}).get("peak_rss_tree") or 0)
        if docs > self.documents and max(peaks) > 0:
            self.documents = docs
            self.peak_per_doc = max(peaks) / docs
            self.corpus_per_doc = (record["corpus"].get("bytes") or 0) / docs
            snap = record.get("store", {}).get("snapshot_bytes") or 0
            self.work_per_doc = 2.5 * snap / docs  # snapshot, kept store, parse cache
            disk = record.get("disk") or {}
            if disk.get("total"):  # measured: parse cache, snapshot and search index
                self.work_per_doc = (disk["total"] - disk["corpus"]) / docs
            self.source = f"{source} ({docs:,} documents)"


def previous_results(out: Path) -> Measured:
    measured = Measured()
    for path in sorted(out.glob("run-*.json")):
        try:
            measured.update(json.loads(path.read_text()), path.name)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
    return measured


def refusal(n: int, measured: Measured, corpus_root: Path, seed: int) -> str | None:
    """Why size n would not fit this machine (None when it would)."""
    source = measured.source or "the README's 100k figure (no measurement yet)"
    work = (measured.work_per_doc or DEFAULT_WORK_PER_DOC) * n
    corpus = (measured.corpus_per_doc or DEFAULT_CORPUS_PER_DOC) * n
    disk = (
        f"; it would need {(corpus + work) / GIB:.0f} GiB of disk ({corpus / GIB:.0f} GiB of"
        f" corpus, {work / GIB:.0f} GiB of parse cache, snapshot and search index, per"
        f" document as in {source})"
    )
    per_doc = measured.peak_per_doc or DEFAULT_PEAK_PER_DOC
    projected = per_doc * n * SAFETY
    available = meminfo("MemAvailable")
    if available and projected > available:
        return (
            f"projected peak RSS {projected / GIB:.1f} GiB ({per_doc / 1e3:.0f} KB per document,"
            f" from {source}, x {n:,} x {SAFETY}) exceeds the {available / GIB:.1f} GiB available"
            f" (of {meminfo('MemTotal') / GIB:.1f} GiB; the peak is the cold ingest's):"
            f" stop here, or run with --force{disk}"
        )
    need = work * SAFETY
    if not corpus_path(corpus_root, n, seed).is_dir():
        need += corpus * SAFETY
    corpus_root.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(corpus_root).free
    if need > free:
        return (
            f"projected disk use {need / GIB:.1f} GiB (corpus, snapshot, caches) exceeds the"
            f" {free / GIB:.1f} GiB free under {corpus_root}; run with --force to try anyway"
        )
    return None
