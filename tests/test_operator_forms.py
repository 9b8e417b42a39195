"""fixtures/operator.py: the Prometheus Operator's forms of a rule file (a PrometheusRule object, a
List of them, several YAML documents) read as the plain rule file they stand for, at the lines of
the file as written; promtool reads a plain copy with the same lines."""

import textwrap

import pytest

from fixtures.model.operator import for_promtool, rule_document
from fixtures.model.rules import load_alert_rules, load_recording_rules
from fixtures.model.stackfiles import ConfigError
from fixtures.tools import promtool_check_rules
from tests.broken_inputs import run_static
from tests.layout import CORPORA, ROOT
from tests.real_stacks import build_thanos_operator_stack, build_thanos_stack
from tests.test_rules import RULE_FILE
from tests.textfiles import line_containing, write_text

PROMETHEUS_RULE = """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: pipeline
  labels: {role: alert-rules}
spec:
""" + textwrap.indent(RULE_FILE, "  ")

SECOND = """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: disk
spec:
  groups:
    - name: disk_alerts
      rules:
        - alert: DiskFull
          expr: disk_free_ratio < 0.1
"""


def _as_list(*objects: str) -> str:
    items = "".join("  - " + "\n    ".join(obj.rstrip("\n").splitlines()) + "\n" for obj in objects)
    return "apiVersion: v1\nkind: List\nitems:\n" + items


@pytest.mark.parametrize("form", ["PrometheusRule", "List", "documents"])
def test_each_form_is_read_as_its_rules_at_their_own_lines(tmp_path, form):
    text = {"PrometheusRule": PROMETHEUS_RULE, "List": _as_list(PROMETHEUS_RULE, SECOND),
            "documents": PROMETHEUS_RULE + "---\n" + SECOND}[form]
    path = write_text(tmp_path / "rules.yaml", text)
    alerts = load_alert_rules(path)
    expected = ["PipelineFailureRate"] + ([] if form == "PrometheusRule" else ["DiskFull"])
    assert [rule.name for rule in alerts] == expected, alerts
    for rule in alerts:
        assert (rule.file, rule.line) == (path, line_containing(path, f"alert: {rule.name}")), rule
    (recording,) = load_recording_rules(path)
    assert recording.line == line_containing(path, "record: pipeline:failures:rate5m")
    assert [group["name"] for group in rule_document(path)["groups"]] == [
        "pipeline_alerts", *([] if form == "PrometheusRule" else ["disk_alerts"])]


def test_a_plain_rule_file_is_read_and_given_to_promtool_as_it_is(tmp_path):
    path = write_text(tmp_path / "rules.yml", "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n")
    assert for_promtool(path) == path
    assert [rule.line for rule in load_alert_rules(path)] == [4]


def test_promtool_reads_the_plain_copy_and_names_the_lines_of_the_file_as_written(tmp_path):
    path = write_text(tmp_path / "rules.yaml", PROMETHEUS_RULE.replace("expr: |\n            pipeline:failures:rate5m > 0.1",
                                                                       "expr: pipeline:failures:rate5m > > 0.1"))
    copy = for_promtool(path)
    assert copy != path and copy.name == path.name
    assert len(copy.read_text().splitlines()) == len(path.read_text().splitlines())
    result = promtool_check_rules(copy)
    assert not result.ok
    assert f"{line_containing(path, '> > 0.1')}:" in result.output, result.output
    assert promtool_check_rules(for_promtool(write_text(tmp_path / "good.yaml", PROMETHEUS_RULE))).ok


def test_a_document_that_is_no_rule_file_is_named_at_its_line(tmp_path):
    path = write_text(tmp_path / "rules.yaml", PROMETHEUS_RULE + "---\napiVersion: v1\nkind: ConfigMap\ndata: {}\n")
    with pytest.raises(ConfigError, match=r"not a rule file \(kind ConfigMap\)") as caught:
        load_alert_rules(path)
    assert caught.value.line == line_containing(path, "kind: ConfigMap"), caught.value.location


@pytest.mark.parametrize(("text", "written"), [(PROMETHEUS_RULE.replace("  groups:", "  group:"), "spec.group"),
                                                 ("grups:\n  - name: g\n    rules: []\n", "grups")])
def test_a_near_miss_of_groups_is_named_at_its_own_line(tmp_path, text, written):
    """'group:' where 'groups:' is meant: the key itself is the defect, not the document's kind."""
    path = write_text(tmp_path / "rules.yaml", text)
    with pytest.raises(ConfigError, match=rf"unknown key '{written}'") as caught:
        load_alert_rules(path)
    assert caught.value.line == line_containing(path, f"{written.split('.')[-1]}:"), caught.value.location


@pytest.mark.skipif(not (CORPORA / "thanos-mixin").is_dir(), reason="the shared corpora are not beside the repository")
def test_the_thanos_mixin_as_prometheus_rules_is_judged_as_the_plain_one(tmp_path):
    """The whole suite, statically, on the Thanos mixin stack and on the same stack with its rules
    as PrometheusRule objects (one object, a List, several documents) and its dashboards as
    ConfigMaps: the same verdict on every check, each rule's findings at its line of the file as
    written."""
    runs = {}
    for form, build in (("plain", build_thanos_stack), ("operator", build_thanos_operator_stack)):
        stack = build(tmp_path / form)
        runs[form] = run_static(ROOT, stack, tmp_path / f"report-{form}", timeout=900).report
    # Every check but the parse check of each file, whose subject is the file's name (a dashboard's
    # .json became a ConfigMap's .yaml): those must all pass, in both forms.
    parses = {form: {c["status"] for c in run["checks"] if "::test_parses[" in c["nodeid"]} for form, run in runs.items()}
    assert parses == {"plain": {"passed"}, "operator": {"passed"}}, parses
    verdicts = {form: {c["nodeid"]: c["status"] for c in run["checks"] if "::test_parses[" not in c["nodeid"]}
                for form, run in runs.items()}
    assert len(verdicts["plain"]) > 500, len(verdicts["plain"])
    changed = {nodeid: (status, verdicts["operator"].get(nodeid)) for nodeid, status in verdicts["plain"].items()
               if verdicts["operator"].get(nodeid) != status}
    assert not changed and len(verdicts["operator"]) == len(verdicts["plain"]), changed
    lines = (tmp_path / "operator" / "prometheus" / "alerts.yaml").read_text().splitlines()
    named = [(c["location"]["line"], c["location"]["text"]) for c in runs["operator"]["checks"]
             if (c.get("location") or {}).get("file") == "prometheus/alerts.yaml"
             and c["location"]["text"].startswith("- alert:")]
    assert named and all(text.removeprefix("- ") in lines[line - 1] for line, text in named), named[:3]


def test_the_live_run_hands_prometheus_the_plain_form_and_declares_it(tmp_path):
    """Prometheus in its container reads rule files, not Kubernetes objects: the live run's copy of
    a PrometheusRule file is the plain rule file, and the change is in the transforms list."""
    import yaml

    from fixtures.transforms import prepare

    write_text(tmp_path / "stack" / "prometheus" / "rules.yaml", PROMETHEUS_RULE + "---\n" + SECOND)
    changes = prepare(tmp_path / "stack" / "prometheus", tmp_path / "copy", "prometheus", "prometheus",
                      real_time=True, rebind=True)
    assert ("prometheus/rules.yaml", "(the whole file)") in [(c.file, c.location) for c in changes], changes
    copied = yaml.safe_load((tmp_path / "copy" / "rules.yaml").read_text())
    assert [group["name"] for group in copied["groups"]] == ["pipeline_alerts", "disk_alerts"], copied


DASHBOARD = """{
  "title": "Pipelines",
  "uid": "pipelines",
  "panels": [
    {"title": "Failure rate", "type": "timeseries",
     "targets": [{"refId": "A", "expr": "rate(pipeline_runs_total{status=\\"failed\\"}[5m])"}]}
  ]
}
"""


def test_a_dashboard_delivered_in_a_config_map_is_read_at_its_lines(tmp_path):
    from fixtures.model.dashboards import load_dashboards

    path = write_text(tmp_path / "dashboards.yaml", "apiVersion: v1\nkind: List\nitems:\n"
                      "  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: pipelines}\n    data:\n"
                      "      pipelines.json: |\n" + textwrap.indent(DASHBOARD, "        "))
    (dashboard,) = load_dashboards(path)
    (panel,) = dashboard.panels
    assert (dashboard.title, panel.file, panel.line) == ("Pipelines", path, line_containing(path, '"Failure rate"'))
    assert panel.targets[0].line == line_containing(path, '"expr"'), panel.targets


def test_the_live_run_hands_grafana_dashboard_files_and_declares_it(tmp_path):
    import json

    from fixtures.transforms import prepare

    write_text(tmp_path / "dashboards" / "pipelines.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p}\n"
               "data:\n  pipelines.json: |\n" + textwrap.indent(DASHBOARD, "    "))
    changes = prepare(tmp_path / "dashboards", tmp_path / "copy", "grafana/dashboards", "grafana",
                      real_time=True, rebind=True)
    assert [(c.file, c.change) for c in changes] == [("grafana/dashboards/pipelines.yaml",
                                                      "ConfigMap -> pipelines.json")], changes
    assert json.loads((tmp_path / "copy" / "pipelines.json").read_text())["uid"] == "pipelines"
    assert not (tmp_path / "copy" / "pipelines.yaml").exists()


# Alertmanager's configuration in the Operator's alertmanager-<name> Secret: a route, a receiver
# with a secret of its own (a canary: it must never be shown), a receiver no route names.
CANARY = "canary-4f1e9b2c-secret"
ALERTMANAGER = f"""\
route:
  receiver: pager
  group_by: [alertname]
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
receivers:
  - name: pager
    slack_configs:
      - api_url: https://hooks.slack.example/services/{CANARY}
        channel: '#pager'
"""


def _secret_stack(root, config: str, base64_data: bool = False):
    from tests.real_stacks import alertmanager_secret

    stack = root / "stack"
    write_text(stack / "alertmanager" / "alertmanager-main.yaml", alertmanager_secret("alertmanager-main", config,
                                                                                      base64_data))
    write_text(stack / "manifest.yml", "name: operator secret\nalertmanager_config: alertmanager/alertmanager-main.yaml\n"
               "severity_levels: {critical: pager}\n")
    return stack


@pytest.mark.parametrize("base64_data", [False, True], ids=["stringData", "data"])
def test_an_alertmanager_secret_is_read_as_the_configuration_it_holds(tmp_path, base64_data):
    from fixtures.model.configfiles import load_yaml
    from fixtures.model.stack import Stack
    from fixtures.tools import amtool_check_config, amtool_route

    stack = Stack.load(_secret_stack(tmp_path, ALERTMANAGER, base64_data))
    path = stack.alertmanager_config_path
    config = load_yaml(path)
    assert [r["name"] for r in config["receivers"]] == ["pager"], config
    if not base64_data:  # a literal block keeps its lines: each key at its line of the Secret
        assert config.line_of_name("receivers") == line_containing(path, "receivers:")
    assert amtool_check_config(path).ok
    assert amtool_route(path, {"severity": "critical"}) == ["pager"]


@pytest.mark.parametrize("base64_data", [False, True], ids=["stringData", "data"])
def test_a_defect_in_the_secret_s_configuration_is_named_at_the_secret_s_line(tmp_path, base64_data):
    from fixtures.model.configfiles import load_yaml
    from fixtures.model.stack import Stack

    broken = ALERTMANAGER.replace("  group_by: [alertname]", "  group_by: [alertname\n  group_wait: 10s")
    stack = Stack.load(_secret_stack(tmp_path, broken, base64_data))
    path = stack.alertmanager_config_path
    with pytest.raises(ConfigError) as raised:
        load_yaml(path)
    if base64_data:  # its lines are its own: the Secret's line and the key, and the line within
        key_line = line_containing(path, "alertmanager.yaml:")
        assert raised.value.location.startswith(f"{path}:{key_line} (data.alertmanager.yaml, base64, line "), \
            raised.value.location
    else:
        assert raised.value.line in (line_containing(path, "group_by"), line_containing(path, "group_wait"))
        assert raised.value.location == f"{path}:{raised.value.line}"


def test_a_secret_without_the_alertmanager_key_is_one_finding(tmp_path):
    from fixtures.model.configfiles import load_yaml
    from fixtures.model.stack import Stack

    stack = Stack.load(_secret_stack(tmp_path, ALERTMANAGER))
    path = stack.alertmanager_config_path
    path.write_text(path.read_text().replace("alertmanager.yaml:", "config.yaml:"))
    with pytest.raises(ConfigError, match="a Secret without 'alertmanager.yaml' under stringData or data"):
        load_yaml(path)


@pytest.mark.parametrize("base64_data", [False, True], ids=["stringData", "data"])
def test_a_static_run_on_a_secret_checks_its_routes_and_shows_none_of_its_secrets(tmp_path, base64_data):
    stack = _secret_stack(tmp_path, ALERTMANAGER, base64_data)
    run = run_static(ROOT, stack, tmp_path / "report")
    checks = {c["nodeid"].split("::", 1)[-1]: c for c in run.report["checks"]}
    assert checks["test_amtool_check_config"]["status"] == "passed", checks["test_amtool_check_config"]
    assert checks["test_severity_routes[critical]"]["status"] == "passed", checks["test_severity_routes[critical]"]
    assert checks["test_parses[alertmanager/alertmanager-main.yaml]"]["status"] == "passed"
    for name in ("results.json", "report.html", "junit.xml", "summary.md"):
        assert CANARY not in (tmp_path / "report" / name).read_text(), f"{name} shows the Secret's secret"
    assert CANARY not in run.output


def test_the_live_run_hands_alertmanager_the_configuration_and_declares_it(tmp_path):
    import yaml

    from fixtures.model.stack import Stack
    from fixtures.transforms import prepare

    stack = Stack.load(_secret_stack(tmp_path, ALERTMANAGER, base64_data=True))
    changes = prepare(stack.root / "alertmanager", tmp_path / "copy", "alertmanager", "alertmanager",
                      real_time=True, rebind=False)
    assert ("alertmanager/alertmanager-main.yaml", "(the whole file)") in [(c.file, c.location) for c in changes]
    copied = yaml.safe_load((tmp_path / "copy" / "alertmanager-main.yaml").read_text())
    assert copied["route"]["receiver"] == "pager", copied


def _dashboard(title: str, variable: str) -> str:
    """A dashboard whose one panel reads its own template variable."""
    return textwrap.dedent(f"""\
        {{
          "title": "{title}",
          "uid": "{title.lower()}",
          "templating": {{"list": [{{"name": "{variable}", "type": "custom", "query": "a,b",
                                    "current": {{"text": "a", "value": "a"}}}}]}},
          "panels": [
            {{"title": "Up", "type": "timeseries",
             "targets": [{{"refId": "A", "expr": "up{{{variable}=\\"${variable}\\"}}"}}]}}
          ]
        }}
        """)


def _config_map_list(kind: str, *dashboards: tuple[str, str]) -> str:
    """ConfigMaps delivering each (key, dashboard JSON), in a Kubernetes list of ``kind``, the way
    kube-prometheus ships grafana-dashboardDefinitions.yaml."""
    items = "".join(f"  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {{name: {key.removesuffix('.json')}}}\n"
                    f"    data:\n      {key}: |\n" + textwrap.indent(text, "        ") for key, text in dashboards)
    return f"apiVersion: v1\nkind: {kind}\nitems:\n{items}"


@pytest.mark.parametrize("kind", ["List", "ConfigMapList"])
def test_every_kubernetes_list_of_config_maps_delivers_its_dashboards(tmp_path, kind):
    from fixtures.model.dashboards import load_dashboards

    path = write_text(tmp_path / "dashboards.yaml", _config_map_list(
        kind, ("alerts.json", _dashboard("Alerts", "namespace")), ("targets.json", _dashboard("Targets", "job"))))
    dashboards = load_dashboards(path)
    assert [(d.title, [v.name for v in d.variables]) for d in dashboards] == [
        ("Alerts", ["namespace"]), ("Targets", ["job"])], dashboards
    panels = [n for n, line in enumerate(path.read_text().splitlines(), 1) if '"title": "Up"' in line]
    assert [d.panels[0].line for d in dashboards] == panels, panels  # each at its line of the file


def test_rules_and_secrets_in_a_typed_list_are_read_as_its_items(tmp_path):
    from fixtures.model.configfiles import load_yaml
    from fixtures.model.stack import Stack
    from tests.real_stacks import alertmanager_secret

    path = write_text(tmp_path / "rules.yaml", _as_list(PROMETHEUS_RULE, SECOND).replace("kind: List",
                                                                                         "kind: PrometheusRuleList"))
    assert [rule.name for rule in load_alert_rules(path)] == ["PipelineFailureRate", "DiskFull"]
    stack = Stack.load(_secret_stack(tmp_path, ALERTMANAGER))
    secret = alertmanager_secret("alertmanager-main", ALERTMANAGER, False)
    stack.alertmanager_config_path.write_text("apiVersion: v1\nkind: SecretList\nitems:\n"
                                              + textwrap.indent(secret, "    ").replace("    ", "  - ", 1))
    assert [r["name"] for r in load_yaml(stack.alertmanager_config_path)["receivers"]] == ["pager"]


@pytest.mark.parametrize(("text", "problem", "at"), [
    ("apiVersion: v1\nkind: ConfigMapList\nitems: []\n", "kind ConfigMapList has no items: it holds no dashboards",
     "kind: ConfigMapList"),
    ("apiVersion: v1\nkind: SecretList\nitems:\n  - kind: Secret\n    stringData: {a: b}\n",
     "kind SecretList: it holds no dashboards", "kind: SecretList"),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:  # no dashboard\n  notes.txt: hello\n",
     "no ConfigMap of this file has a key ending in .json", "# no dashboard"),
], ids=["empty list", "other kind", "no json key"])
def test_a_dashboard_file_that_delivers_no_dashboard_is_named_at_its_line(tmp_path, text, problem, at):
    from fixtures.model.dashboards import load_dashboards

    path = write_text(tmp_path / "dashboards.yaml", text)
    with pytest.raises(ConfigError, match=problem) as caught:
        load_dashboards(path)
    assert caught.value.line == line_containing(path, at), caught.value.location


def test_a_rule_list_without_items_is_named_at_its_line(tmp_path):
    path = write_text(tmp_path / "rules.yaml", "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRuleList\n"
                      "items: []\n")
    with pytest.raises(ConfigError, match="kind PrometheusRuleList has no items: it holds no rule groups") as caught:
        load_alert_rules(path)
    assert caught.value.line == 2, caught.value.location


def test_each_dashboard_of_a_list_is_judged_on_its_own_variables(tmp_path):
    """Two dashboards of one file, each panel reading a variable only its own dashboard defines."""
    stack = tmp_path / "stack"
    write_text(stack / "manifest.yml", "name: two dashboards in one file\n"
               "grafana: {dashboards: grafana/dashboards, datasources: grafana/datasources}\n")
    write_text(stack / "grafana" / "datasources" / "prometheus.yml", "apiVersion: 1\ndatasources:\n"
               "  - {name: Prometheus, type: prometheus, uid: prometheus, url: 'http://prometheus:9090', isDefault: true}\n")
    write_text(stack / "grafana" / "dashboards" / "definitions.yaml", _config_map_list(
        "ConfigMapList", ("alerts.json", _dashboard("Alerts", "namespace")),
        ("targets.json", _dashboard("Targets", "job"))))
    run = run_static(ROOT, stack, tmp_path / "report")
    verdicts = {c["nodeid"].split("::", 1)[-1]: c["status"] for c in run.report["checks"]
                if "::test_variables_defined[" in c["nodeid"]}
    assert verdicts == {"test_variables_defined[Alerts/Up]": "passed",
                        "test_variables_defined[Targets/Up]": "passed"}, (verdicts, run.output[-2000:])


@pytest.mark.parametrize("kind", ["List", "SecretList"])
def test_the_secrets_of_a_secret_list_are_known_to_be_redacted(tmp_path, kind):
    """A Secret in a Kubernetes list (``kubectl get secret -o yaml`` writes a SecretList) holds
    nothing but secrets, which reports redact, as one alone does."""
    from fixtures.model.stack import Stack
    from fixtures.secrets import stack_secrets

    stack = _secret_stack(tmp_path, ALERTMANAGER)
    write_text(stack / "alertmanager" / "tokens.yaml", f"apiVersion: v1\nkind: {kind}\nitems:\n  - apiVersion: v1\n"
               f"    kind: Secret\n    metadata: {{name: tokens}}\n    stringData:\n      token: {CANARY}-token\n")
    found = [s.where for s in stack_secrets(Stack.load(stack)) if s.value == f"{CANARY}-token"]
    assert found == ["alertmanager/tokens.yaml stringData.token"], found
