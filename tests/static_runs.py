"""Running the real static suites in a subprocess on a stack folder, as a user would, and seeing
what the run wrote and whether it started anything (a pytest plugin of the harness's tests).

"No container" is checked twice: results.json records no images or timings (the live stack
fixture never ran), and no container or network labelled by the harness belongs to the
subprocess. Other sessions may share the engine, so only the subprocess's own resources count:
a probe plugin records its pid, which the harness writes into every owner label.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import harness_resources
from tests.layout import SUITES

OWNER_PROBE = '''
"""Records the pid of this pytest run, which the harness puts in every owner label.

Written at import (``-p`` imports it first), so even a run refused at configure time records it.
"""
import os
from pathlib import Path

Path("owner.pid").write_text(str(os.getpid()))
'''


def literal(text: str) -> str:
    """``text`` as an fnmatch pattern that matches only itself."""
    return "".join(f"[{c}]" if c in "[]*?" else c for c in text)


@dataclass
class SuiteRun:
    result: pytest.RunResult
    report: dict  # results.json, or {} where the run wrote none
    owned: list[str]  # containers and networks labelled as the subprocess's own

    def check(self, test_id: str) -> dict:
        """The results.json record of ``test_static_x.py::<test_id>``."""
        found = [c for c in self.report.get("checks", []) if c["nodeid"].endswith(f"::{test_id}")]
        assert len(found) == 1, f"expected one check {test_id}, found {found}; output:\n{self.result.stdout.str()}"
        return found[0]

    def assert_no_container_started(self) -> None:
        assert self.owned == [], f"the static run started {self.owned}"
        assert not self.report.get("images") and not self.report.get("timings"), (
            f"results.json shows a live stack: images {self.report.get('images')}, timings {self.report.get('timings')}"
        )


@pytest.fixture
def run_suites(pytester, engine, tmp_path):
    """A function running the static suites on a stack folder, as a user would from the CLI."""
    pytester.makepyfile(mc_owner_probe=OWNER_PROBE)
    pytester.plugins.append("mc_owner_probe")

    def run(stack_dir: Path, timeout: float = 300, *args: str) -> SuiteRun:
        report_dir = tmp_path / "report"
        before = harness_resources(engine)
        result = pytester.runpytest_subprocess(
            str(SUITES), "--stack", str(stack_dir), "-m", "not live", "--report-dir", str(report_dir), *args,
            timeout=timeout,
        )
        owner = f"{socket.gethostname()}:{(pytester.path / 'owner.pid').read_text()}"
        new = {name: label for name, label in harness_resources(engine).items() if name not in before}
        results_json = report_dir / "results.json"
        report = json.loads(results_json.read_text(encoding="utf-8")) if results_json.exists() else {}
        return SuiteRun(result, report, owned=[name for name, label in new.items() if label == owner])

    return run


def nothing_to_judge(checks: list[dict]) -> list[dict]:
    """The reference stack's Grafana checks that have nothing to judge there: its panels apply no
    transformation, name no label in a legend of a query whose labels are known, and its dashboards
    define no variable."""
    return [c for c in checks if c["status"] == "not applicable" and (
        c["check"] == "transformations known" and "applies no transformation" in c["message"]
        or c["check"] == "legend names labels the query keeps" and "no legend names a label" in c["message"]
        or c["check"] == "template variables resolve" and "defines no template variable" in c["message"])]
