"""No pass that could not have failed: on a run where nothing is fed, no data-dependent check
passes; live, an alert no scenario expects is a finding. Small stacks written for the purpose."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from tests.layout import REFERENCE_STACK
from tests.live_runs import run_suites as run_live
from tests.textfiles import write_text

RULES = """groups:
  - name: queue
    rules:
      - alert: QueueBacklog
        expr: queue_depth > 100
        for: 30s
        labels: {severity: warning}
        annotations: {summary: "queue {{ $labels.queue }} holds {{ $value }} items", description: backlog}
      - alert: QueueBacklogCritical
        expr: queue_depth > 1000
        for: 30s
        labels: {severity: critical}
        annotations: {summary: "queue {{ $labels.queue }} holds {{ $value }} items", description: backlog}
"""


def _queue_stack(tmp_path: Path, depth_firing: float | None, *, live: bool = False, scenarios: bool = True) -> Path:
    """Two rules over queue_depth, scenarios for the warning rule only; with depth None, the
    scenarios feed nothing at all."""
    stack_dir = tmp_path / "queue"
    manifest = {"name": "queue", "prometheus_config": "prometheus/prometheus.yml"}
    if scenarios:
        manifest["scenarios"] = "scenarios"
    if live:
        shutil.copytree(REFERENCE_STACK / "alertmanager", stack_dir / "alertmanager")
        reference = yaml.safe_load((REFERENCE_STACK / "manifest.yml").read_text())
        manifest.update(alertmanager_config="alertmanager/alertmanager.yml",
                        severity_levels=reference["severity_levels"],
                        services={name: reference["services"][name] for name in ("alertmanager", "prometheus")})
    write_text(stack_dir / "manifest.yml", yaml.safe_dump(manifest))
    prometheus = {"global": {"scrape_interval": "5s", "evaluation_interval": "5s"}, "rule_files": ["queue.yml"],
                  "scrape_configs": [{"job_name": "worker", "static_configs": [{"targets": ["worker:9000"]}]}]}
    if live:
        prometheus["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": ["alertmanager:9093"]}]}]}
    write_text(stack_dir / "prometheus" / "prometheus.yml", yaml.safe_dump(prometheus))
    write_text(stack_dir / "prometheus" / "queue.yml", RULES)

    def feeds(depth):
        if depth is None:
            return {}
        return {"worker": [{"series": {"metric": "queue_depth", "labels": {"queue": "orders"}, "value": depth,
                                       "isolate_by": ["queue"]}}]}

    expected = [{"alertname": "QueueBacklog", "labels": {"queue": "orders", "severity": "warning", "job": "worker",
                                                        "instance": "worker:9000"}}]
    found = {
        "QueueBacklog-firing": {"rule": "QueueBacklog", "kind": "firing", "duration": "3m",
                                "feeds": feeds(depth_firing), "expect": {"firing": expected}},
        "QueueBacklog-silent": {"rule": "QueueBacklog", "kind": "silent", "duration": "3m",
                                "feeds": feeds(None if depth_firing is None else 90)},
        "healthy": {"kind": "healthy", "duration": "3m", "feeds": feeds(None if depth_firing is None else 10)},
    }
    for name, scenario in found.items() if scenarios else ():
        write_text(stack_dir / "scenarios" / f"{name}.yml", yaml.safe_dump({"description": name, **scenario}))
    return stack_dir


def _unexpected_virtual(run, rule: str) -> dict:
    found = [c for c in run.report["checks"]
             if c["check"] == "fires only where a scenario expects it (virtual time)" and c["subject"] == rule]
    assert len(found) == 1, run.result.stdout.str()[-3000:]
    return found[0]


def test_on_a_run_that_feeds_nothing_no_data_dependent_check_passes(tmp_path, run_suites):
    run = run_suites(_queue_stack(tmp_path, None))

    warning = [c for c in run.report["checks"] if c["subject"] == "QueueBacklog" and "(virtual time)" in c["check"]]
    assert warning, run.result.stdout.str()
    passed = [c["check"] for c in warning if c["status"] == "passed"]
    assert not passed, f"passed with nothing fed: {passed}"
    by_check = {c["check"]: c for c in warning}
    assert by_check["fires (virtual time)"]["status"] == "failed"
    for name in ("silent below threshold (virtual time)", "silent on a healthy day (virtual time)",
                 "for duration honoured (virtual time)", "annotations render (virtual time)"):
        assert by_check[name]["status"] == "not applicable", by_check[name]
        assert by_check[name]["message"], by_check[name]
    summary = run.report["summary"]["all"]
    assert summary["not applicable"] >= 4, summary


def test_the_same_stack_fed_passes_those_checks(tmp_path, run_suites):
    run = run_suites(_queue_stack(tmp_path, 500))

    checks = {c["check"]: c for c in run.report["checks"] if c["subject"] == "QueueBacklog"}
    for name in ("fires (virtual time)", "silent below threshold (virtual time)", "silent on a healthy day (virtual time)",
                 "for duration honoured (virtual time)", "annotations render (virtual time)"):
        assert checks[name]["status"] == "passed", checks[name]
    # The critical twin ran in the warning rule's scenarios (they feed queue_depth) and stayed quiet.
    twin = _unexpected_virtual(run, "QueueBacklogCritical")
    assert twin["status"] == "passed", twin
    assert twin["evidence"]["scenarios that ran it"] == ["QueueBacklog-firing.yml", "QueueBacklog-silent.yml"], twin


def test_an_alert_no_scenario_expects_is_a_finding_in_virtual_time(tmp_path, run_suites):
    # depth 5000 fires the warning rule (expected) and its critical twin, which the scenario does not list.
    run = run_suites(_queue_stack(tmp_path, 5000))

    twin = _unexpected_virtual(run, "QueueBacklogCritical")
    assert twin["status"] == "failed", twin
    assert "QueueBacklog-firing.yml" in twin["message"] and "severity" in twin["message"], twin["message"]
    assert "QueueBacklog-silent.yml" not in twin["message"], twin["message"]  # 90 is below both thresholds
    # The warning rule itself ran in no other rule's hand-written scenario: nothing could have fired it.
    own = _unexpected_virtual(run, "QueueBacklog")
    assert own["status"] == "not applicable", own


def test_an_alert_no_scenario_expects_is_a_finding_live(tmp_path, engine):
    # depth 5000 fires the warning rule (expected) and the critical one, which no scenario expects.
    stack_dir = _queue_stack(tmp_path, 5000, live=True)

    run = run_live(stack_dir, tmp_path / "report", "-k", "test_alerts_live or test_live_smoke")

    checks = {(c["check"], c["subject"]): c for c in run.report["checks"]}
    unexpected = checks[("fires only where a scenario expects it (live)", "QueueBacklogCritical")]
    assert unexpected["status"] == "failed", unexpected
    assert "QueueBacklogCritical" in unexpected["message"] and "orders@QueueBacklog-firing" in unexpected["message"]
    expected = checks[("fires only where a scenario expects it (live)", "QueueBacklog")]
    assert expected["status"] == "passed", expected
    assert checks[("fires (live)", "QueueBacklog")]["status"] == "passed", checks[("fires (live)", "QueueBacklog")]


def test_derived_scenarios_run_live_end_to_end(tmp_path, engine):
    # No hand-written scenario: both rules are fed live on their derived inputs, kept apart by the
    # queue label, and each fires, is notified and stays silent on its near miss.
    # A panel over a metric nothing fed live returns nothing: that proves nothing, and it says which.
    stack_dir = _with_dashboard(_queue_stack(tmp_path, None, live=True, scenarios=False), "max(worker_busy_ratio)")

    run = run_live(stack_dir, tmp_path / "report", "-k",
                   "test_alerts_live or test_live_smoke or test_alerts_virtual or test_dashboards_live")

    checks = {(c["check"], c["subject"]): c for c in run.report["checks"]}
    for rule in ("QueueBacklog", "QueueBacklogCritical"):
        for name in ("fires (live)", "notification delivered (live)", "silent below threshold (live)",
                     "fires only where a scenario expects it (live)"):
            assert checks[(name, rule)]["status"] == "passed", checks[(name, rule)]
        assert "derived" in str(checks[("fires (virtual time)", rule)]["evidence"]), checks[("fires (virtual time)", rule)]
    assert {e["source"] for e in run.report["coverage"]} == {"derived"}
    blind = checks[("panel returns data (live)", "Queue/Depth")]
    assert blind["status"] == "not applicable" and (
        "metric worker_busy_ratio is not in the live Prometheus" in blind["message"]), blind


# Judged from the configuration alone: each could fail on this input, whatever was fed.
CONFIGURATION_CHECKS = {
    "expression parses", "promtool check rules", "promtool check config", "rule file exists", "file valid",
    "severity label", "summary and description", "every scenario names a rule of the stack",
    "has firing and silent scenarios", "some input makes it fire", "routes to the intended receiver",
    "amtool check-config", "severity routes to an existing receiver", "provisions as written",
    "datasource resolves", "template variables defined", "unit matches what the query yields",
    "thresholds ordered", "panel type current", "legend names labels the query keeps",
}
UNDERIVABLE = """      - alert: QueuePairsOdd
        expr: count(queue_depth) % 2 == 1
        labels: {severity: warning}
        annotations: {summary: odd number of queues, description: pairs}
      - alert: NoQueueCounted
        expr: count(queue_depth) == 0
        labels: {severity: warning}
        annotations: {summary: no queue, description: count() is never 0}
"""


def _with_dashboard(stack_dir: Path, expr: str = "max by (queue) (queue_depth)") -> Path:
    """A dashboard of one panel, 'Queue/Depth', on the stack as written."""
    shutil.copytree(REFERENCE_STACK / "grafana" / "provisioning", stack_dir / "grafana" / "provisioning")
    board = {"uid": "queue", "title": "Queue", "schemaVersion": 39, "time": {"from": "now-1h", "to": "now"},
             "panels": [{"id": 1, "title": "Depth", "type": "timeseries", "datasource": {"type": "prometheus", "uid": "prometheus"},
                         "targets": [{"refId": "A", "expr": expr, "legendFormat": "{{queue}}"}]}]}
    write_text(stack_dir / "grafana" / "dashboards" / "queue.json", json.dumps(board, indent=2))
    manifest = yaml.safe_load((stack_dir / "manifest.yml").read_text())
    manifest["grafana"] = {"dashboards": "grafana/dashboards", "datasources": "grafana/provisioning/datasources"}
    write_text(stack_dir / "manifest.yml", yaml.safe_dump(manifest))
    return stack_dir


def _with_blind_dashboard(stack_dir: Path) -> Path:
    """A dashboard over the queue, and a rule derivation finds no input for (one series per
    selector: a count of series is never 2), on the stack as written."""
    rules = stack_dir / "prometheus" / "queue.yml"
    rules.write_text(rules.read_text() + UNDERIVABLE)
    return _with_dashboard(stack_dir)


def test_no_check_passes_on_an_empty_run(tmp_path, run_suites):
    # Hand-written scenarios that feed nothing, a panel over a metric no declared source produces,
    # a rule no input was derived for: whatever passes must be judged from configuration alone.
    run = run_suites(_with_blind_dashboard(_queue_stack(tmp_path, None, live=True)))

    starved = [c for c in run.report["checks"] if c["subject"] in ("QueueBacklog", "QueuePairsOdd", "Queue/Depth")]
    assert {c["subject"] for c in starved} == {"QueueBacklog", "QueuePairsOdd", "Queue/Depth"}, run.result.stdout.str()
    passed = sorted({c["check"] for c in starved if c["status"] == "passed"} - CONFIGURATION_CHECKS)
    assert not passed, f"passed with nothing fed: {passed}"
    by_check = {(c["check"], c["subject"]): c for c in starved}
    routed = by_check[("routes to the intended receiver", "QueuePairsOdd")]
    assert routed["status"] == "not applicable" and "has firing and silent scenarios" in routed["message"], routed
    # A rule no input can fire: one finding, with the reason; its missing scenarios are no second one.
    never = {c["check"]: c for c in run.report["checks"] if c["subject"] == "NoQueueCounted"}
    assert never["some input makes it fire"]["status"] == "failed", never["some input makes it fire"]
    assert never["has firing and silent scenarios"]["status"] == "not applicable", never["has firing and silent scenarios"]
    produced = by_check[("metrics produced by the stack", "Queue/Depth")]
    assert produced["status"] == "not applicable" and "queue_depth" in produced["message"], produced


def test_a_panel_over_a_fed_metric_and_one_over_a_typo(tmp_path, run_suites):
    # The same dashboard once the scenarios feed queue_depth: the check now could fail, and does on a typo.
    stack_dir = _with_blind_dashboard(_queue_stack(tmp_path, 500))
    board = json.loads((stack_dir / "grafana" / "dashboards" / "queue.json").read_text())
    board["panels"].append({**board["panels"][0], "id": 2, "title": "Typo",
                            "targets": [{"refId": "A", "expr": "max(queue_dpth)"}]})
    write_text(stack_dir / "grafana" / "dashboards" / "queue.json", json.dumps(board, indent=2))

    run = run_suites(stack_dir)

    checks = {c["subject"]: c for c in run.report["checks"] if c["check"] == "metrics produced by the stack"}
    assert checks["Queue/Depth"]["status"] == "passed", checks["Queue/Depth"]
    assert checks["Queue/Typo"]["status"] == "failed" and "queue_dpth" in checks["Queue/Typo"]["message"], checks


def test_a_recording_rule_s_inputs_are_produced_even_where_no_alert_reads_it(tmp_path, run_suites):
    stack_dir = _queue_stack(tmp_path, 500)
    rules = stack_dir / "prometheus" / "queue.yml"
    rules.write_text(rules.read_text() + """  - name: queue_recordings
    rules:
      - record: queue:depth:max
        expr: max by (queue) (queue_depth)
      - record: queue:depth:sum
        expr: sum by (queue) (queue_dpth)
""")

    run = run_suites(stack_dir)

    checks = {c["subject"]: c for c in run.report["checks"] if c["check"] == "reads only metrics the stack produces"}
    assert checks["queue:depth:max"]["status"] == "passed", checks["queue:depth:max"]
    typo = checks["queue:depth:sum"]
    assert typo["status"] == "failed" and "queue_dpth" in typo["message"], typo
    assert typo["location"]["line"] == 18 and typo["location"]["file"].endswith("queue.yml"), typo["location"]
