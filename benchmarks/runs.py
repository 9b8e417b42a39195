"""What every benchmark shares: running suites as a user would, and summarising repetitions."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_suites(stack: Path, *paths: str, started=None, options: tuple[str, ...] = ()) -> tuple[float, int, dict]:
    """Wall time, exit status and results.json of one pytest run of ``paths`` on ``stack``, with
    more pytest ``options`` (``started(pid)``, if given, is told the run's process id as it starts)."""
    with tempfile.TemporaryDirectory(prefix="mc-bench-") as report_dir:
        began = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "pytest", *(paths or ("suites",)), "--stack", str(stack),
             "--report-dir", report_dir, "-q", "-p", "no:cacheprovider", *options],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if started is not None:
            started(process.pid)
        output, _ = process.communicate()
        wall = time.monotonic() - began
        results = Path(report_dir) / "results.json"
        if not results.exists():
            raise SystemExit(f"the run wrote no results.json (exit {process.returncode}):\n{output[-3000:]}")
        return wall, process.returncode, json.loads(results.read_text())


def failed(results: dict) -> int:
    summary = results["summary"]["all"]
    return summary["failed"] + summary["error"]


def report(runs: list[dict], keys: tuple[str, ...]) -> None:
    """Each run, then the median and range of each figure across runs."""
    for index, run in enumerate(runs, 1):
        print(f"run {index}: " + ", ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}"
                                           for k, v in run.items()))
    for key in keys:
        values = [r[key] for r in runs if r.get(key) is not None]
        if values:
            print(f"{key}: median {statistics.median(values):.2f}, min {min(values):.2f}, max {max(values):.2f}")
