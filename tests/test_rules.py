"""fixtures/rules.py: rule_files resolved as Prometheus does, and alert rules located by line."""

import pytest

from fixtures.model.configfiles import load_yaml
from fixtures.model.rules import load_alert_rules, rule_file_entries
from fixtures.model.stack import Stack
from fixtures.model.stackfiles import ConfigError
from tests.textfiles import line_containing, write_text

RULE_FILE = """\
groups:
  - name: pipeline_alerts
    rules:
      - record: pipeline:failures:rate5m
        expr: rate(pipeline_runs_total{status="failed"}[5m])
      - alert: PipelineFailureRate
        expr: |
          pipeline:failures:rate5m > 0.1
        for: 2m
        labels:
          severity: critical
        annotations:
          summary: "High pipeline failure rate"
"""


def test_rule_files_resolve_relative_to_the_config_not_the_working_directory(tmp_path, monkeypatch):
    write_text(tmp_path / "stack" / "manifest.yml", "name: rules only\nprometheus_config: conf/prometheus.yml\n")
    config_path = write_text(tmp_path / "stack" / "conf" / "prometheus.yml",
                             'rule_files:\n  - "rules/*.yml"\n  - "absent.yml"\n')
    in_config_dir = write_text(tmp_path / "stack" / "conf" / "rules" / "alerts.yml", "groups: []\n")
    # A decoy where a resolution against the working directory would look.
    write_text(tmp_path / "stack" / "rules" / "decoy.yml", "groups: []\n")
    write_text(tmp_path / "stack" / "absent.yml", "groups: []\n")
    monkeypatch.chdir(tmp_path / "stack")

    found, missing = rule_file_entries(Stack.load(tmp_path / "stack"), load_yaml(config_path))

    assert found.matches == (in_config_dir,), f"rules/*.yml matched {found.matches}"
    assert missing.matches == (), f"absent.yml matched {missing.matches}"
    assert (found.pattern, found.config, found.line) == ("rules/*.yml", config_path, 2)
    assert (missing.pattern, missing.line) == ("absent.yml", 3)


def _one_service_manifest(component: str, *mounts: tuple[str, str]) -> str:
    """A stack of one component (prometheus, alertmanager), its config in the folder of its name."""
    return (f"name: {component}\n{component}_config: {component}/{component}.yml\nservices:\n  {component}:\n"
            "    image: {local: x, registry: x}\n    mounts:\n"
            + "".join(f"      - {{source: {source}, target: {target}}}\n" for source, target in mounts))


def test_rule_files_written_as_the_container_reads_them_resolve_through_the_mounts(tmp_path):
    """``/etc/prometheus/x.yml`` is where Prometheus reads the file in its container; the deepest
    mount that covers a path decides where it is in the stack."""
    stack_dir = tmp_path / "stack"
    write_text(stack_dir / "manifest.yml", _one_service_manifest(
        "prometheus", ("prometheus", "/etc/prometheus"), ("shared-rules", "/etc/prometheus/shared")))
    config_path = write_text(stack_dir / "prometheus" / "prometheus.yml",
                             "rule_files:\n  - /etc/prometheus/alerts.yml\n  - /etc/prometheus/shared/*.yml\n"
                             "  - /etc/elsewhere/x.yml\n")
    alerts = write_text(stack_dir / "prometheus" / "alerts.yml", "groups: []\n")
    shared = write_text(stack_dir / "shared-rules" / "team.yml", "groups: []\n")
    entries = rule_file_entries(Stack.load(stack_dir), load_yaml(config_path))
    assert [e.matches for e in entries] == [(alerts,), (shared,), ()], entries


def test_a_rule_file_outside_the_stack_folder_is_matched_but_never_read(tmp_path):
    stack_dir = tmp_path / "stack"
    write_text(tmp_path / "outside" / "rules.yml", "groups: []\n")
    write_text(stack_dir / "manifest.yml", "name: rules only\nprometheus_config: prometheus.yml\n")
    config_path = write_text(stack_dir / "prometheus.yml", "rule_files:\n  - ../outside/*.yml\n")
    (entry,) = rule_file_entries(Stack.load(stack_dir), load_yaml(config_path))
    assert entry.matches == () and [p.resolve() for p, _ in entry.refused] == [tmp_path / "outside" / "rules.yml"], entry


def test_alert_rules_carry_the_lines_of_the_rule_and_its_expr(tmp_path):
    path = write_text(tmp_path / "analytics_rules.yml", RULE_FILE)
    rules = load_alert_rules(path)
    assert [r.name for r in rules] == ["PipelineFailureRate"], "recording rules are not alerts"
    rule = rules[0]
    assert rule.line == line_containing(path, "alert: PipelineFailureRate")
    assert rule.expr_line == line_containing(path, "expr: |")
    assert rule.location == f"{path}:{rule.line}"
    assert (rule.group, rule.for_, rule.labels) == ("pipeline_alerts", "2m", {"severity": "critical"})
    assert rule.expr.strip() == "pipeline:failures:rate5m > 0.1"


def test_a_valid_expr_parses(tmp_path):
    rule = load_alert_rules(write_text(tmp_path / "rules.yml", RULE_FILE))[0]
    assert rule.parse_expr() is not None


def test_invalid_promql_names_file_expr_line_and_problem(tmp_path):
    path = write_text(tmp_path / "rules.yml", RULE_FILE.replace("pipeline:failures:rate5m > 0.1", "sum(rate(x[5m]) > 0.1"))
    rule = load_alert_rules(path)[0]
    with pytest.raises(ConfigError) as caught:
        rule.parse_expr()
    error = caught.value
    expr_line = line_containing(path, "expr: |") + 1  # the expression's own line, after the block indicator
    assert (error.path, error.line) == (path, expr_line), f"expected {path}:{expr_line}, got {error.location}"
    assert "alert 'PipelineFailureRate': invalid PromQL: unclosed left parenthesis" in error.problem, error.problem
    assert "sum(rate(x[5m]) > 0.1" in str(error), "the offending expression is shown"


def test_a_rule_file_without_groups_is_a_config_error(tmp_path):
    path = write_text(tmp_path / "rules.yml", "rules:\n  - alert: Orphan\n")
    with pytest.raises(ConfigError, match="needs a 'groups' list") as caught:
        load_alert_rules(path)
    assert caught.value.line == 1, caught.value.location


def test_a_group_that_is_not_a_mapping_is_a_config_error(tmp_path):
    path = write_text(tmp_path / "rules.yml", "groups:\n  - pipeline_alerts\n")
    with pytest.raises(ConfigError) as caught:
        load_alert_rules(path)
    assert caught.value.line == 2, caught.value.location


def test_a_rule_files_entry_that_matches_a_folder_is_its_finding(tmp_path):
    """Prometheus refuses a folder named as a rule file; its rules must not vanish quietly."""
    stack_dir = tmp_path / "stack"
    write_text(stack_dir / "manifest.yml", "name: rules only\nprometheus_config: prometheus.yml\n")
    config_path = write_text(stack_dir / "prometheus.yml", "rule_files:\n  - alerts.yml\n")
    (stack_dir / "alerts.yml").mkdir()
    (entry,) = rule_file_entries(Stack.load(stack_dir), load_yaml(config_path))
    assert entry.matches == () and "is a folder" in entry.problem, entry


@pytest.mark.parametrize("template, rejected", [('{{ define "x" }}ok{{ end }}', False),
                                                ('{{ define "x" }}{{ .Unclosed ', True)])
def test_amtool_reads_templates_written_as_the_container_reads_them(tmp_path, template, rejected):
    """``templates: [/etc/alertmanager/templates/*.tmpl]`` is true in Alertmanager's container: amtool,
    run here, reads the stack's files through the mounts, and names the file as written."""
    from fixtures.validation import Validation

    stack_dir = tmp_path / "stack"
    write_text(stack_dir / "manifest.yml", _one_service_manifest("alertmanager", ("alertmanager", "/etc/alertmanager")))
    config = write_text(stack_dir / "alertmanager" / "alertmanager.yml",
                        "route: {receiver: r}\nreceivers: [{name: r}]\ntemplates:\n"
                        "  - /etc/alertmanager/templates/*.tmpl\n")
    write_text(stack_dir / "alertmanager" / "templates" / "x.tmpl", template)
    rejection = Validation(Stack.load(stack_dir)).amtool_rejection
    assert (rejection is not None) == rejected, rejection
    if rejection is not None:
        assert rejection.path == config and "mc-tools-" not in rejection.problem, rejection
