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


def derivation_costs(results: list, top: int = 10) -> str:
    """The distribution of the rules' derivation cost (samples promtool read for each, about:
    fixtures/derivation/derive.py), how many were not derived for it, and the costliest rules
    by name, with the intervals each was derived at."""
    from fixtures.derivation.results import Derived
    from fixtures.derivation.timescale import COST_BOUND

    costs = sorted(r.cost for r in results if r.cost)  # 0: given up before it was weighed (its analysis)
    if not costs:
        return "no rule was weighed"
    quantiles = statistics.quantiles(costs, n=100, method="inclusive") if len(costs) > 1 else costs * 99
    lines = [(f"derivation cost of {len(costs)} rules (samples read per rule): median {quantiles[49]:.1e}, "
              f"p90 {quantiles[89]:.1e}, p99 {quantiles[98]:.1e}, max {costs[-1]:.1e}; bound {COST_BOUND:.0e}"),
             f"above the bound: {sum(c > COST_BOUND for c in costs)} (each 'not derived: too costly')",
             f"costliest {min(top, len(results))}:"]
    for result in sorted(results, key=lambda r: -r.cost)[:top]:
        if isinstance(result, Derived):
            said = (f"derived, a sample every {result.inputs['scrape_interval_s']:g} s, evaluated every "
                    f"{result.inputs['evaluation_interval_s']:g} s")
        else:
            said = result.reason[:160]
        lines.append(f"  {result.cost:9.1e}  {result.rule.name} ({result.rule.file.name}:{result.rule.line}): {said}")
    return "\n".join(lines)
