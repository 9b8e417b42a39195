"""Known inputs: the real suites, run in a subprocess on a copy of the stack with one defect,
fail that defect's check with file, line and problem, and start no container doing so.

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
from tests.layout import REFERENCE_STACK, SUITES
from tests.textfiles import line_containing

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

    def run(stack_dir: Path) -> SuiteRun:
        report_dir = tmp_path / "report"
        before = harness_resources(engine)
        result = pytester.runpytest_subprocess(
            str(SUITES), "--stack", str(stack_dir), "-m", "not live", "--report-dir", str(report_dir), timeout=300
        )
        owner = f"{socket.gethostname()}:{(pytester.path / 'owner.pid').read_text()}"
        new = {name: label for name, label in harness_resources(engine).items() if name not in before}
        results_json = report_dir / "results.json"
        report = json.loads(results_json.read_text(encoding="utf-8")) if results_json.exists() else {}
        return SuiteRun(result, report, owned=[name for name, label in new.items() if label == owner])

    return run


def test_the_reference_stack_passes_every_static_check(run_suites):
    run = run_suites(REFERENCE_STACK)
    checks = run.report["checks"]
    not_passed = [(c["nodeid"], c["status"], c["message"]) for c in checks if c["status"] != "passed"]
    assert not not_passed, not_passed
    run.result.assert_outcomes(passed=len(checks))  # and no failure, error or skip outside the checks
    assert run.result.ret == pytest.ExitCode.OK
    run.assert_no_container_started()


def test_a_yaml_syntax_error_in_a_rule_file(broken_stack, run_suites):
    stack_dir = broken_stack(
        "prometheus/analytics_rules.yml",
        'summary: "Data quality score below threshold"',
        "summary: Data quality score: below threshold",
    )
    rules = stack_dir.resolve() / "prometheus" / "analytics_rules.yml"
    line = line_containing(rules, "summary: Data quality score: below threshold")

    run = run_suites(stack_dir)

    parses = run.check("test_parses[prometheus/analytics_rules.yml]")
    assert (parses["status"], parses["subject"]) == ("failed", "prometheus/analytics_rules.yml"), parses
    assert f"{rules}:{line}: invalid YAML: mapping values are not allowed" in parses["message"], parses
    assert "summary: Data quality score: below threshold" in parses["message"], "the offending text is shown"
    assert run.check("test_parses[prometheus/infrastructure_rules.yml]")["status"] == "passed"
    run.result.stdout.fnmatch_lines([
        "*_ test_parses[[]prometheus/analytics_rules.yml[]] _*",
        f"{literal(str(rules))}:{line}: invalid YAML: mapping values are not allowed here",
        "*summary: Data quality score: below threshold",
        "FAILED *suites/test_static_files.py::test_parses[[]prometheus/analytics_rules.yml[]]*",
    ])
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    run.assert_no_container_started()


def test_an_invalid_promql_expression(broken_stack, run_suites):
    stack_dir = broken_stack(
        "prometheus/analytics_rules.yml",
        "rate(pipeline_duration_seconds_bucket[5m]))) > 3600",
        "rate(pipeline_duration_seconds_bucket[5m])) > 3600",
    )
    rules = stack_dir.resolve() / "prometheus" / "analytics_rules.yml"
    expr_line = line_containing(rules, "alert: PipelineDurationHigh") + 1
    assert "expr:" in rules.read_text().splitlines()[expr_line - 1], "the expr follows the alert name"

    run = run_suites(stack_dir)

    parses = run.check("test_expression_parses[PipelineDurationHigh]")
    assert (parses["status"], parses["subject"]) == ("failed", "PipelineDurationHigh"), parses
    expected = f"{rules}:{expr_line}: alert 'PipelineDurationHigh': invalid PromQL: unclosed left parenthesis"
    assert expected in parses["message"], parses["message"]
    assert run.check("test_expression_parses[PipelineFailureRate]")["status"] == "passed"
    run.result.stdout.fnmatch_lines([
        "*_ test_expression_parses[[]PipelineDurationHigh[]] _*",
        literal(expected),
        "FAILED *suites/test_static_prometheus.py::test_expression_parses[[]PipelineDurationHigh[]]*",
    ])
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    run.assert_no_container_started()


def test_a_rule_file_that_does_not_exist(broken_stack, run_suites):
    stack_dir = broken_stack("prometheus/prometheus.yml", '- "infrastructure_rules.yml"', '- "infrastucture_rules.yml"')
    config = stack_dir.resolve() / "prometheus" / "prometheus.yml"
    line = line_containing(config, "infrastucture_rules.yml")

    run = run_suites(stack_dir)

    exists = run.check("test_rule_file_exists[infrastucture_rules.yml]")
    assert (exists["status"], exists["subject"]) == ("failed", "infrastucture_rules.yml"), exists
    expected = f"{config}:{line}: rule_files entry 'infrastucture_rules.yml' matches no file"
    assert expected in exists["message"], exists["message"]
    assert run.check("test_rule_file_exists[analytics_rules.yml]")["status"] == "passed"
    run.result.stdout.fnmatch_lines([
        "*_ test_rule_file_exists[[]infrastucture_rules.yml[]] _*",
        f"{literal(expected)}*",
        "FAILED *suites/test_static_prometheus.py::test_rule_file_exists[[]infrastucture_rules.yml[]]*",
    ])
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    run.assert_no_container_started()


def test_a_manifest_defect_stops_the_run_before_any_check(broken_stack, run_suites):
    stack_dir = broken_stack("manifest.yml", "      registry: docker.io/prom/alertmanager:v0.25.0\n", "")

    run = run_suites(stack_dir)

    assert run.result.ret == pytest.ExitCode.USAGE_ERROR, run.result.stderr.str()
    manifest = literal(str(stack_dir.resolve() / "manifest.yml"))
    run.result.stderr.fnmatch_lines([
        f"*cannot read the stack under test: {manifest}:*: service 'alertmanager' has no image for profile registry",
    ])
    assert run.report == {}, "a run that checked nothing wrote a report"
    run.assert_no_container_started()


def test_a_rule_group_written_as_a_bare_name_is_a_finding_not_a_crash(broken_stack, run_suites):
    last_line = 'description: "Disk usage is {{ $value }}% on {{ $labels.instance }}"'
    stack_dir = broken_stack("prometheus/infrastructure_rules.yml", last_line, f"{last_line}\n  - storage_alerts")

    run = run_suites(stack_dir)

    assert run.result.ret == pytest.ExitCode.TESTS_FAILED, run.result.stdout.str()
    failed = [c for c in run.report.get("checks", []) if c["status"] == "failed"]
    assert any("infrastructure_rules.yml" in c["message"] for c in failed), failed
    run.assert_no_container_started()
