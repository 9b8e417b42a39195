"""Prometheus configuration and alert rules, checked without starting anything."""

import pytest

from fixtures.checks import at, at_output, expect, fail_config, not_applicable
from fixtures.configfiles import ConfigError
from fixtures.dashboards.sources import NO_DECLARED_PRODUCER, declares_producers
from fixtures.operator import for_promtool
from fixtures.rules import as_tools_read_it, metrics_read
from fixtures.subjects import prometheus_config, recording_rules
from fixtures.tools import promtool_check_config, promtool_check_rules
from fixtures.validation import require_rule_files

pytestmark = pytest.mark.stack_section("prometheus_config", what="Prometheus's configuration and alert rules")


@pytest.mark.conformance(component="prometheus", check="promtool check config", subject="prometheus.yml",
                         phase="static")
def test_promtool_check_config(stack, validation):
    require_rule_files(validation)  # promtool loads the rule files too
    with as_tools_read_it(stack, stack.prometheus_config_path, prometheus_config(stack)) as readable:  # through the mounts
        result = promtool_check_config(readable)
    output = result.output.replace(str(readable), str(stack.prometheus_config_path))
    expect(result.ok, f"{stack.prometheus_config_path}: promtool rejects the configuration:\n{output}",
           at_output(stack.prometheus_config_path, output))


@pytest.mark.conformance(component="prometheus", check="rule file exists",
                         phase="static", subject_kind="rule_file_entry")
def test_rule_file_exists(rule_file_entry):
    expect(rule_file_entry.problem is None, f"{rule_file_entry.config}:{rule_file_entry.line}: {rule_file_entry.problem}",
           at(rule_file_entry.config, rule_file_entry.line))


@pytest.mark.conformance(component="prometheus", check="promtool check rules", phase="static", subject_kind="rule_file")
def test_promtool_check_rules(rule_file):
    readable = for_promtool(rule_file)  # a PrometheusRule's plain copy, with the same lines
    result = promtool_check_rules(readable)
    output = result.output.replace(str(readable), str(rule_file))
    expect(result.ok, f"{rule_file}: promtool rejects the rules:\n{output}", at_output(rule_file, output))


@pytest.mark.conformance(component="prometheus", check="expression parses", phase="static", subject_kind="alert_rule")
def test_expression_parses(alert_rule):
    try:
        alert_rule.parse_expr()
    except ConfigError as exc:
        fail_config(exc)


@pytest.mark.conformance(component="prometheus", check="severity label", phase="static", subject_kind="alert_rule")
def test_severity_label(alert_rule, stack):
    levels = list(stack.severity_receivers)
    if not levels:
        not_applicable(f"{stack.manifest_path.name} declares no severity_levels to hold the rule's severity against")
    severity = alert_rule.labels.get("severity")
    expect(severity in levels, (
        f"{alert_rule.location}: alert '{alert_rule.name}' has severity {severity!r}; "
        f"expected one of the stack's levels {levels}"
    ), at(alert_rule.file, alert_rule.line))


@pytest.mark.conformance(component="prometheus", check="summary and description",
                         phase="static", subject_kind="alert_rule")
def test_annotations(alert_rule, stack):
    required = stack.manifest.get("required_annotations") or []
    if not required:
        not_applicable(f"{stack.manifest_path.name} requires no annotations (required_annotations); Prometheus "
                       "accepts a rule without any")
    missing = [name for name in required if not str(alert_rule.annotations.get(name, "")).strip()]
    expect(not missing, f"{alert_rule.location}: alert '{alert_rule.name}' lacks annotation(s) {missing}",
           at(alert_rule.file, alert_rule.line))


@pytest.mark.conformance(component="prometheus", check="reads only metrics the stack produces",
                         phase="static", subject_kind="alert_rule")
def test_rule_inputs_produced(alert_rule, stack, stack_produced_metrics, evidence):
    """Every metric an alert reads (through the recording rules it reads) comes from the stack's
    instrumentation, a synthetic exporter standing in for one it declares, or a series its
    hand-written scenarios feed on a scrape job: a typo in a metric name is a rule that never fires."""
    _expect_inputs_produced(f"alert '{alert_rule.name}'", alert_rule.location, alert_rule.expr,
                            at(alert_rule.file, alert_rule.expr_line, alert_rule.expr), stack, stack_produced_metrics, evidence)


@pytest.mark.conformance(component="prometheus", check="reads only metrics the stack produces",
                         phase="static", subject_kind="recording_rule")
def test_recording_rule_inputs_produced(recording_rule, stack, stack_produced_metrics, evidence):
    """The same for a recording rule, read by an alert or not: a dashboard may read what it writes."""
    _expect_inputs_produced(f"recording rule '{recording_rule.record}'", f"{recording_rule.file}:{recording_rule.line}",
                            recording_rule.expr, at(recording_rule.file, recording_rule.line, recording_rule.expr),
                            stack, stack_produced_metrics, evidence)


def _expect_inputs_produced(rule: str, location: str, expr: str, where: dict, stack, produced: set[str],
                            evidence) -> None:
    if not declares_producers(stack, produced):
        not_applicable(NO_DECLARED_PRODUCER)
    try:
        reads = metrics_read(expr, recording_rules(stack))
    except ValueError:
        not_applicable("the expression does not parse (see 'expression parses')")
    missing = sorted(reads - produced)
    evidence["reads"] = sorted(reads)
    expect(not missing, (
        f"{location}: {rule} reads {', '.join(missing)}, which nothing in the stack produces (its "
        "instrumentation, exporters, recording rules or scenarios' series); a typo, or a metric that is no "
        "longer exposed, makes the rule empty for ever"),
        where)
