"""Benchmark: scenario derivation and its promtool verification on a rule collection: rules per
second, peak memory (this process and its promtool children), and the distribution of the
rules' derivation cost with the costliest rules named (none may be above its bound: such a rule
is not derived, 'too costly').

Timings depend on the machine's load: compare runs on one machine.

    .venv/bin/python benchmarks/derivation.py [--corpus ../shared/corpora/awesome-prometheus-alerts] [--workers 2]
        [--top 10]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from runs import derivation_costs

from fixtures.derivation import Derived, derive
from fixtures.derivation.corpus import load_rules, summary

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared/corpora/awesome-prometheus-alerts"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--list", action="store_true", help="print every rule without a derived pair")
    parser.add_argument("--top", type=int, default=10, help="how many of the costliest rules to name")
    args = parser.parse_args()
    alerts, recordings = load_rules(args.corpus)
    started = time.perf_counter()
    # Its scratch where derivation puts it when the harness runs it (in memory, where there is some).
    results = derive(alerts, recordings, scrape_interval_s=15, evaluation_interval_s=15, job="exporter",
                     instance="exporter:9100", workers=args.workers)
    wall = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    derived = sum(isinstance(r, Derived) for r in results)
    print(f"rules: {len(alerts)}  derived: {derived}  wall: {wall:.1f} s  rules/s: {len(alerts) / wall:.1f}")
    print(f"peak memory: harness {own:.0f} MiB, largest promtool child {children:.0f} MiB")
    print(derivation_costs(results, args.top))
    if args.list:
        print(summary(results, args.corpus))


if __name__ == "__main__":
    main()
