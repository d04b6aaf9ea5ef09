"""Start-up time of the ``graphsvc`` command against a bare ``python -c pass``, same run.

    python bench/startup.py [CORPUS] [--repeat N]

Each command is a fresh process, run N times (median, min and max reported): ``python -c
pass`` (the baseline: the interpreter and its site packages), ``graphsvc --version``,
``graphsvc --help``, ``graphsvc serve --help``, and ``graphsvc ingest CORPUS --json`` once its
store is kept (a warm cache: nothing changed, so the kept store is read back). Ratios are
against the baseline; the targets are 6× for ``--version`` and ``--help``, and 0.5 s for the
warm ingest. CORPUS defaults to ../shared/corpus/news, else the project's seeds/.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpus" / "news"
GRAPHSVC = [sys.executable, "-m", "graphsvc"]
TARGET_RATIO = 6.0
TARGET_INGEST_SECONDS = 0.5


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def seconds(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of ``argv`` (its output discarded; a
    failure stops the bench). CPU time hardly depends on the load of a shared machine."""
    cpu, started = _cpu(), time.perf_counter()
    done = subprocess.run(argv, capture_output=True, timeout=600)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr.decode()[-2000:]}")
    return elapsed, _cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=11, help="runs of each; medians reported")
    args = parser.parse_args()
    corpus = args.corpus or (SHARED if SHARED.is_dir() else REPO / "seeds")
    with tempfile.TemporaryDirectory() as cache:
        ingest = [*GRAPHSVC, "ingest", str(corpus), "--json", "--cache-dir", cache]
        seconds(ingest)  # cold: parses and keeps the store; the runs below read it back
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "graphsvc --version": [*GRAPHSVC, "--version"],
            "graphsvc --help": [*GRAPHSVC, "--help"],
            "graphsvc serve --help": [*GRAPHSVC, "serve", "--help"],
            "graphsvc ingest (kept store)": ingest,
        }
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.repeat):  # interleaved, so that load on the machine hits all alike
            for name, argv in commands.items():
                runs[name].append(seconds(argv))
    base = statistics.median(w for w, _ in runs["python -c pass"])
    base_cpu = statistics.median(c for _, c in runs["python -c pass"])
    print(f"corpus: {corpus}; {args.repeat} runs each, interleaved; wall and CPU seconds\n")
    print(
        f"{'command':30} {'wall':>6} {'min':>6} {'max':>6} {'× py':>6}"
        f" {'cpu':>6} {'× py':>6}  target (on wall time)"
    )
    for name, values in runs.items():
        walls = [w for w, _ in values]
        wall, cpu = statistics.median(walls), statistics.median(c for _, c in values)
        if name.startswith("graphsvc ingest"):
            met = wall < TARGET_INGEST_SECONDS
            target = f"< {TARGET_INGEST_SECONDS} s: {'met' if met else 'MISSED'}"
        elif name.startswith("graphsvc"):
            met = wall / base <= TARGET_RATIO
            target = f"≤ {TARGET_RATIO:g}×: {'met' if met else 'MISSED'}"
        else:
            target = "baseline"
        print(
            f"{name:30} {wall:6.3f} {min(walls):6.3f} {max(walls):6.3f} {wall / base:5.1f}×"
            f" {cpu:6.3f} {cpu / base_cpu:5.1f}×  {target}"
        )


if __name__ == "__main__":
    main()
