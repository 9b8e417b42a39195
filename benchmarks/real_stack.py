"""Benchmark: a whole real stack's static and virtual-time run, and its costliest rules.

Builds a real stack (tests/real_stacks.py) in a temporary folder — by default the Thanos
project's monitoring mixin (48 alerts over seven jobs, 16 recording rules, 9 dashboards, no
hand-written scenario); ``--kube DIR`` one of the Prometheus Operator's PrometheusRule objects
(or plain rule files) in DIR; ``--folder PATH`` a stack folder already written — runs ``pytest
suites -m "not live"`` on it as a user would and prints the wall time (issue 22 asks under 2
minutes on the project's machine) with the load average it ran under and the CPU seconds it
took (the run's and its tools', which a loaded machine does not inflate), then derives its rules
once more in this process to name the rules that cost derivation most
(fixtures/derivation/derive.py: samples promtool reads for each, what its time grows with).
Timings depend on the machine's load: compare runs on one machine.

    .venv/bin/python benchmarks/real_stack.py [--kube DIR | --folder PATH] [--repeat 1] [--top 10]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from runs import ROOT, derivation_costs, failed, report, run_suites

sys.path.insert(0, str(ROOT))  # tests/real_stacks.py builds the stack

from fixtures.model.stack import Stack
from fixtures.scenarios.suite import ScenarioSet
from fixtures.validation import Validation
from tests.real_stacks import build_kube_stack, build_thanos_stack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--kube", type=Path, metavar="DIR", help="PrometheusRule objects (or rule files) to build from")
    which.add_argument("--folder", type=Path, metavar="PATH", help="a stack folder already written")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--top", type=int, default=10, help="how many of the costliest rules to name")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mc-real-stack-") as scratch:
        if args.folder:
            stack = args.folder.resolve()
        elif args.kube:
            stack = build_kube_stack(Path(scratch) / "kube", args.kube.resolve())
        else:
            stack = build_thanos_stack(Path(scratch) / "thanos")
        runs = []
        for _ in range(args.repeat):
            load, before = os.getloadavg()[0], resource.getrusage(resource.RUSAGE_CHILDREN)
            wall, status, results = run_suites(stack, "suites", options=("-m", "not live"))
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            # CPU seconds of the run and the tools it ran (promtool): what wall time is on an idle machine, about.
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            coverage = results.get("coverage") or []
            summary = results["summary"]["all"]
            runs.append({"wall_s": wall, "cpu_s": cpu, "load_before": load, "load_after": os.getloadavg()[0], "exit": status,
                         "checks": sum(summary.values()), "passed": summary["passed"], "failed": failed(results),
                         "rules": len(coverage), "derived": sum(entry["source"] == "derived" for entry in coverage)})
        report(runs, ("wall_s", "cpu_s"))
        started = time.monotonic()
        derivations = ScenarioSet.load((loaded := Stack.load(stack)), Validation(loaded)).derivations
        print(f"derivation alone, in this process: {time.monotonic() - started:.1f} s for {len(derivations)} rules")
        print(derivation_costs(list(derivations.values()), args.top))


if __name__ == "__main__":
    main()
