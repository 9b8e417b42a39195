"""Rules are told apart by file, group and position, not by name (issue 12, item 4): a
warning/critical pair sharing a name in one group is checked, fired and routed each with its own
labels, scenarios name one of the pair by its labels, and a scenario about a rule the stack does
not have fails with its file and line. A small stack written for the purpose, run statically."""

from __future__ import annotations

from ast import literal_eval
from pathlib import Path

import yaml

from tests.layout import REFERENCE_STACK
from tests.textfiles import write_text

RULES = """groups:
  - name: queue
    rules:
      - alert: QueueBacklog
        expr: queue_depth > 100
        labels: {severity: warning}
        annotations: {summary: "queue {{ $labels.queue }} is behind", description: backlog}
      - alert: QueueBacklog
        expr: queue_depth > 1000
        labels: {severity: critical}
        annotations: {summary: "queue {{ $labels.queue }} is far behind", description: backlog}
"""
WARNING, CRITICAL = "queue/QueueBacklog#1", "queue/QueueBacklog#2"


def _alert(severity: str) -> dict:
    return {"alertname": "QueueBacklog",
            "labels": {"queue": "orders", "severity": severity, "job": "worker", "instance": "worker:9000"}}


def _scenario(severity: str, kind: str, depth: float, *also: str, rule: str = "QueueBacklog") -> dict:
    scenario = {"description": f"{severity} {kind}", "rule": rule, "rule_labels": {"severity": severity},
                "kind": kind, "duration": "2m",
                "feeds": {"worker": [{"series": {"metric": "queue_depth", "labels": {"queue": "orders"}, "value": depth}}]}}
    firing = ([severity] if kind == "firing" else []) + list(also)
    if firing:
        scenario["expect"] = {"firing": [_alert(s) for s in firing]}
    return scenario


SCENARIOS = {
    "warning-firing": _scenario("warning", "firing", 500),
    "warning-silent": _scenario("warning", "silent", 90),
    # 5000 raises both: the critical scenario lists its warning twin, or it would be unexpected.
    "critical-firing": _scenario("critical", "firing", 5000, "warning"),
    "critical-silent": _scenario("critical", "silent", 500, "warning"),
    "pager-firing": _scenario("page", "firing", 5000),  # no rule QueueBacklog has severity: page
    "gone-firing": _scenario("warning", "firing", 5000, rule="QueueGone"),
}


def _pair_stack(tmp_path: Path) -> Path:
    stack_dir = tmp_path / "pair"
    reference = yaml.safe_load((REFERENCE_STACK / "manifest.yml").read_text())
    manifest = {"name": "a warning/critical pair", "prometheus_config": "prometheus/prometheus.yml",
                "alertmanager_config": "alertmanager/alertmanager.yml", "scenarios": "scenarios",
                "severity_levels": reference["severity_levels"]}
    write_text(stack_dir / "manifest.yml", yaml.safe_dump(manifest))
    write_text(stack_dir / "alertmanager" / "alertmanager.yml",
               (REFERENCE_STACK / "alertmanager" / "alertmanager.yml").read_text())
    for secret in (REFERENCE_STACK / "alertmanager" / "secrets").iterdir():
        write_text(stack_dir / "alertmanager" / "secrets" / secret.name, secret.read_text())
    write_text(stack_dir / "prometheus" / "prometheus.yml", yaml.safe_dump({
        "global": {"scrape_interval": "15s", "evaluation_interval": "15s"}, "rule_files": ["queue.yml"],
        "scrape_configs": [{"job_name": "worker", "static_configs": [{"targets": ["worker:9000"]}]}]}))
    write_text(stack_dir / "prometheus" / "queue.yml", RULES)
    for name, scenario in SCENARIOS.items():
        write_text(stack_dir / "scenarios" / f"{name}.yml", yaml.safe_dump(scenario, sort_keys=False))
    return stack_dir


def test_a_pair_sharing_a_name_is_fired_and_routed_each_with_its_own_labels(tmp_path, run_suites):
    run = run_suites(_pair_stack(tmp_path))
    checks = {(c["check"], c["subject"]): c for c in run.report["checks"]}
    assert checks, run.result.stdout.str()[-3000:]

    for subject, severity, receiver in ((WARNING, "warning", "warning-alerts"), (CRITICAL, "critical", "critical-alerts")):
        fired = checks[("fires (virtual time)", subject)]
        assert fired["status"] == "passed", fired
        routed = checks[("routes to the intended receiver", subject)]
        assert routed["status"] == "passed", routed
        # Only the rule's own label set is routed under its name: the critical rule is never judged
        # by its warning twin's labels.
        assert [literal_eval(labels)["severity"] for labels in routed["evidence"]] == [severity], routed["evidence"]
        assert {r["routed to"][0] for r in routed["evidence"].values()} == {receiver}, routed["evidence"]
        assert checks[("silent below threshold (virtual time)", subject)]["status"] == "passed"
    # The warning twin ran in the critical scenarios, which list it: expected, so no finding.
    assert checks[("fires only where a scenario expects it (virtual time)", WARNING)]["status"] == "passed"


def test_a_scenario_about_a_rule_the_stack_does_not_have_fails_at_its_line(tmp_path, run_suites):
    run = run_suites(_pair_stack(tmp_path))

    orphans = [c for c in run.report["checks"] if c["check"] == "every scenario names a rule of the stack"]
    assert len(orphans) == 1 and orphans[0]["status"] == "failed", orphans
    message = orphans[0]["message"]
    assert "pager-firing.yml:2: rule 'QueueBacklog' with labels {'severity': 'page'}" in message, message
    assert "gone-firing.yml:2: rule 'QueueGone'" in message, message
    assert "warning-firing.yml" not in message and "critical-firing.yml" not in message, message
