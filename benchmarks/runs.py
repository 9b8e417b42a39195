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


def run_suites(stack: Path, *paths: str) -> tuple[float, int, dict]:
    """Wall time, exit status and results.json of one pytest run of ``paths`` on ``stack``."""
    with tempfile.TemporaryDirectory(prefix="mc-bench-") as report_dir:
        began = time.monotonic()
        completed = subprocess.run(
            [sys.executable, "-m", "pytest", *(paths or ("suites",)), "--stack", str(stack),
             "--report-dir", report_dir, "-q", "-p", "no:cacheprovider"],
            cwd=ROOT, capture_output=True, text=True, check=False)
        wall = time.monotonic() - began
        return wall, completed.returncode, json.loads((Path(report_dir) / "results.json").read_text())


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
