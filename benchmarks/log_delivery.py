"""Benchmark: the log suites on a stack, repeated: search store start, emit-to-searchable delay
of the canonical events (median, max) and the 10,000-event burst's throughput.

Each run starts a fresh store and shipper. The figures depend on the machine's load and on the
store's refresh interval (1 s in the reference template): read the spread across repetitions and
compare runs on one machine as ratios.

    .venv/bin/python benchmarks/log_delivery.py [--stack stack] [--repeat 3]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from runs import failed, report, run_suites

FIGURES = ("logs_elasticsearch_ready_s", "logs_delivery_median_s", "logs_delivery_max_s",
           "logs_burst_complete_s", "logs_burst_events_per_s")


def one_run(stack: Path) -> dict:
    wall, status, results = run_suites(stack, "suites/test_logs_static.py", "suites/test_logs_live.py")
    return {"wall_s": wall, "exit": status, **{f: results["timings"].get(f) for f in FIGURES},
            "failed": failed(results)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="stack")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    report([one_run(Path(args.stack)) for _ in range(args.repeat)], ("wall_s", *FIGURES))


if __name__ == "__main__":
    main()
