"""The third campaign's semantic classes (fixtures/semantics/) on small files written for the
purpose: each finding at its own line, naming its cause, and the valid counterpart of each found
nothing in."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from fixtures.model.configfiles import LineMap, load_yaml
from fixtures.model.rules import AlertRule
from fixtures.references import _not_a_url
from fixtures.scenarios.model import load_scenario
from fixtures.semantics.alertmanager import never_equal
from fixtures.semantics.expressions import rule_meanings
from fixtures.semantics.labels import alert_shapes
from fixtures.semantics.prometheus import slow_groups, unloaded_rule_files
from fixtures.semantics.scenarios import contradictions, expected_labels_uncarried, falling_counters, vacuous_silences
from fixtures.semantics.windows import Window, short_windows


def _write(tmp_path: Path, name: str, text: str) -> tuple[Path, LineMap]:
    path = tmp_path / name
    path.write_text(text)
    return path, load_yaml(path)


def _rule(name: str, expr: str, line: int = 1, **labels) -> AlertRule:
    return AlertRule(name, "g", Path("rules.yml"), line, expr, line, labels=labels)


def test_expressions_that_mean_nothing_are_found_at_their_expression(tmp_path):
    path, document = _write(tmp_path, "rules.yml", (
        "groups:\n  - name: g\n    rules:\n"
        "      - alert: A\n        expr: histogram_quantile(95, sum by (le) (rate(h_bucket[5m]))) > 1\n"
        "      - alert: B\n        expr: quantile(-0.5, x) > 1\n"
        "      - alert: C\n        expr: sum by (p) (a) / on(job) sum by (p) (b) > 0.1\n"
        "      - alert: D\n        expr: sum by (p) (a) / on(s) sum by (p, s) (b) > 0.1\n"
        "      - alert: E\n        expr: histogram_quantile(0.95, sum by (le) (rate(h_bucket[5m]))) > 1\n"
        "        labels: {severity: warning}\n"
        "      - alert: F\n        expr: sum by (p) (a) / on(p) sum by (p, s) (b) > 0.1 and on() vector(1)\n"
        "      - alert: E\n        expr: histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m]))) > 1\n"
        "        labels: {severity: warning}\n"
        "      - alert: E\n        expr: x > 1\n        labels: {severity: critical}\n"))
    found = rule_meanings(path, document, {})
    assert [(e.line, e.problem.split(":")[0]) for e in found] == [
        (5, "alert 'A'"), (7, "alert 'B'"), (9, "alert 'C'"), (11, "alert 'D'"),
        (17, "alert 'E' is defined twice in this file with the same labels {'severity'")]
    assert "+Inf" in found[0].problem and "-Inf" in found[1].problem
    assert "either side" in found[2].problem
    assert "left side keeps only ['p']" in found[3].problem and "never match" in found[3].problem
    assert "first at line 12" in found[4].problem


def test_short_windows_blame_the_rule_or_the_scrape_interval(tmp_path):
    path, config = _write(tmp_path, "prometheus.yml", (
        "global:\n  scrape_interval: 10m\n"
        "scrape_configs:\n  - job_name: api\n    scrape_interval: 30s\n  - job_name: node\n"))
    quick, slow = _rule("Quick", "rate(a[20s]) > 0", line=4), _rule("Slow", "rate(a[5m]) > 0", line=9)
    node = _rule("Cpu", "rate(cpu[5m]) > 0", line=14)
    windows = [Window(quick, "rate(a[20s])", 20, ("api",)), Window(slow, "rate(a[5m])", 300, ("api",)),
               Window(node, "rate(cpu[5m])", 300, ("node",))]
    found = short_windows(path, config, windows)
    (of_rule,) = found.of_rules
    assert of_rule.line == 4 and "looks back 20s, less than two scrapes of job 'api'" in of_rule.problem
    (of_interval,) = found.of_intervals
    assert of_interval.line == 2 and "scrape_interval 10m" in of_interval.problem and "'Cpu'" in of_interval.problem
    assert found.starved == {(node.file, 14): of_interval}
    valid = short_windows(path, config, [windows[1]])
    assert not valid.of_rules and not valid.of_intervals


def test_a_group_evaluated_less_often_than_a_for_is_found_at_its_interval(tmp_path):
    path, document = _write(tmp_path, "rules.yml", (
        "groups:\n  - name: slow\n    interval: 5m\n    rules:\n      - alert: A\n        expr: x > 1\n"
        "        for: 1m\n      - alert: B\n        expr: x > 2\n"
        "  - name: quick\n    interval: 30s\n    rules:\n      - alert: C\n        expr: x > 1\n        for: 1m\n"))
    (found,) = slow_groups(path, document)
    assert found.line == 3 and "A (for: 1m)" in found.problem and "B" not in found.problem


def test_a_rule_file_rule_files_leaves_out_is_found_at_its_first_line(tmp_path):
    loaded, _ = _write(tmp_path, "loaded.yml", "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: x\n")
    left, _ = _write(tmp_path, "left.yml", "groups:\n  - name: g\n    rules:\n      - alert: Left\n        expr: x\n")
    _write(tmp_path, "web.yml", "http_server_config:\n  http2: true\n")  # not a rule file
    (found,) = unloaded_rule_files(tmp_path, {loaded.resolve()}, "prometheus.yml:6")
    assert (found.path, found.line) == (left, 1) and "Left" in found.problem and "prometheus.yml:6" in found.problem


def test_inhibit_equal_labels_no_source_and_target_share(tmp_path):
    rules = [_rule("Failing", "sum by (p) (a) > 1", severity="critical"),
             _rule("Slow", "sum by (p) (b) > 1", severity="warning")]
    path, config = _write(tmp_path, "alertmanager.yml", (
        "inhibit_rules:\n"
        "  - source_matchers: ['severity=\"critical\"']\n    target_matchers: ['severity=\"warning\"']\n"
        "    equal: [alertname]\n"
        "  - source_matchers: ['severity=\"critical\"']\n    target_matchers: ['severity=\"warning\"']\n"
        "    equal: [p, severity]\n"
        "  - source_matchers: ['severity=\"critical\"']\n    target_matchers: ['severity=\"warning\"']\n"
        "    equal: [p]\n"))
    found = never_equal(path, config, alert_shapes(rules))
    assert [(e.line, "alertname" in e.problem) for e in found] == [(4, True), (7, False)]
    assert "equal severity" in found[1].problem


def test_a_url_secret_that_is_not_a_url_is_found_without_its_value(tmp_path):
    secret = tmp_path / "webhook"
    secret.write_text("hooks.example/T0/B0/Canary42\n")
    (found,) = _not_a_url(secret, "alertmanager.yml:45", "api_url_file", "Alertmanager")
    assert (found.line, found.path) == (1, secret) and "Canary42" not in str(found) and "no scheme" in found.problem
    secret.write_text("  https://hooks.example/T0/B0/Canary42\n")
    assert _not_a_url(secret, "alertmanager.yml:45", "api_url_file", "Alertmanager") == []


def _scenario(tmp_path: Path, text: str):
    path, document = _write(tmp_path, "X-firing.yml", text)
    return load_scenario(path), document


def test_scenarios_that_contradict_themselves(tmp_path):
    scenario, document = _scenario(tmp_path, (
        "rule: X\nkind: silent\nduration: 3m\nfeeds: {}\nexpect:\n  firing:\n    - alertname: X\n"
        "  fires_between: {earliest: 1m, latest: 4m}\n"))
    assert [e.line for e in contradictions(scenario, document)] == [5, 3]
    scenario, document = _scenario(tmp_path, (
        "rule: X\nkind: firing\nduration: 4m\nfeeds: {}\nexpect:\n  firing:\n    - alertname: X\n"
        "  fires_between: {earliest: 1m, latest: 4m}\n"))
    assert contradictions(scenario, document) == []


def test_a_counter_fed_falling_values(tmp_path):
    scenario, document = _scenario(tmp_path, (
        "rule: X\nkind: silent\nduration: 3m\nfeeds:\n  job:\n"
        "    - series: {metric: a_total, type: counter, ramp: {from: 9, per_second: -1}}\n"
        "    - series: {metric: b_total, type: counter, steps: {0s: 1, 1m: 5}}\n"
        "    - series:\n        metric: c_total\n        type: counter\n        steps: {0s: 5, 1m: 1}\n"
        "    - series: {metric: gauge, ramp: {from: 9, per_second: -1}}\n"))
    assert [(e.line, e.problem.split(":")[1].strip()) for e in falling_counters(scenario, document)] == [
        (6, "series a_total is a counter fed a ramp of -1 per second"), (11, "series c_total is a counter fed steps {'0s'")]


def test_an_expected_label_the_rule_cannot_carry(tmp_path):
    scenario, document = _scenario(tmp_path, (
        "rule: X\nkind: firing\nduration: 3m\nfeeds: {}\nexpect:\n  firing:\n    - alertname: X\n"
        "      labels: {pipeline: a, region: eu, p: a, severity: warning}\n"))
    rules = [_rule("X", "sum by (p) (a) > 1", severity="warning")]
    (found,) = expected_labels_uncarried(scenario, document, rules, frozenset({"region"}))
    assert found.line == 8 and "label pipeline='a'" in found.problem
    assert expected_labels_uncarried(scenario, document, rules, None) == []  # alerts relabelled: unknown
    assert expected_labels_uncarried(scenario, document, [_rule("X", "a > 1")], frozenset()) == []  # any label


def test_a_team_test_asserting_the_silence_of_an_alert_no_rule_has(tmp_path):
    path, document = _write(tmp_path, "t.test.yml", (
        "rule_files: [r.yml]\ntests:\n  - alert_rule_test:\n      - eval_time: 1m\n        alertname: DataQualityLo\n"
        "      - eval_time: 1m\n        alertname: Gone\n        exp_alerts: [{exp_labels: {a: b}}]\n"
        "      - eval_time: 1m\n        alertname: DataQualityLow\n        exp_alerts: []\n"))
    group = SimpleNamespace(file=path, index=0, document=document)
    (found,) = vacuous_silences(group, {"DataQualityLow"})
    assert found.line == 5 and "did you mean 'DataQualityLow'" in found.problem
