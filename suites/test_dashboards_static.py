"""Dashboards, checked without starting anything: each file provisions, each panel's datasource
resolves (datasource variables included), every variable a query uses is defined, every metric a
panel reads is produced by some source of the stack (its recording rules included), thresholds
are ordered, and no panel uses a deprecated type."""

import pytest

from fixtures.checks import at, expect, expect_no_defects, fail, not_applicable
from fixtures.dashboards.evaluate import dashboard_variables, time_unit_problem
from fixtures.dashboards.interpolation import QueryContext, interpolate, references
from fixtures.dashboards.model import (
    DEPRECATED_PANEL_TYPES,
    MIXED,
    load_datasources,
    resolve_datasource,
    unresolved_reason,
)
from fixtures.dashboards.sources import NO_DECLARED_PRODUCER, declares_producers
from fixtures.dashboards.variables import STATIC_PLACEHOLDER, undefined
from fixtures.rules import selected_metrics as metric_names
from fixtures.subjects import dashboards

pytestmark = pytest.mark.stack_section("grafana", what="Grafana dashboards")


@pytest.fixture(scope="session")
def datasources(stack):
    directory = stack.grafana_path("datasources")
    return load_datasources(directory) if directory else []


@pytest.fixture(scope="session")
def dashboard_of(stack):
    """The dashboard a panel belongs to, and a context for its queries with nominal values (any
    valid ones will do): variables as saved, query variables with nothing saved as placeholders."""
    found = {d.path: d for d in dashboards(stack)}

    def lookup(panel):
        dashboard = found[panel.file]
        nominal = QueryContext(range_s=6 * 3600, end_s=0, scrape_interval_s=15,
                               variables=dashboard_variables(dashboard, None, 0))
        return dashboard, nominal

    return lookup


@pytest.mark.conformance(component="grafana", check="provisions as written", phase="static", subject_kind="dashboard")
def test_provisions(dashboard):
    problems = dashboard.provisioning_problems()
    expect(not problems, f"{dashboard.path}: Grafana file provisioning would not load this dashboard: "
                         + "; ".join(problems), at(dashboard.path, 1))


@pytest.mark.conformance(component="grafana", check="datasource resolves", phase="static", subject_kind="panel")
def test_datasource_resolves(panel, datasources, dashboard_of):
    dashboard, _ = dashboard_of(panel)
    references = [t.datasource for t in panel.targets if t.datasource is not None]
    if not (isinstance(panel.datasource, dict) and panel.datasource.get("uid") == MIXED or panel.datasource == MIXED):
        references.insert(0, panel.datasource)
    unresolved = [ref for ref in references if resolve_datasource(ref, datasources, dashboard) is None]
    known = [(d.name, d.uid) for d in datasources]
    reasons = "".join(f"; {reason}" for reason in {unresolved_reason(ref, dashboard) for ref in unresolved} if reason)
    expect(not unresolved, f"panel '{panel.id}': datasource reference(s) {unresolved} match no provisioned "
                           f"datasource (name, uid): {known}{reasons}")


@pytest.mark.conformance(component="grafana", check="template variables defined", phase="static", subject_kind="panel")
def test_variables_defined(panel, dashboard_of):
    dashboard, _ = dashboard_of(panel)
    for target in panel.targets:
        missing = undefined(target.expr, dashboard.variables)
        line = target.line or panel.line
        expect(not missing, (
            f"{panel.file}:{line}: panel '{panel.id}' query {target.ref_id} `{target.expr}` uses {['$' + name for name in missing]}, "
            f"which the dashboard does not define (its variables: {[v.name for v in dashboard.variables]}): Grafana "
            "sends the reference as written"), at(panel.file, line))


@pytest.mark.conformance(component="grafana", check="metrics produced by the stack",
                         phase="static", subject_kind="panel")
def test_metrics_produced(panel, stack, stack_produced_metrics, dashboard_of):
    # stack_produced_metrics (the plugin's): blocked by a defect in the instrumentation or prometheus.yml.
    produced = stack_produced_metrics
    expect(panel.targets, f"panel '{panel.id}' has no query")
    dashboard, nominal = dashboard_of(panel)
    for target in panel.targets:
        _require_defined_variables(panel, target, dashboard)
        # Grafana's variables are interpolated first: `[$__rate_interval]` is not PromQL yet.
        used = {name for name in _metric_names(panel, target, nominal) if STATIC_PLACEHOLDER not in name}
        missing = sorted(used - produced)
        if missing and not declares_producers(stack, produced):
            not_applicable(f"panel '{panel.id}' query {target.ref_id} reads {missing}, and {NO_DECLARED_PRODUCER}")
        expect(not missing, (
            f"panel '{panel.id}' query {target.ref_id} `{target.expr}` reads {missing}, which no source of the "
            "stack produces (instrumentation, exporter or recording rule): it can only show nothing"),
            at(panel.file, target.line or panel.line))


def _require_defined_variables(panel, target, dashboard) -> None:
    """A query that uses a variable the dashboard does not define is test_variables_defined's
    finding: the checks that read the query are blocked by it."""
    missing = undefined(target.expr, dashboard.variables)
    if missing:
        where = at(panel.file, target.line or panel.line)
        not_applicable(f"blocked by {where['file']}:{where['line']}: panel '{panel.id}' query {target.ref_id} uses "
                       f"{['$' + name for name in missing]}, which the dashboard does not define "
                       "(template variables defined)")


def _metric_names(panel, target, nominal) -> set[str]:
    query = interpolate(target.expr, nominal)
    try:
        return metric_names(query)
    except ValueError as exc:
        if {v.name for v in nominal.variables} & set(references(target.expr)):
            not_applicable(f"panel '{panel.id}' query {target.ref_id} `{target.expr}` parses only once its "
                           f"variables have values (statically: `{query}`: {exc}); the live checks run it")
        fail(f"panel '{panel.id}' query {target.ref_id} `{query}` is not PromQL: {exc}",
             at(panel.file, target.line or panel.line))


@pytest.mark.conformance(component="grafana", check="unit matches what the query yields",
                         phase="static", subject_kind="panel")
def test_time_unit(panel, dashboard_of):
    _, nominal = dashboard_of(panel)
    for target in panel.targets:
        query = interpolate(target.expr, nominal)
        try:
            problem = time_unit_problem(panel.unit, query)
        except ValueError as exc:
            not_applicable(f"panel '{panel.id}' query {target.ref_id} `{query}` does not parse statically ({exc}); "
                           "test_metrics_produced says why")
        expect(problem is None, f"panel '{panel.id}' query {target.ref_id} `{target.expr}`: {problem}")


@pytest.mark.conformance(component="grafana", check="thresholds ordered", phase="static", subject_kind="panel")
def test_thresholds_ordered(panel):
    values = [v for v in panel.thresholds if v is not None]
    expect(values == sorted(values) and len(set(values)) == len(values),
           f"panel '{panel.id}': threshold steps {list(panel.thresholds)} are not in increasing order")


@pytest.mark.conformance(component="grafana", check="panel type current", level="SHOULD",
                         phase="static", subject_kind="panel")
def test_panel_type_current(panel):
    replacement = DEPRECATED_PANEL_TYPES.get(panel.type)
    expect(not replacement, f"panel '{panel.id}' uses the deprecated '{panel.type}' panel type; "
                            f"Grafana migrates it to '{replacement}'")


@pytest.mark.conformance(component="grafana", check="uid unique", phase="static", subject_kind="dashboard")
def test_uid_unique(dashboard, stack):
    """Grafana's file provisioning keeps one dashboard per uid: the later one sharing it never appears."""
    from fixtures.semantics import duplicate_uids
    from fixtures.subjects import dashboards

    others = dashboards(stack)
    before = [d for d in others if d.path < dashboard.path]
    expect_no_defects([e for e in duplicate_uids([*before, dashboard]) if e.path == dashboard.path])
