"""fixtures/semantics/ and fixtures/references.py on small files written for the purpose: each finding at its line, and
the valid counterpart of each found nothing in."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.model.configfiles import load_yaml
from fixtures.model.rules import AlertRule
from fixtures.semantics.alertmanager import repeat_below_group, unmatchable
from fixtures.semantics.labels import alert_shapes, output_labels
from fixtures.semantics.prometheus import group_limits, label_overrides
from fixtures.semantics.search_store import unknown_field_types


def _rule(name: str, expr: str, **labels) -> AlertRule:
    return AlertRule(name, "g", Path("rules.yml"), 1, expr, 1, labels=labels)


RULES = [_rule("HighCPU", "avg by (instance) (rate(cpu[5m])) > 0.8", severity="warning"),
         _rule("Down", "up == 0", severity="critical")]


def _yaml(tmp_path: Path, text: str) -> tuple[Path, object]:
    path = tmp_path / "config.yml"
    path.write_text(text)
    return path, load_yaml(path)


@pytest.mark.parametrize(("expr", "labels"), [
    ("avg by (instance) (rate(cpu[5m])) > 0.8", {"instance"}),
    ("sum(rate(a[5m])) / sum(rate(b[5m]))", set()),
    ("histogram_quantile(0.9, sum by (le, job) (rate(h_bucket[5m])))", {"job"}),
    ("scalar(a) < sum by (x) (b)", {"x"}),
    ("up == 0", None),
    ("label_replace(sum(a), 'x', 'y', '', '')", None),
])
def test_output_labels(expr, labels):
    assert output_labels(expr) == (None if labels is None else frozenset(labels))


def test_an_inhibit_rule_no_alert_matches_is_found_at_its_matcher(tmp_path):
    path, config = _yaml(tmp_path, "route: {receiver: a}\ninhibit_rules:\n"
                                   "  - source_matchers: ['severity=\"page\"']\n"
                                   "    target_matchers: ['severity=\"warning\"']\n")
    (found,) = unmatchable(path, config, alert_shapes(RULES))
    assert found.line == 3 and 'severity="page"' in found.problem, found


def test_matchers_satisfiable_only_apart_are_found_at_the_one_that_leaves_none(tmp_path):
    path, config = _yaml(tmp_path, "route: {receiver: a}\ninhibit_rules:\n"
                                   "  - source_matchers: ['severity=\"critical\"']\n"
                                   "    target_matchers:\n      - alertname=\"HighCPU\"\n      - job=\"x\"\n")
    (found,) = unmatchable(path, config, alert_shapes(RULES))
    assert found.line == 6, found  # HighCPU keeps only instance; Down may carry job, but is not HighCPU


def test_routes_never_reached_are_found(tmp_path):
    path, config = _yaml(tmp_path, "route:\n  receiver: a\n  routes:\n"
                                   "    - matchers: ['alertname=\"HighCPUU\"']\n      receiver: b\n"
                                   "    - receiver: c\n"
                                   "    - matchers: ['severity=\"critical\"']\n      receiver: d\n")
    found = unmatchable(path, config, alert_shapes(RULES))
    assert [f.line for f in found] == [4, 7], found


def test_valid_matchers_and_declared_levels_find_nothing(tmp_path):
    path, config = _yaml(tmp_path, "route:\n  receiver: a\n  routes:\n"
                                   "    - matchers: ['severity=~\"info|critical\"', 'instance!=\"\"']\n      receiver: b\n"
                                   "    - matchers: ['severity=\"info\"']\n      receiver: c\n"
                                   "inhibit_rules:\n  - source_matchers: ['severity=\"critical\"']\n"
                                   "    target_matchers: ['severity=\"warning\"', 'instance=~\".+\"']\n")
    assert unmatchable(path, config, alert_shapes(RULES, severities=["critical", "warning", "info"])) == []


def test_repeat_interval_below_group_interval_inherited_or_set(tmp_path):
    path, config = _yaml(tmp_path, "route:\n  receiver: a\n  group_interval: 10m\n  repeat_interval: 1h\n  routes:\n"
                                   "    - receiver: b\n      repeat_interval: 5m\n"
                                   "    - receiver: c\n      repeat_interval: 10m\n")
    (found,) = repeat_below_group(path, config)
    assert found.line == 7 and "every 10m" in found.problem, found
    path, config = _yaml(tmp_path, "route:\n  receiver: a\n  repeat_interval: 1m\n")  # below the default 5m
    assert [f.line for f in repeat_below_group(path, config)] == [3]


def test_rule_label_alertname_and_group_limits(tmp_path):
    path, document = _yaml(tmp_path, "groups:\n  - name: g\n    limit: 1\n    rules:\n"
                                     "      - alert: A\n        expr: up == 0\n        labels:\n"
                                     "          severity: critical\n          alertname: B\n"
                                     "  - name: h\n    limit: -1\n    rules: []\n"
                                     "  - name: i\n    limit: 3\n    rules: [{alert: C, expr: up}]\n")
    assert [f.line for f in label_overrides(path, document)] == [9]
    assert [f.line for f in group_limits(path, document, {"A": 2, "C": 3})] == [3, 11]


def test_unknown_field_types_at_their_line(tmp_path):
    path = tmp_path / "template.json"
    path.write_text('{"template": {"mappings": {"properties": {\n  "a": {"type": "keyword"},\n'
                    '  "b": {"type": "keywrd"},\n  "c": {"properties": {"d": {"type": "strng"}}}}}}}\n')
    import json

    found = unknown_field_types(path, json.loads(path.read_text()))
    assert [(f.line, "c.d" in f.problem) for f in found] == [(3, False), (4, True)], found


RSYSLOG = ('global(workDirectory="/var/spool/rsyslog")  # a comment with a ( in it\n'
           'module(load="imfile")\n/* a block comment\n   over two lines { */\n'
           'ruleset(name="r") {\n  if re_match($msg, "x") then {\n    set $!a = "}";\n  }\n'
           '  action(type="omfile" file="/tmp/x")\n}\n')


@pytest.mark.parametrize(("edit", "line", "words"), [
    (('file="/tmp/x")', 'file="/tmp/x"'), 9, "closed by '}'"),
    (('module(load', 'modul(load'), 2, "'modul(' is not an rsyslog configuration object"),
    (('"}";', '"};'), 7, "string opened here runs over several lines"),
    (("over two lines { */", "over two lines {"), 3, "never closed with */"),
])
def test_rsyslog_structure_defects_at_their_line(tmp_path, edit, line, words):
    from fixtures.logs.shipper_config import structure_errors

    path = tmp_path / "rsyslog.conf"
    path.write_text(RSYSLOG)
    assert structure_errors(path, rsyslog=True) == []
    path.write_text(RSYSLOG.replace(*edit))
    (found,) = structure_errors(path, rsyslog=True)
    assert found.line == line and words in found.problem, found


def test_logstash_pipeline_structure(tmp_path):
    from fixtures.logs.shipper_config import structure_errors

    path = tmp_path / "pipeline.conf"
    path.write_text('input {\n  beats { port => 5044 }\n}\noutput {\n  elasticsearch { hosts => ["a:9200"] }\n}\n')
    assert structure_errors(path, rsyslog=False) == []
    path.write_text('input {\n  beats { port => 5044 }\n}\noutput {\n  elasticsearch { hosts => ["a:9200" }\n}\n')
    assert [f.line for f in structure_errors(path, rsyslog=False)] == [5]


def test_template_labels_the_expression_drops_at_the_annotation(tmp_path):
    from fixtures.semantics.prometheus import template_labels

    path, document = _yaml(tmp_path, "groups:\n  - name: g\n    rules:\n"
                                     "      - alert: A\n        expr: sum by (job) (rate(x[5m])) > 1\n"
                                     "        labels: {severity: warning}\n        annotations:\n"
                                     "          summary: '{{ $labels.job }} {{ $labels.severity }} {{ $labels.region }}'\n"
                                     "          description: '{{ index $labels \"instance\" }}'\n"
                                     "      - alert: B\n        expr: up == 0\n"
                                     "        annotations: {summary: '{{ $labels.anything }}'}\n")
    found = template_labels(path, document, {"region": "eu"})
    assert [(f.line, "instance" in f.problem) for f in found] == [(9, True)], found  # region: external


def test_keyed_labels_no_alert_carries_are_found_with_the_nearest_name(tmp_path):
    from fixtures.semantics.alertmanager import uncarried_keys
    from fixtures.semantics.labels import known_labels

    path, config = _yaml(tmp_path, "route:\n  receiver: a\n  group_by: [alertname, instnace, '...']\n  routes:\n"
                                   "    - receiver: b\n      group_by: [team]\n"
                                   "inhibit_rules:\n  - source_matchers: ['severity=\"critical\"']\n"
                                   "    target_matchers: ['severity=\"warning\"']\n    equal: [cluster, instance]\n")
    scrape = {"scrape_configs": [{"job_name": "j", "static_configs": [{"targets": ["a:1"], "labels": {"team": "x"}}]}]}
    known = known_labels(RULES, [], scrape, [])
    found = uncarried_keys(path, config, alert_shapes(RULES), known)
    assert [f.line for f in found] == [3, 10] and "did you mean 'instance'" in found[0].problem, found
    relabel = {"scrape_configs": [{"relabel_configs": [{"action": "labelmap", "regex": "__meta_(.+)"}]}]}
    assert known_labels(RULES, [], relabel, []) is None  # any name may arise


def test_muted_always_and_relabelled_away(tmp_path):
    from fixtures.semantics.alertmanager import muted_always, relabelled_away, route_keys

    path, config = _yaml(tmp_path, "route:\n  receiver: a\n  routes:\n"
                                   "    - matchers: ['severity=\"critical\"']\n      receiver: b\n"
                                   "      mute_time_intervals: [all, weekends]\n"
                                   "time_intervals:\n  - name: all\n    time_intervals: [{times: "
                                   "[{start_time: '00:00', end_time: '24:00'}]}]\n"
                                   "  - name: weekends\n    time_intervals: [{weekdays: [saturday, sunday]}]\n")
    assert [f.line for f in muted_always(path, config)] == [6]
    assert route_keys(config) == {"severity": 4}
    prometheus, document = _yaml(tmp_path, "alerting:\n  alert_relabel_configs:\n"
                                           "    - {action: labeldrop, regex: replica}\n"
                                           "    - {action: labelkeep, regex: 'alertname|instance'}\n")
    (found,) = relabelled_away(prometheus, document, route_keys(config), path)
    assert found.line == 4 and "severity" in found.problem, found


def test_shipper_inputs_and_indices_against_the_manifest():
    from fixtures.references import _may_match

    assert _may_match("analytics-logs-%{+YYYY-MM-dd}", "analytics-logs-*")
    assert _may_match("%{[app]}-logs", "analytics-*")  # a placeholder first: cannot be told
    assert not _may_match("analytics-log-%{+YYYY-MM-dd}", "analytics-logs-*")
    assert not _may_match("app-logs-%$now-utc%", "analytics-logs-*")
    assert _may_match("analytics-logs", "analytics-logs") and not _may_match("analytics", "analytics-logs-*")


def test_addresses_against_where_services_listen(broken_stack):
    from fixtures.model.stack import Stack
    from fixtures.references import listening_ports, loopback_addresses, text_files, unserved_ports

    root = broken_stack("elk/filebeat/filebeat.yml", '"logstash:5044"', '"logstash:5045"')
    broken_stack("elk/logstash/pipeline/analytics.conf", "input {\n", "input {\n  http { port => 8080 }\n")
    broken_stack("grafana/provisioning/datasources/prometheus.yml", "http://prometheus:9090", "http://localhost:3000")
    broken_stack("alertmanager/alertmanager.yml", "webhook-service:5000", "localhost:5000")
    stack = Stack.load(root)
    # Its port and its inputs' ports, not the elasticsearch:9200 it sends to.
    assert listening_ports(stack.services["logstash"]) == {5044, 8080}
    assert {4317, 4318, 16686} <= listening_ports(stack.tracing.jaeger)
    files = text_files(stack)
    assert [(f.path.name, f.line) for f in unserved_ports(stack, files)] == [("filebeat.yml", 16)]
    # Grafana's own port on localhost is Grafana itself: reachable; the webhook on localhost is not.
    assert [(f.path.name, "5000" in f.problem) for f in loopback_addresses(stack, files)] == [("alertmanager.yml", True)]


def test_dashboard_provider_path_through_grafana_mounts(broken_stack):
    from fixtures.model.stack import Stack
    from fixtures.references import provider_paths

    providers = "grafana/provisioning/dashboards/dashboards.yml"
    assert provider_paths(Stack.load(broken_stack(providers, "path: /var/lib/grafana/dashboards",
                                                  "path: /var/lib/grafana/dashboards/"))) == []
    (found,) = provider_paths(Stack.load(broken_stack(providers, "path: /var/lib/grafana/dashboards/",
                                                      "path: /var/lib/grafana/dashboardz")))
    assert found.line == 8 and "no mount of 'grafana'" in found.problem, found


def test_index_template_types_against_the_contract_values(tmp_path):
    import json

    from fixtures.model.log_contract import LogEvent
    from fixtures.semantics.search_store import misfit_field_types

    path = tmp_path / "template.json"
    path.write_text('{"template": {"mappings": {"properties": {\n  "n": {"type": "keyword"},\n'
                    '  "d": {"type": "long"},\n  "i": {"type": "double"},\n  "b": {"type": "boolean"},\n'
                    '  "u": {"type": "floatt"}}}}}\n')
    events = [LogEvent("e", "info", "m", {"n": 3, "d": 0.5, "i": 2, "b": True, "u": 1.5, "s": "x"})]
    found = misfit_field_types(path, json.loads(path.read_text()), events)
    assert [f.line for f in found] == [2, 3], found  # an int in a double fits; an unknown type is not judged here


def test_a_scrape_target_on_a_port_the_configuration_does_not_name_is_not_judged(broken_stack):
    from fixtures.model.stack import Stack
    from fixtures.references import text_files, unserved_ports

    root = broken_stack("prometheus/prometheus.yml", "scrape_configs:\n",
                        "scrape_configs:\n  - job_name: logstash\n    static_configs: [{targets: ['logstash:9600']}]\n")
    stack = Stack.load(root)
    assert unserved_ports(stack, text_files(stack)) == []  # Logstash's monitoring API listens by default


def test_a_file_too_large_to_read_is_its_own_finding_not_a_crash_of_the_references(broken_stack, monkeypatch):
    """A mounted file the bounded reader refuses (too large here; a named pipe alike) leaves the
    address checks with nothing to read in it: 'file valid' reports it, once."""
    from fixtures.model.stack import Stack
    from fixtures.references import listening_ports, loopback_addresses, text_files, unserved_ports

    root = broken_stack("alertmanager/alertmanager.yml", "webhook-service:5000", "localhost:5000")
    stack = Stack.load(root)
    files = text_files(stack)
    big = next(f for f in files if f.name == "alertmanager.yml")
    monkeypatch.setattr("fixtures.model.stackfiles.MAX_BYTES", big.stat().st_size - 1)
    assert [f.path.name for f in loopback_addresses(stack, files)] == []
    assert unserved_ports(stack, files) == [] or all(f.path != big for f in unserved_ports(stack, files))
    assert listening_ports(stack.services["alertmanager"]) is not None


@pytest.mark.parametrize(("text", "error"), [
    ("CRITICAL {{ .CommonLabels.alertname ", "unclosed action"),
    ("{{ range .Alerts }}{{ .Labels.x }}", "never closed"),
    ("{{ .Status }}{{ end }}", "closes no block"),
    ("{{ else }}", "outside"),
    ('{{ "}}" }} {{ template "a" . }}', None),
    ("{{/* a comment }} with braces */}}{{ if .Alerts }}x{{ else }}y{{ end }}", None),
])
def test_go_templates_parse_as_text_template_reads_them(text, error):
    from fixtures.semantics.go_templates import template_errors

    found, _ = template_errors(text)
    assert (found is None) if error is None else (error in found), found


def test_receiver_templates_at_their_field(tmp_path):
    from fixtures.semantics.go_templates import defined_templates, receiver_templates

    templates = tmp_path / "own.tmpl"
    templates.write_text('{{ define "slack.team.text" }}{{ .CommonAnnotations.summary }}{{ end }}\n')
    path, config = _yaml(tmp_path, (
        "receivers:\n  - name: team\n    slack_configs:\n"
        "      - title: '{{ template \"slack.default.title\" . }}'\n"  # Alertmanager's own: found nowhere else
        "        text: '{{ template \"slack.team.text\" . }}'\n"
        "        pretext: '{{ template \"slack.team.txt\" . }}'\n"
        "        footer: '{{ .CommonLabels.alertname '\n"))
    found = receiver_templates(path, config, defined_templates([templates]))
    assert [(e.line, "slack.team.txt" in e.problem or "unclosed" in e.problem) for e in found] == [(6, True), (7, True)]
    assert not [e for e in receiver_templates(path, config, None) if "calls" in e.problem]  # unknown: not judged


def test_rule_meanings_at_the_expression(tmp_path):
    from fixtures.semantics.expressions import Fed, rule_meanings

    path, document = _yaml(tmp_path, (
        "groups:\n  - name: g\n    rules:\n"
        "      - alert: A\n        expr: rate(score[5m]) < 0.8\n"  # a counter function over a gauge
        "      - alert: B\n        expr: |\n          deriv(runs_total[5m]) > 0\n"  # a gauge function over a counter
        "      - alert: C\n        expr: score < bool 0.8\n"
        "      - alert: D\n        expr: score < 80\n"  # the scenarios feed it 0.4 to 0.9
        "      - alert: E\n        expr: runs_total{status=\"failure\"} > 0\n"
        "      - alert: F\n        expr: score > 0.5\n        labels: {now: '{{ $value }}'}\n"
        "      - alert: G\n        expr: sum(score < bool 0.8) > 0 and rate(runs_total{status=\"failed\"}[5m]) > 0\n"))
    fed = Fed(labels={"E": {"runs_total": {"status": {"failed", "success"}}}, "G": {"runs_total": {
        "status": {"failed", "success"}}}}, firing={"E": ["E-firing"]}, values={"score": {0.4, 0.9}})
    types = {"score": ("gauge", "app.py"), "runs_total": ("counter", "app.py")}
    found = rule_meanings(path, document, types, fed)
    assert [(e.line, e.problem.split(":")[0]) for e in found] == [
        (5, "alert 'A'"), (8, "alert 'B'"), (10, "alert 'C'"), (12, "alert 'D'"), (14, "alert 'E'"), (17, "alert 'F'")]
    assert "a gauge (declared by app.py)" in found[0].problem and "failed" in found[4].problem


def test_duplicate_titles_in_one_folder(tmp_path):
    from types import SimpleNamespace

    from fixtures.semantics.grafana import duplicate_titles

    def dashboard(folder: str, name: str, title: str):
        path = tmp_path / folder / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(f'{{\n  "uid": "{name}",\n  "title": "{title}"\n}}\n')
        return SimpleNamespace(path=path, model={"uid": name, "title": title})

    found = duplicate_titles([dashboard("a", "one.json", "Ops"), dashboard("a", "two.json", "ops"),
                              dashboard("b", "three.json", "Ops")])  # another folder: its own namespace
    assert [(e.path.name, e.line) for e in found] == [("two.json", 3)]
