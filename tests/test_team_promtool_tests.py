"""The team's own promtool tests (the manifest's promtool_tests) run as checks, one per test group:
the Thanos mixin's tests.yaml passes as its authors wrote it; a broken test of our own fails at the
line of the assertion promtool reports, while the other group of its file still passes."""

from __future__ import annotations

import yaml

from tests.real_stacks import build_thanos_stack
from tests.textfiles import line_containing, write_text

BROKEN = """rule_files:
  - alerts.yaml

evaluation_interval: 1m

tests:
  - name: a healthy sidecar stays silent
    interval: 1m
    input_series:
      - series: 'thanos_sidecar_prometheus_up{namespace="production", job="thanos-sidecar", instance="s-0", pod="p-0"}'
        values: '1x20'
    alert_rule_test:
      - eval_time: 10m
        alertname: ThanosSidecarNoConnectionToStartedPrometheus
  - name: a wrong expectation
    interval: 1m
    input_series:
      - series: 'thanos_sidecar_prometheus_up{namespace="production", job="thanos-sidecar", instance="s-0", pod="p-0"}'
        values: '1x20'
    alert_rule_test:
      - eval_time: 5m
        alertname: ThanosSidecarNoConnectionToStartedPrometheus
      - eval_time: 10m
        alertname: ThanosSidecarNoConnectionToStartedPrometheus
        exp_alerts:
          - exp_labels: {severity: critical, job: thanos-sidecar}
"""


def test_each_test_group_of_the_teams_promtool_tests_is_a_check(tmp_path, run_suites):
    stack_dir = build_thanos_stack(tmp_path / "thanos")
    broken = stack_dir / "prometheus" / "broken.test.yml"
    write_text(broken, BROKEN)
    manifest = yaml.safe_load((stack_dir / "manifest.yml").read_text())
    write_text(stack_dir / "manifest.yml", yaml.safe_dump(
        {**manifest, "promtool_tests": ["prometheus/tests.yaml", "prometheus/broken.test.yml", "prometheus/gone.yml"]}))

    run = run_suites(stack_dir, 300, "-k", "test_team_promtool_test")

    checks = {c["subject"]: c for c in run.report.get("checks", []) if c["check"] == "the team's promtool test passes"}
    thanos = [c for s, c in checks.items() if s.startswith("prometheus/tests.yaml")]
    assert len(thanos) == 2 and all(c["status"] == "passed" for c in thanos), (checks, run.result.stdout.str())
    assert checks["prometheus/broken.test.yml/a healthy sidecar stays silent"]["status"] == "passed", checks
    wrong = checks["prometheus/broken.test.yml/a wrong expectation"]
    expectation = line_containing(broken, "exp_labels: {severity: critical") - 3  # its "- eval_time: 10m"
    assert wrong["status"] == "failed" and wrong["location"]["line"] == expectation, wrong
    assert wrong["location"]["file"] == "prometheus/broken.test.yml", wrong
    assert f"broken.test.yml:{expectation}" in wrong["message"], wrong["message"]
    gone = checks["prometheus/gone.yml:1"]
    assert gone["status"] == "failed" and "no such file" in gone["message"], gone
