"""Virtual time is deterministic: every promtool test the harness writes fixes the order in which
its rule groups are evaluated (fixtures/promtool/calls.evaluation_order), recording groups before
the groups reading them, so identical inputs give identical timelines, every run."""

from pathlib import Path

import yaml

from fixtures.model.stack import Stack
from fixtures.promtool.documents import evaluation_order
from fixtures.scenarios.suite import ScenarioSet, run_virtual
from fixtures.validation import Validation
from tests.textfiles import write_text

# The recording rule in one group, the alert reading it in another: evaluated before its input,
# the alert sees the last step's value, and its condition starts one step (15 s) later.
RULES = """\
groups:
- name: alerts
  rules:
  - alert: ErrorsHigh
    expr: job:errors:rate1m > 1
    for: 10m
    labels: {severity: warning}
- name: recording
  rules:
  - record: job:errors:rate1m
    expr: sum without (instance) (rate(errors_total[1m]))
"""


def _stack(tmp_path: Path) -> Path:
    stack_dir = tmp_path / "errors"
    write_text(stack_dir / "manifest.yml", yaml.safe_dump({"name": "errors", "scenarios": "scenarios",
                                                            "prometheus_config": "prometheus/prometheus.yml"}))
    write_text(stack_dir / "prometheus" / "prometheus.yml", yaml.safe_dump({
        "global": {"scrape_interval": "15s", "evaluation_interval": "15s"}, "rule_files": ["errors.yml"],
        "scrape_configs": [{"job_name": "api", "static_configs": [{"targets": ["api:9000"]}]}]}))
    write_text(stack_dir / "prometheus" / "errors.yml", RULES)
    feeds = {"api": [{"series": {"metric": "errors_total", "rate": 2}}]}
    # It fires at 10m45s if the recording rule is evaluated first at each step, at 11m if not:
    # the scenario ends at the first, as a scenario written down to the step would.
    firing = {"rule": "ErrorsHigh", "kind": "firing", "duration": "10m45s", "feeds": feeds,
              "expect": {"firing": [{"alertname": "ErrorsHigh", "labels": {"severity": "warning", "job": "api"}}]}}
    # A whole-stack scenario runs the rule file as written, its two groups as the stack has them.
    healthy = {"kind": "healthy", "duration": "10m45s", "feeds": feeds}
    for name, scenario in (("ErrorsHigh-firing", firing), ("healthy", healthy)):
        write_text(stack_dir / "scenarios" / f"{name}.yml", yaml.safe_dump({"description": name, **scenario}))
    return stack_dir


def _seen(timelines) -> dict:
    return {name: (t.error, {at: sorted((a.alertname, sorted(a.labels.items())) for a in alerts)
                             for at, alerts in t.firing.items()}) for name, t in timelines.items()}


def test_groups_are_ordered_recording_before_readers_and_every_group_is_listed():
    groups = [
        {"name": "alerts", "rules": [{"alert": "A", "expr": "b:rate > 1"}, {"alert": "B", "expr": "c > 1"}]},
        {"name": "second", "rules": [{"record": "b:rate", "expr": "a:sum * 2"}]},
        {"name": "first", "rules": [{"record": "a:sum", "expr": "sum(a)"}]},
        {"name": "unrelated", "rules": [{"alert": "U", "expr": "u > 1"}]},
        {"name": "on-alerts", "rules": [{"alert": "Meta", "expr": 'ALERTS{alertname="A"}'}]},
        {"name": "first", "rules": [{"record": "x", "expr": "y"}]},  # same name in another file: one place
    ]
    assert evaluation_order(groups) == ["first", "second", "alerts", "unrelated", "on-alerts"]
    # A cycle is broken at the group given first, and every group is still listed once.
    cycle = [{"name": "p", "rules": [{"record": "p", "expr": "q"}]}, {"name": "q", "rules": [{"record": "q", "expr": "p"}]}]
    assert evaluation_order(cycle) == ["p", "q"]
    assert evaluation_order(list(reversed(cycle))) == ["q", "p"]


def test_virtual_time_gives_identical_timelines_run_after_run(tmp_path):
    stack = Stack.load(_stack(tmp_path))
    scenarios = ScenarioSet.load(stack, Validation(stack))
    assert {s.source for s in scenarios.scenarios} == {"handwritten", "derived"}  # both writers run
    runs = [_seen(run_virtual(stack, scenarios, tmp_path / f"run{n}")) for n in range(20)]
    assert all(run == runs[0] for run in runs), [n for n, run in enumerate(runs) if run != runs[0]]
    # Evaluated recording first: the condition holds from 45 s (a rate over 1m of a counter from 0
    # reads 1.5/s there), and the alert fires at 10m45s.
    for scenario in ("ErrorsHigh-firing", "healthy"):
        error, firing = runs[0][scenario]
        assert error is None and _first(firing, "ErrorsHigh__condition") == 45.0, (scenario, firing)
        assert _first(firing, "ErrorsHigh") == 645.0, (scenario, firing)


def _first(firing: dict, alertname: str) -> float | None:
    return min((t for t, alerts in firing.items() if any(name == alertname for name, _ in alerts)), default=None)
