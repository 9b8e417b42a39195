"""Prometheus configuration and alert rules, checked without starting anything."""

from collections import Counter

import pytest

from fixtures.checks import at, at_rejection, expect, expect_no_defects, fail_config, named, not_applicable
from fixtures.dashboards.sources import judge
from fixtures.feeders.families import declared_families, series_at_least
from fixtures.model.configfiles import shared_config
from fixtures.model.operator import rule_document
from fixtures.model.rules import AlertRule, as_tools_read_it, selected_metrics
from fixtures.model.scrape_jobs import SCRAPE_SERIES, scrape_addresses
from fixtures.model.stackfiles import ConfigError
from fixtures.scenarios.model import load_scenario
from fixtures.semantics.alertmanager import relabelled_away, route_keys
from fixtures.semantics.prometheus import (
    alerting_targets,
    group_limits,
    label_overrides,
    limits_below,
    relabelled_metrics,
    slow_groups,
    template_labels,
    tls_mismatch,
    unloaded_rule_files,
)
from fixtures.tools import promtool_check_config, promtool_check_config_lacking
from fixtures.validation import blocked, require_loadable_rules, require_rule_files, require_valid

pytestmark = pytest.mark.stack_section("prometheus_config", what="Prometheus's configuration and alert rules")


@pytest.mark.conformance(component="prometheus", check="promtool check config", subject="prometheus.yml",
                         phase="static")
def test_promtool_check_config(stack, validation):
    require_rule_files(validation)  # promtool loads the rule files too
    with as_tools_read_it(stack, stack.prometheus_config_path, stack.prometheus_config) as readable:  # through the mounts
        result, left_out = promtool_check_config_lacking(readable, promtool_check_config(readable))
    output = result.output.replace(str(readable), str(stack.prometheus_config_path))
    where = at_rejection(stack.prometheus_config_path, output)
    expect(result.ok, f"{named(where)}: promtool rejects the configuration:\n{output}", where)
    if left_out:  # valid for Prometheus: what the tool here cannot judge is not judged
        not_applicable(f"promtool here is built without {', '.join(sorted(set(left_out.values())))}, which "
                       f"{stack.prometheus_config_path} uses (line {', '.join(map(str, sorted(left_out)))}; "
                       "Prometheus and its official image have it): the rest of the configuration is accepted, "
                       "those blocks are not checked")


@pytest.mark.conformance(component="prometheus", check="rule file exists",
                         phase="static", subject_kind="rule_file_entry")
def test_rule_file_exists(rule_file_entry):
    problem = rule_file_entry.problem  # a folder or an unreadable file too: its rules would vanish unreported
    expect(problem is None, f"{rule_file_entry.config}:{rule_file_entry.line}: {problem}",
           at(rule_file_entry.config, rule_file_entry.line))


@pytest.mark.conformance(component="prometheus", check="names a scrape job of prometheus.yml",
                         phase="static", subject_kind="scrape_target")
def test_scrape_target_names_a_job(scrape_target, stack, validation):
    """A role the manifest gives a job prometheus.yml does not scrape stands in for nothing: the
    job's metrics are judged, and fed, as if undeclared."""
    job, role, line = scrape_target
    require_valid(validation, stack.prometheus_config_path)
    jobs = sorted(scrape_addresses(stack.prometheus_config))
    expect(job in jobs, (
        f"{stack.manifest_path}:{line}: scrape_targets gives job '{job}' the role {role}, but prometheus.yml has no "
        f"scrape job '{job}' (its jobs: {jobs}); the synthetic target stands in for nothing"),
        at(stack.manifest_path, line))


@pytest.mark.conformance(component="prometheus", check="promtool check rules", phase="static", subject_kind="rule_file")
def test_promtool_check_rules(rule_file, validation):
    error = validation.promtool_rejection(rule_file)  # the finding that blocks the file's rules' checks
    if error is not None:
        fail_config(error)


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
    line = alert_rule.label_lines.get("severity", alert_rule.line)  # the label's own line, where it has one
    expect(severity in levels, (
        f"{alert_rule.file}:{line}: alert '{alert_rule.name}' has severity {severity!r}; "
        f"expected one of the stack's levels {levels}"
    ), at(alert_rule.file, line))


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
                         phase="static", subject_kind="alert_rule", inputs=("production",))
def test_rule_inputs_produced(alert_rule, stack_produced_metrics, evidence):
    """Every metric an alert reads (through the recording rules it reads) comes from a source the
    stack declares on the jobs it selects: its instrumentation, a synthetic exporter standing in for
    one, or a series its hand-written scenarios feed: a typo in a metric name is a rule that never fires."""
    _expect_inputs_produced(*_described(alert_rule), stack_produced_metrics, evidence)


@pytest.mark.conformance(component="prometheus", check="reads only metrics the stack produces",
                         phase="static", subject_kind="recording_rule", inputs=("production",))
def test_recording_rule_inputs_produced(recording_rule, stack_produced_metrics, evidence):
    """The same for a recording rule, read by an alert or not: a dashboard may read what it writes."""
    _expect_inputs_produced(*_described(recording_rule), stack_produced_metrics, evidence)


@pytest.mark.conformance(component="prometheus", check="selects only jobs the stack scrapes",
                         phase="static", subject_kind="alert_rule", inputs=("production",))
def test_rule_jobs_scraped(alert_rule, stack_produced_metrics, evidence):
    """Every job an alert selects (``job="x"``, ``job=~".*x.*"``, through the recording rules it
    reads) is one a scrape config of prometheus.yml produces, after its relabelling: a rule over a
    job nobody scrapes is empty for ever (or, in ``absent()``, always firing)."""
    _expect_jobs_scraped(*_described(alert_rule), stack_produced_metrics, evidence)


@pytest.mark.conformance(component="prometheus", check="selects only jobs the stack scrapes",
                         phase="static", subject_kind="recording_rule", inputs=("production",))
def test_recording_rule_jobs_scraped(recording_rule, stack_produced_metrics, evidence):
    _expect_jobs_scraped(*_described(recording_rule), stack_produced_metrics, evidence)


def _described(rule) -> tuple[str, str, str, dict]:
    """(how a finding names the rule, its location, its expression, where the finding is)."""
    if isinstance(rule, AlertRule):
        return f"alert '{rule.name}'", rule.location, rule.expr, at(rule.file, rule.expr_line, rule.expr)
    return f"recording rule '{rule.record}'", f"{rule.file}:{rule.line}", rule.expr, at(rule.file, rule.line, rule.expr)


def _reading(expr: str, produced):
    try:
        return judge(expr, produced)
    except ValueError:
        not_applicable("the expression does not parse (see 'expression parses')")


def _expect_inputs_produced(rule: str, location: str, expr: str, where: dict, produced, evidence) -> None:
    reading = _reading(expr, produced)
    evidence["reads"] = sorted(reading.reads)
    expect(not reading.names_missing, (
        f"{location}: {rule} reads {'; '.join(reading.names_missing)}, which nothing in the stack produces on "
        "those jobs (its instrumentation, exporters, recording rules or scenarios' series); a typo, or a metric "
        "that is no longer exposed, makes the rule empty for ever"), where)
    if reading.names_unknown:
        not_applicable(f"{rule}: {reading.names_unknown[0]}")
    if not reading.reads - SCRAPE_SERIES:
        not_applicable(f"{rule} reads no metric by name but the series Prometheus writes for every target")


def _expect_jobs_scraped(rule: str, location: str, expr: str, where: dict, produced, evidence) -> None:
    reading = _reading(expr, produced)
    evidence["jobs"] = reading.jobs_selected
    expect(not reading.jobs_missing, (
        f"{location}: {rule}: {'; '.join(reading.jobs_missing)} (its jobs: {sorted(produced.jobs.jobs)}"
        f"{''.join('; ' + e for e in produced.jobs.empty)}); the rule's selector is empty for ever"), where)
    if reading.jobs_unknown:
        not_applicable(f"{rule}: {reading.jobs_unknown[0]}")
    if not reading.jobs_selected:
        not_applicable(f"{rule} selects no job by name: nothing to hold against the scrape jobs")


@pytest.mark.conformance(component="prometheus", check="rule labels take effect", phase="static",
                         subject_kind="rule_file")
def test_rule_labels_take_effect(rule_file):
    expect_no_defects(label_overrides(rule_file, rule_document(rule_file)))  # a PrometheusRule too


@pytest.mark.conformance(component="prometheus", check="rules mean what they say", phase="static",
                         subject_kind="rule_file")
def test_rules_mean_what_they_say(rule_file, validation):
    """A counter function over a gauge (or a gauge function over a counter), an alert whose
    comparison returns every series (bool), an alert label templated with its value: Prometheus
    runs each, and the rule answers another question than it asks. The rule's behaviour checks are
    blocked by this finding: they could show only the symptom (fixtures/semantics/expressions.py)."""
    require_loadable_rules(validation, rule_file)
    expect_no_defects(validation.meanings_of(rule_file))


@pytest.mark.conformance(component="prometheus", check="templates name labels the alert carries", level="SHOULD",
                         phase="static", subject_kind="rule_file")
def test_template_labels_carried(rule_file, stack):
    external = ((stack.prometheus_config or {}).get("global") or {}).get("external_labels")
    expect_no_defects(template_labels(rule_file, rule_document(rule_file), external))


@pytest.mark.conformance(component="prometheus", check="group limit holds its alerts", phase="static",
                         subject_kind="rule_file")
def test_group_limit(rule_file, validation):
    expected: dict[str, int] = {}
    for path in validation.scenario_files:
        if validation.of(path):
            continue  # the scenario's own finding
        counts = Counter(alert.alertname for alert in load_scenario(path).firing)
        for name, count in counts.items():
            expected[name] = max(expected.get(name, 0), count)
    expect_no_defects(group_limits(rule_file, rule_document(rule_file), expected))


@pytest.mark.conformance(component="prometheus", check="group interval within its rules' for", level="SHOULD",
                         phase="static", subject_kind="rule_file")
def test_group_interval_within_for(rule_file):
    expect_no_defects(slow_groups(rule_file, rule_document(rule_file)))


@pytest.mark.conformance(component="prometheus", check="every rule file beside it is loaded", level="SHOULD",
                         subject="prometheus.yml", phase="static")
def test_rule_files_loaded(stack, validation):
    """A rule file in prometheus.yml's folder that rule_files does not name: its rules never run."""
    path = stack.prometheus_config_path
    require_valid(validation, path)
    if validation.missing_rule_files:  # an entry that matches nothing: that entry is the finding
        blocked(validation.missing_rule_files[0])
    config = shared_config(path)
    loaded = {file.resolve() for file in stack.rule_files}
    expect_no_defects(unloaded_rule_files(path.parent, loaded, f"{path.name}:{config.line_of_name('rule_files')}"))


@pytest.mark.conformance(component="prometheus", check="alerts go to an Alertmanager the stack serves",
                         subject="prometheus.yml", phase="static")
def test_alerting_targets_served(stack, validation):
    """Alerts are sent to a host the manifest serves, under a path it serves, and arrive with the
    labels alertmanager.yml's routes match on (alert_relabel_configs may drop them)."""
    path = stack.prometheus_config_path
    require_valid(validation, path)
    config = shared_config(path)
    if not ((config.get("alerting") or {}).get("alertmanagers")):
        not_applicable("prometheus.yml names no Alertmanager (alerting.alertmanagers)")
    defects = alerting_targets(path, config, stack.services)
    routing = stack.alertmanager_config_path if stack.declares("alertmanager_config") else None
    if routing is not None and not validation.of(routing):  # and they arrive with the labels the routes match on
        defects += relabelled_away(path, config, route_keys(shared_config(routing)), routing)
    expect_no_defects(defects)


@pytest.mark.conformance(component="prometheus", check="scrape and alerting settings let the data through",
                         subject="prometheus.yml", phase="static")
def test_settings_let_data_through(stack, validation):
    """https towards a service of the manifest serving plain HTTP, a sample_limit or target_limit
    below what a job certainly exposes, metric_relabel_configs dropping a metric the rules read, a
    scrape_interval longer than half the windows the rules read its jobs with: promtool accepts
    each, and the alerts or the rules' inputs never arrive."""
    path = stack.prometheus_config_path
    require_valid(validation, path)
    config = shared_config(path)
    declared = declared_families(stack)
    read: dict[str, str] = {}
    for rule in [*stack.alert_rules, *stack.recording_rules]:
        named = f"alert '{rule.name}'" if isinstance(rule, AlertRule) else f"recording rule '{rule.record}'"
        try:
            names = selected_metrics(rule.expr)
        except ValueError:
            continue  # 'expression parses' reports it
        for name in names:
            read.setdefault(name, f"{named} ({rule.file.name}:{rule.line})")
    expect_no_defects([*tls_mismatch(path, config, stack.services), *limits_below(path, config, series_at_least(stack)),
                       *relabelled_metrics(path, config, declared, read, validation.fed.jobs_of()),
                       *validation.short_windows.of_intervals])
