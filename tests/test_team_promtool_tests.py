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


def test_a_misspelt_tests_key_is_named_at_its_own_line(tmp_path):
    from fixtures.promtool.team_tests import test_groups

    path = write_text(tmp_path / "broken.test.yml", BROKEN.replace("\ntests:", "\ntest:  # misspelt"))
    (group,) = test_groups([path])
    assert "unknown key 'test'" in group.error.problem and group.error.line == line_containing(path, "# misspelt"), group.error


def test_an_input_series_promtool_cannot_parse_is_named_at_its_values(tmp_path):
    """promtool's '1:15: parse error: unexpected "x"' is a position in one input series written
    'SERIES VALUES' (here the second), not in the file: the values of that series, at their line."""
    from fixtures.promtool.team_tests import failed_lines, run_group, test_groups

    rules = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n"
    write_text(tmp_path / "alerts.yaml", rules)
    series = "      - series: 'up{job=\"b\"}'\n        values: '1x20'\n"
    text = BROKEN.replace("        values: '1x20'\n", "        values: '1x20'\n" + series, 1).replace(
        "values: '1x20'\n    alert_rule_test:\n      - eval_time: 10m", "values: '1 x20'\n    alert_rule_test:\n"
        "      - eval_time: 10m", 1)
    path = write_text(tmp_path / "broken.test.yml", text)
    group = test_groups([path])[0]
    result = run_group(group, tmp_path / "run")
    assert not result.ok and "parse error" in result.output, result.output
    assert failed_lines(group, result.output) == [line_containing(path, "values: '1 x20'")], result.output
