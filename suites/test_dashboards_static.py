"""Dashboards, checked without starting anything: each file provisions, each panel's datasource
resolves, every metric a panel reads is produced by some source of the stack, thresholds are
ordered, and no panel uses a deprecated type."""

import pytest

from fixtures.checks import at, expect
from fixtures.dashboards.evaluate import time_unit_problem
from fixtures.dashboards.interpolation import QueryContext, interpolate
from fixtures.dashboards.model import DEPRECATED_PANEL_TYPES, load_datasources, resolve_datasource
from fixtures.dashboards.sources import metric_names, produced_metrics

pytestmark = pytest.mark.stack_section("grafana", what="Grafana dashboards")

NOMINAL = QueryContext(range_s=6 * 3600, end_s=0, scrape_interval_s=15)  # any valid values will do


@pytest.fixture(scope="session")
def datasources(stack):
    directory = stack.grafana_path("datasources")
    return load_datasources(directory) if directory else []


@pytest.fixture(scope="session")
def produced(stack):
    return produced_metrics(stack)


@pytest.mark.conformance(component="grafana", check="provisions as written")
def test_provisions(dashboard):
    problems = dashboard.provisioning_problems()
    expect(not problems, f"{dashboard.path}: Grafana file provisioning would not load this dashboard: "
                         + "; ".join(problems), at(dashboard.path, 1))


@pytest.mark.conformance(component="grafana", check="datasource resolves")
def test_datasource_resolves(panel, datasources):
    references = [panel.datasource] + [t.datasource for t in panel.targets if t.datasource is not None]
    unresolved = [ref for ref in references if resolve_datasource(ref, datasources) is None]
    known = [(d.name, d.uid) for d in datasources]
    expect(not unresolved, f"panel '{panel.id}': datasource reference(s) {unresolved} match no provisioned "
                           f"datasource (name, uid): {known}")


@pytest.mark.conformance(component="grafana", check="metrics produced by the stack")
def test_metrics_produced(panel, produced):
    expect(panel.targets, f"panel '{panel.id}' has no query")
    for target in panel.targets:
        # Grafana's variables are interpolated first: `[$__rate_interval]` is not PromQL yet.
        used = metric_names(interpolate(target.expr, NOMINAL))
        missing = sorted(used - produced)
        expect(not missing, (
            f"panel '{panel.id}' query {target.ref_id} `{target.expr}` reads {missing}, which no source of the "
            "stack produces (instrumentation or exporter): it can only show nothing"))


@pytest.mark.conformance(component="grafana", check="unit matches what the query yields")
def test_time_unit(panel):
    for target in panel.targets:
        problem = time_unit_problem(panel.unit, interpolate(target.expr, NOMINAL))
        expect(problem is None, f"panel '{panel.id}' query {target.ref_id} `{target.expr}`: {problem}")


@pytest.mark.conformance(component="grafana", check="thresholds ordered")
def test_thresholds_ordered(panel):
    values = [v for v in panel.thresholds if v is not None]
    expect(values == sorted(values) and len(set(values)) == len(values),
           f"panel '{panel.id}': threshold steps {list(panel.thresholds)} are not in increasing order")


@pytest.mark.conformance(component="grafana", check="panel type current", level="SHOULD")
def test_panel_type_current(panel):
    replacement = DEPRECATED_PANEL_TYPES.get(panel.type)
    expect(not replacement, f"panel '{panel.id}' uses the deprecated '{panel.type}' panel type; "
                            f"Grafana migrates it to '{replacement}'")
