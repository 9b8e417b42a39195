"""One real run for the report's own tests (a pytest plugin of the harness's tests): the
reference stack with canary secrets planted in every secret-bearing place, run whole (static,
virtual time, live) with a previous run's results, so the report carries a regression view.

Session-scoped: the canary test and the browser test read the same run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.canaries import plant
from tests.live_runs import LiveRun, run_suites


@dataclass
class PlantedRun:
    stack: Path
    canaries: dict[str, str]  # place -> canary
    report_dir: Path
    previous: LiveRun  # a static-only run first: the "previous run" of the regression view
    run: LiveRun


@pytest.fixture(scope="session")
def planted_run(tmp_path_factory) -> PlantedRun:
    base = tmp_path_factory.mktemp("planted")
    canaries = plant(base / "stack")
    previous = run_suites(base / "stack", base / "previous", "-m", "not live")
    report_dir = base / "report"
    run = run_suites(base / "stack", report_dir, "--previous-results", str(base / "previous" / "results.json"))
    return PlantedRun(base / "stack", canaries, report_dir, previous, run)
