"""Dashboards, checked without starting anything: each file provisions, each panel's datasource
resolves (datasource variables included), every variable a query uses is defined, every metric a
panel reads is produced by some source of the stack (its recording rules included), thresholds
are ordered, and no panel uses a deprecated type."""

import difflib
import itertools
import re

import pytest

from fixtures.checks import at, expect, expect_no_defects, fail, named, not_applicable
from fixtures.dashboards.evaluate import dashboard_variables, percent_scale_problem, time_unit_problem
from fixtures.dashboards.sources import judge
from fixtures.dashboards.truth import unknown_facts
from fixtures.model.configfiles import LineMap
from fixtures.model.dashboard_variables import STATIC_PLACEHOLDER, undefined
from fixtures.model.dashboards import (
    DEPRECATED_PANEL_TYPES,
    MIXED,
    dashboard_holding,
    load_datasources,
    resolve_datasource,
    unresolved_reason,
)
from fixtures.model.interpolation import QueryContext, interpolate, legend_labels, references
from fixtures.model.rules import selected_metrics as metric_names
from fixtures.model.scrape_jobs import SCRAPE_SERIES
from fixtures.model.stack import CONFIG_SUFFIXES
from fixtures.references import provider_paths
from fixtures.semantics.grafana import (
    duplicate_titles,
    duplicate_uids,
    several_defaults,
    unknown_transformations,
    unparsed_variable_queries,
    unresolved_variable_sources,
    variable_cycles,
)
from fixtures.semantics.labels import nearest, output_labels
from fixtures.validation import require_declared, require_valid

pytestmark = pytest.mark.stack_section("grafana", what="Grafana dashboards")


@pytest.fixture(scope="session")
def datasources(stack):
    directory = stack.grafana_path("datasources")
    return load_datasources(directory) if directory else []


def _nominal(dashboard) -> QueryContext:
    """A context for a dashboard's queries with nominal values (any valid ones will do): variables
    as saved, query variables with nothing saved as placeholders."""
    return QueryContext(range_s=6 * 3600, end_s=0, scrape_interval_s=15,
                        variables=dashboard_variables(dashboard, None, 0))


@pytest.fixture(scope="session")
def dashboard_of(stack):
    """The dashboard a panel belongs to, and a context for its queries with nominal values."""
    def lookup(panel):
        dashboard = dashboard_holding(stack.dashboards, panel)
        return dashboard, _nominal(dashboard)

    return lookup


@pytest.mark.conformance(component="grafana", check="provisions as written", phase="static", subject_kind="dashboard")
def test_provisions(dashboard):
    problems = dashboard.provisioning_problems()
    line = next((line for _, line in problems if line), 1)
    expect(not problems, f"{dashboard.path}:{line}: Grafana file provisioning would not load this dashboard: "
                         + "; ".join(problem for problem, _ in problems), at(dashboard.path, line))


@pytest.mark.conformance(component="grafana", check="names a panel and its queries", phase="static",
                         subject_kind="panel_truth")
def test_panel_truth_names_a_panel(panel_truth, stack, validation):
    """A truth the manifest declares for a panel or query that does not exist (a misspelt title)
    would be checked nowhere: the panel's value check quietly disappears."""
    panel_id, ref_ids, line = panel_truth
    targets = stack.manifest["panel_truths"][panel_id]
    for ref_id in ref_ids:  # a fact the harness does not know could be checked nowhere either
        wrong = unknown_facts(targets[ref_id]) if isinstance(targets[ref_id], dict) else None
        if wrong:
            fact_line = targets[ref_id].line_of("fact")
            fail(f"{stack.manifest_path}:{fact_line}: panel_truths gives panel '{panel_id}' query {ref_id} a truth "
                 f"that cannot be evaluated: {wrong}", at(stack.manifest_path, fact_line))
    # A dashboard file that does not read holds panels nobody can see: that file's own finding.
    directory = stack.grafana_path("dashboards")
    require_declared(validation, directory)  # a misspelt folder: the manifest's finding
    require_valid(validation, *(sorted(p for p in directory.glob("*") if p.suffix in CONFIG_SUFFIXES)
                                if directory else []))
    panels = {panel.id: panel for dashboard in stack.dashboards for panel in dashboard.panels}
    where = at(stack.manifest_path, line)
    expect(panel_id in panels, (
        f"{stack.manifest_path}:{line}: panel_truths names panel '{panel_id}', which no dashboard of the stack has "
        f"(dashboard title/panel title; {_nearest(panel_id, panels)}); its value is checked nowhere"), where)
    panel = panels[panel_id]
    queries = [target.ref_id for target in panel.targets]
    repeat = next((t for n, t in enumerate(panel.targets) if t.ref_id in queries[:n]), None)
    if repeat is not None:  # the dashboard's defect: which query a truth is about cannot be told
        where = at(panel.file, repeat.ref_line or repeat.line or panel.line)
        fail(f"{named(where)}: panel '{panel_id}' has two queries with refId {repeat.ref_id!r} (its queries: "
             f"{queries}): Grafana keys each query's result by its refId, so one hides the other, and the truths "
             "panel_truths gives for its queries cannot be told apart", where)
    unknown = [ref for ref in ref_ids if ref not in queries]
    declared = stack.manifest["panel_truths"][panel_id]
    line = declared.line_of_name(unknown[0]) if unknown and isinstance(declared, LineMap) else line
    expect(not unknown, (
        f"{stack.manifest_path}:{line}: panel_truths gives panel '{panel_id}' truths for query {unknown}, which the "
        f"panel does not have (its queries: {queries}); their values are checked nowhere"), at(stack.manifest_path, line))


def _nearest(name: str, panels: dict) -> str:
    close = difflib.get_close_matches(name, list(panels), n=3)
    return f"did you mean {close}?" if close else f"{len(panels)} panel(s), none alike"


@pytest.mark.conformance(component="grafana", check="datasource resolves", phase="static", subject_kind="panel",
                         inputs=("datasources",))
def test_datasource_resolves(panel, datasources, dashboard_of):
    _require_queries(panel)
    dashboard, _ = dashboard_of(panel)
    written = [(t.datasource, t.datasource_line) for t in panel.targets if t.datasource is not None]
    if not (isinstance(panel.datasource, dict) and panel.datasource.get("uid") == MIXED or panel.datasource == MIXED):
        written.insert(0, (panel.datasource, panel.datasource_line))
    unmatched = [(ref, line) for ref, line in written if resolve_datasource(ref, datasources, dashboard) is None]
    unresolved = [ref for ref, _ in unmatched]
    known = [(d.name, d.uid) for d in datasources]
    reasons = "".join(f"; {reason}" for reason in {unresolved_reason(ref, dashboard) for ref in unresolved} if reason)
    # At the reference's uid (a name: the panel): the value that matches nothing.
    line = (unmatched[0][1] if unmatched else None) or panel.line
    expect(not unresolved, f"{panel.file}:{line}: panel '{panel.id}': datasource reference(s) {unresolved} match no "
                           f"provisioned datasource (name, uid): {known}{reasons}", at(panel.file, line))


@pytest.mark.conformance(component="grafana", check="template variables defined", phase="static", subject_kind="panel")
def test_variables_defined(panel, dashboard_of):
    _require_queries(panel)
    dashboard, _ = dashboard_of(panel)
    for target in panel.targets:
        missing = undefined(target.expr, dashboard.variables)
        line = target.line or panel.line
        expect(not missing, (
            f"{panel.file}:{line}: panel '{panel.id}' query {target.ref_id} `{target.expr}` uses {['$' + name for name in missing]}, "
            f"which the dashboard does not define (its variables: {[v.name for v in dashboard.variables]}): Grafana "
            "sends the reference as written"), at(panel.file, line))


@pytest.mark.conformance(component="grafana", check="metrics produced by the stack",
                         phase="static", subject_kind="panel", inputs=("production",))
def test_metrics_produced(panel, stack_produced_metrics, dashboard_of):
    # stack_produced_metrics (the plugin's): blocked by a defect in the instrumentation or prometheus.yml.
    # A recording rule the panel reads is judged through its inputs: its name alone proves nothing.
    unknown, read = [], set()
    for target, reading in _readings(panel, stack_produced_metrics, dashboard_of):
        expect(not reading.names_missing, (
            f"panel '{panel.id}' query {target.ref_id} `{target.expr}` reads {'; '.join(reading.names_missing)}, "
            "which no source of the stack produces on those jobs (instrumentation, exporter or hand-written "
            "scenario's series): it can only show nothing"), at(panel.file, target.line or panel.line))
        unknown += [f"query {target.ref_id}: {reason}" for reason in reading.names_unknown]
        read |= reading.reads
    if unknown:
        not_applicable(f"panel '{panel.id}' {unknown[0]}")
    if not read - SCRAPE_SERIES:
        not_applicable(f"panel '{panel.id}' reads no metric by name but the series Prometheus writes for every target")


@pytest.mark.conformance(component="grafana", check="selects only jobs the stack scrapes",
                         phase="static", subject_kind="panel", inputs=("production",))
def test_jobs_scraped(panel, stack_produced_metrics, dashboard_of):
    """Each job a panel's queries select (with its variables' saved values, through the recording
    rules it reads) is one a scrape config of prometheus.yml produces after relabelling."""
    unknown, selected = [], []
    dashboard, nominal = dashboard_of(panel)
    for target, reading in _readings(panel, stack_produced_metrics, dashboard_of):
        for variable, options in _job_options(target, dashboard, nominal, stack_produced_metrics):
            expect(not options.jobs_missing, (
                f"panel '{panel.id}' query {target.ref_id} reads ${variable.name}, whose query `{variable.query}` "
                f"{'; '.join(options.jobs_missing)}: the variable has no option, the panel shows nothing (its jobs: "
                f"{sorted(stack_produced_metrics.jobs.jobs)})"), at(dashboard.path, 1))
            unknown += options.jobs_unknown
            selected += options.jobs_selected
        expect(not reading.jobs_missing, (
            f"panel '{panel.id}' query {target.ref_id}: {'; '.join(reading.jobs_missing)} (its jobs: "
            f"{sorted(stack_produced_metrics.jobs.jobs)}): it can only show nothing"),
            at(panel.file, target.line or panel.line))
        unknown += reading.jobs_unknown
        selected += reading.jobs_selected
    if unknown:
        not_applicable(f"panel '{panel.id}': {unknown[0]}")
    if not selected:
        not_applicable(f"panel '{panel.id}' selects no job by name (statically): nothing to hold against the scrape jobs")


def _job_options(target, dashboard, nominal, produced):
    """(variable, what its query selects) for each query variable of ``target`` whose options are a
    job's values (``label_values(<selector>, job)``): statically it has no value, but its selector
    says which jobs it offers."""
    used = set(references(target.expr))
    for variable in dashboard.variables:
        found = re.fullmatch(r"label_values\((.+),\s*job\s*\)", variable.query.strip(), re.DOTALL)
        if variable.type == "query" and variable.name in used and found:
            try:
                yield variable, judge(interpolate(found[1], nominal), produced, unresolved=STATIC_PLACEHOLDER)
            except ValueError:
                continue  # the variable's query is the live checks' to run


def _readings(panel, produced, dashboard_of):
    """(target, what it reads held against ``produced``) per query of the panel; a panel without
    queries (text, row, news...) is valid and has nothing to judge."""
    _require_queries(panel)
    dashboard, nominal = dashboard_of(panel)
    found = []
    for target in panel.targets:
        _require_defined_variables(panel, target, dashboard)
        # Grafana's variables are interpolated first: `[$__rate_interval]` is not PromQL yet.
        query = _parsed(panel, target, nominal)
        found.append((target, judge(query, produced, unresolved=STATIC_PLACEHOLDER)))
    return found


def _require_queries(panel) -> None:
    """A panel without queries (text, row, news, dashlist...) is valid: the checks of what its
    queries read have nothing to judge there."""
    if not panel.targets:
        not_applicable(f"panel '{panel.id}' ({panel.type or 'no type'}) has no query: nothing to judge here")


def _require_defined_variables(panel, target, dashboard) -> None:
    """A query that uses a variable the dashboard does not define is test_variables_defined's
    finding: the checks that read the query are blocked by it."""
    missing = undefined(target.expr, dashboard.variables)
    if missing:
        where = at(panel.file, target.line or panel.line)
        not_applicable(f"blocked by {where['file']}:{where['line']}: panel '{panel.id}' query {target.ref_id} uses "
                       f"{['$' + name for name in missing]}, which the dashboard does not define "
                       "(template variables defined)")


def _parsed(panel, target, nominal) -> str:
    """The query with its variables' nominal values, checked to be PromQL."""
    query = interpolate(target.expr, nominal)
    try:
        metric_names(query)
    except ValueError as exc:
        if {v.name for v in nominal.variables} & set(references(target.expr)):
            not_applicable(f"panel '{panel.id}' query {target.ref_id} `{target.expr}` parses only once its "
                           f"variables have values (statically: `{query}`: {exc}); the live checks run it")
        fail(f"panel '{panel.id}' query {target.ref_id} `{query}` is not PromQL: {exc}",
             at(panel.file, target.line or panel.line))
    return query


@pytest.mark.conformance(component="grafana", check="unit matches what the query yields",
                         phase="static", subject_kind="panel")
def test_time_unit(panel, dashboard_of):
    _require_queries(panel)
    _, nominal = dashboard_of(panel)
    shown = [t for t in panel.targets if not t.hidden]
    if not shown:
        not_applicable(f"panel '{panel.id}': its table styles hide every query's values column: no unit shows them")
    for target in shown:
        query = interpolate(target.expr, nominal)
        try:
            problem = time_unit_problem(panel.unit_of(target), query)
        except ValueError as exc:
            not_applicable(f"panel '{panel.id}' query {target.ref_id} `{query}` does not parse statically ({exc}); "
                           "test_metrics_produced says why")
        expect(problem is None, f"panel '{panel.id}' query {target.ref_id} `{target.expr}`: {problem}")
        scale = percent_scale_problem(panel.unit, query)
        where = at(panel.file, panel.unit_line or panel.line)  # the unit is what is wrong
        expect(scale is None, f"{named(where)}: panel '{panel.id}' query {target.ref_id} `{target.expr}`: {scale}", where)


@pytest.mark.conformance(component="grafana", check="thresholds ordered", phase="static", subject_kind="panel")
def test_thresholds_ordered(panel):
    steps = [(v, line) for v, line in zip(panel.thresholds, panel.threshold_lines, strict=True) if v is not None]
    unordered = [step for step, after in itertools.pairwise(steps) if not step[0] < after[0]]
    line = (unordered[0][1] if unordered else None) or panel.line  # where the order breaks
    expect(not unordered,
           f"{panel.file}:{line}: panel '{panel.id}': threshold steps {list(panel.thresholds)} are not in increasing "
           "order: this step is not below the one after it",
           at(panel.file, line))


@pytest.mark.conformance(component="grafana", check="panel type current", level="SHOULD",
                         phase="static", subject_kind="panel")
def test_panel_type_current(panel):
    replacement = DEPRECATED_PANEL_TYPES.get(panel.type)
    expect(not replacement, f"panel '{panel.id}' uses the deprecated '{panel.type}' panel type; "
                            f"Grafana migrates it to '{replacement}'")


@pytest.mark.conformance(component="grafana", check="uid unique", phase="static", subject_kind="dashboard")
def test_uid_unique(dashboard, stack):
    """Grafana's file provisioning keeps one dashboard per uid: the later one sharing it never appears."""
    others = stack.dashboards
    before = [d for d in others if d.path < dashboard.path]
    expect_no_defects([e for e in duplicate_uids([*before, dashboard]) if e.path == dashboard.path])


@pytest.mark.conformance(component="grafana", check="title unique in its folder", phase="static",
                         subject_kind="dashboard")
def test_title_unique(dashboard, stack):
    """Grafana saves one dashboard per title in a folder: the later one sharing it never appears."""
    before = [d for d in stack.dashboards if d.path < dashboard.path]
    expect_no_defects([e for e in duplicate_titles([*before, dashboard]) if e.path == dashboard.path])


@pytest.mark.conformance(component="grafana", check="one default data source", subject="datasources",
                         phase="static")
def test_one_default_datasource(stack, validation):
    files = [path for path in validation.datasource_files() if not validation.of(path)]
    if not files:
        not_applicable("the stack provisions no data source that reads")
    expect_no_defects(several_defaults(files))


@pytest.mark.conformance(component="grafana", check="dashboard providers read a mounted folder", subject="providers",
                         phase="static")
def test_dashboard_providers_mounted(stack):
    expect_no_defects(provider_paths(stack))


@pytest.mark.conformance(component="grafana", check="variable datasource resolves", phase="static",
                         subject_kind="dashboard", inputs=("datasources",))
def test_variable_datasource_resolves(dashboard, datasources):
    if not datasources:
        not_applicable("the stack provisions no data source to resolve against")
    expect_no_defects(unresolved_variable_sources(dashboard, datasources))


@pytest.mark.conformance(component="grafana", check="transformations known", phase="static", subject_kind="panel")
def test_transformations_known(panel):
    if not panel.transformations:
        not_applicable(f"panel '{panel.id}' applies no transformation")
    expect_no_defects(unknown_transformations(panel))


@pytest.mark.conformance(component="grafana", check="legend names labels the query keeps", phase="static",
                         subject_kind="panel")
def test_legend_labels_kept(panel, dashboard_of):
    """A legend naming a label the query's result cannot carry (its aggregation keeps others):
    Grafana writes nothing in its place, and the series cannot be told apart."""
    _require_queries(panel)
    _, nominal = dashboard_of(panel)
    judged = False
    for target in panel.targets:
        named_labels = [n for n in legend_labels(target.legend_format) if not n.startswith("__")]
        try:
            kept = output_labels(interpolate(target.expr, nominal)) if named_labels else None
        except ValueError:
            continue  # a query that does not parse: test_metrics_produced says why
        if kept is None:
            continue  # any label may come through (a bare selector's series), or none is named
        judged = True
        dropped = [n for n in named_labels if n not in kept]
        near = nearest(dropped[0], kept) if dropped else None
        where = at(panel.file, target.legend_line or target.line or panel.line)
        expect(not dropped, (
            f"{named(where)}: panel '{panel.id}' query {target.ref_id}: legend {target.legend_format!r} names "
            f"{dropped}, which the result of `{target.expr}` cannot carry (it keeps {sorted(kept)})"
            f"{f'; did you mean {near!r}?' if near else ''}: Grafana writes nothing in its place"), where)
    if not judged:
        not_applicable(f"panel '{panel.id}': no legend names a label of a query whose result's labels are known")


@pytest.mark.conformance(component="grafana", check="template variables resolve", phase="static",
                         subject_kind="dashboard", inputs=("datasources",))
def test_template_variables_resolve(dashboard, datasources):
    """Each Prometheus query variable's PromQL parses, and no variable depends on itself."""
    if not dashboard.variables:
        not_applicable(f"dashboard '{dashboard.title}' defines no template variable")
    expect_no_defects(variable_cycles(dashboard)
                      + unparsed_variable_queries(dashboard, datasources, _nominal(dashboard)))
