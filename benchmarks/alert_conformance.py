"""Benchmark: the full alert conformance run on a stack (static, virtual time, live), by phase.

Runs the suites as a user would, several times, and reports the wall time of each run and the
phases the harness records in results.json (containers ready, first alert, last notification,
seconds from the start of the live feed). Timings vary with the machine's load: read the spread
across repetitions, and compare runs on one machine as ratios, never against a fixed bound.

    .venv/bin/python benchmarks/alert_conformance.py [--stack stack] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHASES = ("images_ready_s", "containers_ready_s", "first_alert_s", "last_notification_s")


def one_run(stack: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="mc-bench-") as report_dir:
        began = time.monotonic()
        completed = subprocess.run(
            [sys.executable, "-m", "pytest", "suites", "--stack", str(stack), "--report-dir", report_dir, "-q",
             "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True, check=False)
        wall = time.monotonic() - began
        results = json.loads((Path(report_dir) / "results.json").read_text())
    summary = results["summary"]["all"]
    return {"wall_s": wall, "exit": completed.returncode, **{p: results["timings"].get(p) for p in PHASES},
            "checks": sum(summary.values()), "failed": summary["failed"] + summary["error"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="stack")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs = [one_run(Path(args.stack)) for _ in range(args.repeat)]
    for index, run in enumerate(runs, 1):
        shown = ", ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in run.items())
        print(f"run {index}: {shown}")
    for key in ("wall_s", *PHASES):
        values = [r[key] for r in runs if r[key] is not None]
        if values:
            print(f"{key}: median {statistics.median(values):.1f} s, min {min(values):.1f}, max {max(values):.1f}")


if __name__ == "__main__":
    main()
