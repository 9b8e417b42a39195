"""``keep_firing_for`` is read and honoured wherever the harness judges firing and resolution: in
virtual time the rule is evaluated with it (the harness's own copy of the rule keeps it), the
``for`` check expects the alert to go on firing that long after its condition clears, and the live
watch waits that long for a resolution, or says why it cannot."""

from pathlib import Path

import yaml

from fixtures.model.rules import AlertRule, load_alert_rules
from fixtures.model.stack import Stack
from fixtures.scenarios import alert_watch
from fixtures.scenarios.suite import ScenarioSet, run_virtual
from fixtures.validation import Validation
from tests.textfiles import write_text

RULES = """\
groups:
- name: queue
  rules:
  - alert: QueueBacklog
    expr: queue_depth > 10
    for: 1m
    keep_firing_for: 5m
    labels: {severity: warning}
"""
# The backlog clears at 4m: the alert fired at 1m goes on firing until 5m after the first
# evaluation that found it clear (4m), so at 9m it stops.
FEEDS = {"worker": [{"series": {"metric": "queue_depth", "steps": {"0s": 50, "4m": 0}}}]}
ALERT = {"alertname": "QueueBacklog", "labels": {"severity": "warning", "job": "worker", "instance": "worker:9000"}}


def _stack(tmp_path: Path) -> Path:
    stack_dir = tmp_path / "queue"
    write_text(stack_dir / "manifest.yml", yaml.safe_dump({"name": "queue", "scenarios": "scenarios",
                                                            "prometheus_config": "prometheus/prometheus.yml"}))
    write_text(stack_dir / "prometheus" / "prometheus.yml", yaml.safe_dump({
        "global": {"scrape_interval": "15s", "evaluation_interval": "15s"}, "rule_files": ["queue.yml"],
        "scrape_configs": [{"job_name": "worker", "static_configs": [{"targets": ["worker:9000"]}]}]}))
    write_text(stack_dir / "prometheus" / "queue.yml", RULES)
    scenarios = {
        "QueueBacklog-firing": {"rule": "QueueBacklog", "kind": "firing", "duration": "7m", "feeds": FEEDS,
                                "expect": {"firing": [ALERT]}},
        "QueueBacklog-silent": {"rule": "QueueBacklog", "kind": "silent", "duration": "11m", "feeds": FEEDS},
    }
    for name, scenario in scenarios.items():
        write_text(stack_dir / "scenarios" / f"{name}.yml", yaml.safe_dump({"description": name, **scenario}))
    return stack_dir


def test_keep_firing_for_is_read_and_written_back(tmp_path):
    rule = load_alert_rules(write_text(tmp_path / "queue.yml", RULES))[0]
    assert rule.keep_firing_for == "5m" and rule.keep_firing_s == 300.0
    assert rule.as_config()["keep_firing_for"] == "5m"
    assert "keep_firing_for" not in AlertRule("A", "g", Path("r.yml"), 1, "x > 1", 1).as_config()


def test_virtual_time_keeps_the_alert_firing_after_its_condition_clears_and_judges_for_by_it(tmp_path):
    stack = Stack.load(_stack(tmp_path))
    rule = load_alert_rules(stack.root / "prometheus" / "queue.yml")[0]
    timelines = run_virtual(stack, ScenarioSet.load(stack, Validation(stack), derive=False), tmp_path / "virtual")
    kept, resolved = timelines["QueueBacklog-firing"], timelines["QueueBacklog-silent"]
    assert kept.error is None and resolved.error is None, (kept.error, resolved.error)
    # Still firing at 7m, three minutes after the backlog cleared: the rule keeps firing for 5m.
    assert [a.labels for a in kept.alerts("QueueBacklog", kept.end)] == [{"alertname": "QueueBacklog", **ALERT["labels"]}], kept.firing.get(kept.end)
    fired = resolved.fired_times("QueueBacklog")
    assert fired[0] == 60.0 and fired[-1] == 525.0, fired  # fired at 1m, the last evaluation before 9m
    # ... and the for check, which follows Prometheus's state machine, finds it as it should be.
    assert kept.for_violations(rule) == [] and resolved.for_violations(rule) == []
    no_keep = AlertRule(rule.name, rule.group, rule.file, rule.line, rule.expr, rule.expr_line, rule.for_, rule.labels)
    assert any("fired (condition not held" in v for v in resolved.for_violations(no_keep))


def test_the_live_watch_waits_out_a_short_keep_firing_for_and_says_why_not_a_long_one():
    short = AlertRule("A", "g", Path("r.yml"), 1, "x > 1", 1, keep_firing_for="1m")
    long = AlertRule("B", "g", Path("r.yml"), 9, "x > 1", 9, keep_firing_for="1h")
    assert alert_watch.unresolvable_in_run(short, real_time=False) is None
    why = alert_watch.unresolvable_in_run(long, real_time=False)
    assert why and "keeps firing for 1h after its condition clears (keep_firing_for)" in why, why
    assert alert_watch.unresolvable_in_run(long, real_time=True) is None


def test_the_live_watch_counts_the_windows_of_the_recording_rules_a_rule_reads_before_awaiting_its_resolution():
    """A burn-rate alert reads no range itself, but the recording rule it reads looks an hour back:
    ending its scenario, the live run would wait in vain for it to resolve (a false failure on the
    kube-prometheus stack's KubeAPIErrorBudgetBurn)."""
    from fixtures.model.rules import RecordingRule

    burn = AlertRule("ErrorBudgetBurn", "g", Path("r.yml"), 1, "job:burn:rate1h > 0.01", 1)
    recorded = [RecordingRule("job:burn:rate1h", "g", Path("r.yml"), 5, "sum by (job) (rate(errors_total[1h]))")]
    assert alert_watch.unresolvable_in_run(burn, real_time=False) is None  # alone, it reads no window
    why = alert_watch.unresolvable_in_run(burn, real_time=False, recording=recorded)
    assert why and "looks back 3600s (through the recording rules it reads)" in why, why
