"""Benchmark: a whole conformance run against its phases run one after another, and against its
floor computed from the stack's own configuration.

One run of everything (the live pipelines start together, fixtures/warmup.py), then each phase
alone: static and virtual time, the alerting stack's live checks, the log pipeline's, the trace
back end's. The ratios are measured in this one benchmark run, on this machine:

- parallel speed-up: the sum of the phases' wall times over the whole run's;
- distance to the floor: the whole run over its floor, where the floor is the slowest live
  pipeline's start (measured) plus the longest chain of configured waits of an alert the run saw
  fire live: a scrape of its job, an evaluation, its live ``for``, the evaluation that fires it,
  Alertmanager's group_wait, then for its resolution an evaluation and the group_interval;
- rules per second in virtual time; peak memory of the harness and of each container;
- with ``--workers N``, the whole run again with pytest-xdist (``-n N``, each live pipeline on
  one worker: fixtures/parallel.py): the serial run's wall time over the parallel one's, and the
  two results.json compared check by check (test id, outcome, reason).

    .venv/bin/python benchmarks/live_phases.py [--stack stack] [--workers 2] [--no-phases]
"""

from __future__ import annotations

import argparse
import resource
import sys
import threading
from pathlib import Path
from typing import Self

from runs import ROOT, run_suites

sys.path.insert(0, str(ROOT))

from fixtures.durations import seconds
from fixtures.model.scrape_jobs import scrape_intervals
from fixtures.model.stack import Stack, load_config_or_none
from fixtures.services.engine import LABEL_OWNER, configure_environment, docker_client
from fixtures.transforms import TIMER_CAPS
from reports.regression import verdict_differences

PHASES = {
    "static and virtual time": ("-m", "not live"),
    "alerting live": ("suites/test_alerts_live.py", "suites/test_dashboards_live.py", "suites/test_live_smoke.py"),
    "logs live": ("suites/test_logs_live.py",),
    "traces live": ("suites/test_traces_live.py",),
}


class ContainerMemory:
    """Peak memory of every container of one run (its owner label names the run's process),
    sampled from the engine every few seconds."""

    def __init__(self) -> None:
        self.peak: dict[str, int] = {}
        self.owner_suffix = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def watch(self, pid: int) -> None:
        self.owner_suffix = f":{pid}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(30)

    def _sample(self) -> None:
        client = docker_client()
        while not self._stop.wait(3):
            try:
                found = client.containers.list(sparse=True, filters={"label": LABEL_OWNER})
            except Exception:  # noqa: BLE001, S112 - the engine busy: the next sample
                continue
            for container in found:
                labels = container.attrs.get("Labels") or {}
                if not self.owner_suffix or not labels.get(LABEL_OWNER, "").endswith(self.owner_suffix):
                    continue
                try:
                    usage = container.stats(stream=False).get("memory_stats", {}).get("usage", 0)
                except Exception:  # noqa: BLE001, S112 - removed between the list and its stats
                    continue
                name = (container.attrs.get("Names") or [container.id])[0].lstrip("/").split("-", 2)[-1]
                self.peak[name] = max(self.peak.get(name, 0), usage)


def floor_s(stack: Stack, results: dict) -> tuple[float, str]:
    """The run's floor and the rule whose chain of waits sets it."""
    config = load_config_or_none(stack.prometheus_config_path) or {}
    evaluation = seconds((config.get("global") or {}).get("evaluation_interval", "1m"))
    scrape = max(scrape_intervals(config).values(), default=60.0)
    alertmanager = load_config_or_none(stack.alertmanager_config_path) or {}
    route = alertmanager.get("route") or {}
    group_wait, group_interval = (min(seconds(route.get(timer, default)), seconds(TIMER_CAPS[timer]))
                                  for timer, default in (("group_wait", "30s"), ("group_interval", "5m")))
    live_for = {t["location"].removesuffix(".for"): seconds(t["change"].split(" -> ")[1])
                for t in results["transforms"] if t["location"].endswith(".for")}
    fired = {c["subject"] for c in results["checks"] if c["check"] == "fires (live)" and c["status"] == "passed"}
    chains = {}
    for rule in stack.alert_rules:
        if not any(subject.startswith(rule.name) for subject in fired):
            continue
        interval = evaluation
        for_s = live_for.get(rule.name, seconds(rule.for_ or 0))
        chains[rule.name] = scrape + interval + for_s + interval + group_wait + interval + group_interval
    start = max([v for k, v in results["timings"].items() if k.endswith("_ready_after_s")], default=0.0)
    if not chains:
        return start, "no alert fired live"
    slowest = max(chains, key=chains.get)
    return start + chains[slowest], f"start {start:.1f}s + {slowest}'s chain {chains[slowest]:.1f}s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="stack")
    parser.add_argument("--workers", type=int, default=0, help="also the whole run with pytest-xdist, -n WORKERS")
    parser.add_argument("--no-phases", action="store_true", help="leave out the runs of each phase alone")
    args = parser.parse_args()
    configure_environment()  # the engine the suites use (Podman's socket when no Docker engine answers)
    stack = Stack.load(Path(args.stack).resolve())
    with ContainerMemory() as memory:
        whole, status, results = run_suites(stack.root, started=memory.watch)
    if args.workers:
        parallel, parallel_status, parallel_results = run_suites(stack.root, options=("-n", str(args.workers)))
    phases = {} if args.no_phases else {name: run_suites(stack.root, *paths)[0] for name, paths in PHASES.items()}
    floor, why = floor_s(stack, results)
    virtual = results["phases"].get("test_alerts_virtual", 0.0)
    rules = len(stack.alert_rules)
    print(f"whole run: {whole:.1f}s (exit {status}, {sum(results['summary']['all'].values())} checks)")
    if args.workers:
        differing = verdict_differences(results, parallel_results)
        print(f"whole run with -n {args.workers}: {parallel:.1f}s (exit {parallel_status}); serial / parallel = "
              f"{whole / parallel:.2f}; checks judged differently: {len(differing)} of {len(results['checks'])}")
        for nodeid, (serial_verdict, parallel_verdict) in differing.items():
            print(f"  {nodeid}: serial {serial_verdict}, parallel {parallel_verdict}")
    for name, wall in phases.items():
        print(f"  {name} alone: {wall:.1f}s")
    if phases:
        print(f"phases one after another: {sum(phases.values()):.1f}s; parallel speed-up "
              f"{sum(phases.values()) / whole:.2f}x")
    print(f"floor: {floor:.1f}s ({why}); whole run / floor = {whole / floor:.2f}")
    if virtual:
        print(f"virtual time: {rules} rules in {virtual:.1f}s = {rules / virtual:.1f} rules/s")
    print(f"peak memory of the harness (largest child): {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MiB")
    for name, peak in sorted(memory.peak.items(), key=lambda item: -item[1]):
        print(f"  container {name}: {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
