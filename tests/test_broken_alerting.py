"""Deliberately broken copies of the reference stack's alerting: each kind of defect fails the
check that exists for it (virtual time or routing), with a message naming the rule, its file and
line, and what was expected against what was observed. No container is started for any of it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.textfiles import line_containing

ANALYTICS = "prometheus/analytics_rules.yml"
INFRASTRUCTURE = "prometheus/infrastructure_rules.yml"
ALERTMANAGER = "alertmanager/alertmanager.yml"


@dataclass(frozen=True)
class Defect:
    file: str
    old: str
    new: str
    failing: str  # the check (test id) that must fail
    rule_line_text: str | None  # text on the rule's line, to find file:line; None for routing defects
    message_parts: tuple[str, ...]  # must all appear in the failure message


DEFECTS = {
    "threshold typo": Defect(
        ANALYTICS, "data_quality_score < 0.8", "data_quality_score < 0.08", "test_fires[DataQualityLow]",
        "- alert: DataQualityLow", ("expected firing", "observed nothing firing", "never fired", "< 0.08")),
    # The hand-written scenario states the intent: its expected label against the rule's, one finding
    # at the scenario's line naming the rule's (rather than the symptom: a firing with other labels).
    "wrong severity": Defect(
        INFRASTRUCTURE, "        for: 3m\n        labels:\n          severity: warning",
        "        for: 3m\n        labels:\n          severity: critical", "test_parses[scenarios/HighMemoryUsage-firing.yml]",
        None, ("expects alert 'HighMemoryUsage' with severity='warning'", "sets severity to ['critical']",
               "infrastructure_rules.yml:")),
    "aggregation drops the pipeline label": Defect(
        ANALYTICS, 'sum by (pipeline_name) (rate(pipeline_runs_total{status="failed"}[5m])) / '
                   "sum by (pipeline_name) (rate(pipeline_runs_total[5m]))",
        'sum(rate(pipeline_runs_total{status="failed"}[5m])) / sum(rate(pipeline_runs_total[5m]))',
        # Found before any scenario runs: the firing scenario expects a label the rule no longer keeps.
        "test_parses[scenarios/PipelineFailureRate-firing.yml]", None,
        ("expects alert 'PipelineFailureRate' with label pipeline_name='customer_analytics'",
         "its rule (analytics_rules.yml:12) cannot produce that label", "its expression keeps no label")),
    "inverted comparison": Defect(
        ANALYTICS, 'database_connection_pool_size{status="total"} > 0.9',
        'database_connection_pool_size{status="total"} < 0.9', "test_silent[DatabaseConnectionPoolExhausted]",
        "- alert: DatabaseConnectionPoolExhausted", ("fired at", "DatabaseConnectionPoolExhausted-silent.yml",
                                                      "must not raise it")),
    "for longer than the situation lasts": Defect(
        INFRASTRUCTURE, "        for: 1m\n        labels:\n          severity: warning\n        annotations:\n"
                        '          summary: "Disk space running low"',
        "        for: 10m\n        labels:\n          severity: warning\n        annotations:\n"
        '          summary: "Disk space running low"', "test_fires[DiskSpaceRunningLow]",
        "- alert: DiskSpaceRunningLow", ("expected firing at 4m00s", "observed nothing firing")),
    "critical routed to the warning receiver": Defect(
        ALERTMANAGER, "    - matchers: ['severity=\"critical\"']\n      receiver: 'critical-alerts'",
        "    - matchers: ['severity=\"critical\"']\n      receiver: 'warning-alerts'",
        "test_routes[PipelineFailureRate]", None,
        ("is routed to ['warning-alerts']", "the stack intends ['critical-alerts'], judged by the severity_levels",
         "analytics_rules.yml:")),
    "typo in a route matcher": Defect(
        ALERTMANAGER, "    - matchers: ['severity=\"warning\"']", "    - matchers: ['severity=\"warnings\"']",
        "test_severity_routes[warning]", None,  # the route defect itself, which blocks each alert's routing check
        ("severity=warning is routed to ['web.hook'], not to 'warning-alerts'", 'matcher severity="warnings"')),
}


@pytest.mark.parametrize("defect", DEFECTS.values(), ids=DEFECTS.keys())
def test_each_defect_fails_its_check(defect, broken_stack, run_suites):
    stack_dir = broken_stack(defect.file, defect.old, defect.new)

    run = run_suites(stack_dir)

    check = run.check(defect.failing)
    assert check["status"] == "failed", check
    message = check["message"]
    if defect.rule_line_text:
        rules = stack_dir.resolve() / defect.file
        location = f"{rules}:{line_containing(rules, defect.rule_line_text)}"
        assert location in message, f"expected {location} in: {message}"
    for part in defect.message_parts:
        assert part in message, f"expected {part!r} in: {message}"
    run.assert_no_container_started()


def test_the_reference_stack_fails_none_of_these_checks(run_suites):
    from tests.layout import REFERENCE_STACK

    run = run_suites(REFERENCE_STACK)
    for defect in DEFECTS.values():
        assert run.check(defect.failing)["status"] == "passed", defect.failing
