"""Benchmark: the full alert conformance run on a stack (static, virtual time, live), by phase.

Runs the suites as a user would, several times, and reports the wall time of each run and the
phases the harness records in results.json (containers ready, first alert, last notification,
seconds from the start of the live feed). Timings vary with the machine's load: read the spread
across repetitions, and compare runs on one machine as ratios, never against a fixed bound.

    .venv/bin/python benchmarks/alert_conformance.py [--stack stack] [--repeat 3]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from runs import failed, report, run_suites

PHASES = ("images_ready_s", "containers_ready_s", "first_alert_s", "last_notification_s")


def one_run(stack: Path) -> dict:
    wall, status, results = run_suites(stack)
    return {"wall_s": wall, "exit": status, **{p: results["timings"].get(p) for p in PHASES},
            "checks": sum(results["summary"]["all"].values()), "failed": failed(results)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="stack")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    report([one_run(Path(args.stack)) for _ in range(args.repeat)], ("wall_s", *PHASES))


if __name__ == "__main__":
    main()
