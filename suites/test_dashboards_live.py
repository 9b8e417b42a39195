"""Every dashboard panel on the live stack: each query returns data over the dashboard's time
range, the unit fits what it yields, every legend label exists, and where the stack declares
what a panel should show, the value agrees with what the live feed knows. Template variables get
the values Grafana gives them on load (query variables are run against the live Prometheus).
A panel that shows nothing fails its data check, saying why: a metric it reads (or a recording
rule's input) that nothing the stack declares produces, a template variable without options,
selectors matching none of its metrics' series. Where a metric it reads is not in the live
Prometheus although the stack may produce it (the live run fed nothing of it), the check is not
applicable, with that reason. Its unit, legend and value checks could not fail on it, so they are
not applicable. Nor are its selectors and legend judged against metrics the live run fed only as
series derived for alert rules: their labels are the derivation's, not the exporter's.

Path: Grafana is not installable on air-gapped machines, so each target is interpolated by the
harness the way Grafana documents it and run against the live Prometheus; the report says so.
"""

import time

import pytest

from fixtures.checks import expect, fail, not_applicable, require_running
from fixtures.dashboards.evaluate import (
    PrometheusLookups,
    bounds_problem,
    dashboard_variables,
    run_target,
    run_through_grafana,
    settling_window_s,
)
from fixtures.dashboards.sources import declares_producers, produced_metrics
from fixtures.dashboards.truth import panel_truths
from fixtures.model.dashboards import dashboard_holding, load_datasources, resolve_datasource
from fixtures.model.interpolation import legend, legend_labels, references
from fixtures.model.rules import metrics_read, selected_metrics
from fixtures.polling import poll

pytestmark = [pytest.mark.live, pytest.mark.stack_section("grafana", "services", what="Grafana dashboards, live")]
INTERPOLATED = ("dashboards: Grafana is not available in this profile; each panel query was interpolated by the "
                "harness as Grafana documents it ($__interval, $__rate_interval, $__range, template variables, "
                "legend format) and run against the live Prometheus")
THROUGH_GRAFANA = ("dashboards: provisioned into Grafana from the stack's files; each panel query ran through "
                   "Grafana's /api/ds/query")
DATA_DEADLINE_S = 90.0  # two scrapes of the slowest job and a rate window's first pair of samples
SETTLE_CAP_S = 600.0


class PanelRuns:
    """Every panel evaluated once the live feed has had time to produce data; timed per dashboard."""

    def __init__(self, live_stack, stack):
        self.live = live_stack
        self.results = {}
        self.variables = {}  # panel id -> its dashboard's variables, as last resolved (a file may hold several)
        self.load_s = {}
        if "prometheus" in live_stack.failures:
            return
        directory = stack.grafana_path("datasources")
        self.datasources = load_datasources(directory) if directory else []
        self.dashboards = stack.dashboards
        self.grafana = live_stack.grafana
        poll(self._evaluate_all, lambda complete: complete, timeout=DATA_DEADLINE_S, interval=5,
             what="every panel's queries to return data")
        live_stack.notes.append(THROUGH_GRAFANA if self.grafana else INTERPOLATED)
        for title, seconds_ in self.load_s.items():
            live_stack.timings[f"dashboard_load_s[{title}]"] = round(seconds_, 3)

    def _evaluate_all(self) -> bool:
        complete = True
        for dashboard in self.dashboards:
            began = time.monotonic()
            variables = dashboard_variables(dashboard, PrometheusLookups(self.live.prometheus), time.time())
            for panel in dashboard.panels:
                self.variables[panel.id] = variables
                self.results[panel.id] = [self._run(dashboard, panel, target) for target in panel.targets]
                complete &= all(r.has_data for r in self.results[panel.id])
            self.load_s[dashboard.title] = time.monotonic() - began
        return complete

    def _run(self, dashboard, panel, target):
        source = resolve_datasource(target.datasource or panel.datasource, self.datasources, dashboard)
        variables = self.variables[panel.id]
        if self.grafana is None:
            return run_target(self.live.prometheus, dashboard, panel, target, source, variables)
        return run_through_grafana(self.grafana, dashboard, panel, target, source, variables)

    def rerun(self, panel, target):
        dashboard = dashboard_holding(self.dashboards, panel)
        return self._run(dashboard, panel, target)


@pytest.fixture(scope="session")
def panel_runs(live_stack, stack):
    return PanelRuns(live_stack, stack)


def _results(panel, live_stack, panel_runs):
    require_running(live_stack, "prometheus")
    if not panel.targets:  # a text, row or news panel is valid without one
        not_applicable(f"panel '{panel.id}' ({panel.type or 'no type'}) has no query: nothing to judge live")
    results = panel_runs.results[panel.id]
    expect(results, f"panel '{panel.id}' has no query to run")
    return results


def _observed(result) -> dict:
    """A query's evidence: as run, and the last value of each series (at most ten)."""
    series = [{"labels": s.labels, "last": s.last, "points": len(s.values)} for s in result.series]
    return {"query": result.query, "as written": result.target.expr, "variables": result.variables,
            "error": result.error, "series": series[:10], "series count": len(series)}


def _with_data(panel, results, check: str) -> list:
    """The results that returned data; the check is not applicable when none did."""
    shown = [r for r in results if r.has_data]
    if not shown:
        not_applicable(f"panel '{panel.id}' returned no data ({', '.join(_why_empty(r) for r in results)}): "
                       f"no {check} to judge; test_panel_has_data reports why")
    return shown


def _why_empty(result) -> str:
    return f"query {result.target.ref_id}: {result.error or 'no series'}"


def _variables_note(result) -> str:
    return f"; variables: {'; '.join(result.variables)}" if result.variables else ""


@pytest.mark.conformance(component="grafana", check="panel returns data (live)", phase="live", subject_kind="panel",
                         inputs=("production", "datasources"))
def test_panel_has_data(panel, live_stack, panel_runs, evidence, stack):
    evidence["unit"] = panel.unit or "none"
    evidence["type"] = panel.type
    for result in _results(panel, live_stack, panel_runs):
        evidence[f"query {result.target.ref_id}"] = _observed(result)
        expect(result.error is None, f"panel '{panel.id}' query {result.target.ref_id} `{result.query}` "
                                     f"(as written: `{result.target.expr}`): refused: {result.error}"
                                     f"{_variables_note(result)}")
        if result.has_data:
            continue
        missing = _not_fed(result, live_stack, stack)
        evidence[f"query {result.target.ref_id}"]["why no data"] = (
            "; ".join(missing.values()) if missing else _empty_variables(result, panel, panel_runs))
        if missing:
            produced = produced_metrics(stack)
            unproduced = sorted(name for name in missing if name not in produced)
            if declares_producers(stack, produced) and unproduced:
                fail(f"panel '{panel.id}' query {result.target.ref_id} `{result.query}` returned no data live: "
                     f"{'; '.join(missing.values())}; nothing the stack declares produces {unproduced}")
            not_applicable(f"panel '{panel.id}' query {result.target.ref_id} returned no data: "
                           f"{'; '.join(missing.values())}; the live run could not have shown it")
        why = _empty_variables(result, panel, panel_runs)
        guessed = _invented(result, live_stack, stack)
        if guessed:  # its selectors, or its variables' options, were held against invented labels
            not_applicable(f"panel '{panel.id}' query {result.target.ref_id} returned no data ({why}): "
                           f"{_guessed(guessed)}: that nothing matched says nothing of the panel")
        fail(f"panel '{panel.id}' query {result.target.ref_id} `{result.query}` (as written: `{result.target.expr}`) "
             f"returned no data over the dashboard's time range after {DATA_DEADLINE_S:.0f}s of live feed: "
             f"{why}; series: {[s.labels for s in result.series] or 'none'}{_variables_note(result)}")


def _invented(result, live_stack, stack) -> set[str]:
    """The metrics the query reads (a recording rule's through its inputs) that the live run fed
    only as series derived for alert rules, with labels of the derivation's choosing."""
    try:
        reads = metrics_read(result.query, stack.recording_rules)
    except ValueError:  # a query Prometheus refused is reported as refused
        return set()
    return live_stack.plan.invented(reads, live_stack.targets)


def _guessed(names: set[str]) -> str:
    return (f"{', '.join(sorted(names))} fed live only as series derived for the alert rules, with the labels "
            "derivation chose to make them fire, not those the stack's exporters give them")


def _not_fed(result, live_stack, stack) -> dict[str, str]:
    """The scraped metrics the query reads (a recording rule's, through its inputs) that are not
    in the live Prometheus at all, each with how it was missed; empty where all are there."""
    try:
        names = sorted(selected_metrics(result.query))
    except ValueError:  # a query Prometheus refused is reported as refused
        return {}
    lookups, now = PrometheusLookups(live_stack.prometheus), time.time()
    recording = stack.recording_rules
    recorded = {rule.record: rule.expr for rule in recording}

    def present(name: str) -> bool:
        try:
            return bool(lookups.series(f'{{__name__="{name}"}}', now - 3600, now))
        except LookupError:
            return True  # not known to be missing: no excuse taken
    missing = {}
    for name in (n for n in names if not present(n)):
        if name not in recorded:
            missing[name] = f"metric {name} is not in the live Prometheus (no target of the run exposes it)"
            continue
        for source in sorted(n for n in metrics_read(recorded[name], recording) if not present(n)):
            missing[source] = f"recording rule {name} wrote nothing: its input {source} is not in the live Prometheus"
    return missing


def _empty_variables(result, panel, panel_runs) -> str:
    """Why a query whose metrics are there shows nothing: a template variable with no options
    (Grafana then substitutes nothing), else its selectors match none of the series."""
    used = set(references(result.target.expr))
    empty = [v for v in panel_runs.variables.get(panel.id, ()) if v.name in used and not v.values
             and v.all_value is None and not v.error]
    if empty:
        return "; ".join(f"template variable ${v.name} has no options live ({v.source or 'its query found nothing'})"
                         for v in empty)
    return "its metrics are in Prometheus, but its selectors and filters match none of their series"


@pytest.mark.conformance(component="grafana", check="values fit the unit (live)", phase="live", subject_kind="panel",
                         inputs=("production", "datasources"))
def test_panel_unit(panel, live_stack, panel_runs):
    shown = [r for r in _results(panel, live_stack, panel_runs) if not r.target.hidden]
    if not shown:
        not_applicable(f"panel '{panel.id}': its table styles hide every query's values column: no unit shows them")
    for result in _with_data(panel, shown, "unit"):
        values = [v for s in result.series for v in s.values]
        problem = bounds_problem(panel.unit_of(result.target), values)
        expect(problem is None, f"panel '{panel.id}' query {result.target.ref_id} `{result.query}`: {problem}")


@pytest.mark.conformance(component="grafana", check="legend labels exist (live)", phase="live", subject_kind="panel",
                         inputs=("production", "datasources"))
def test_panel_legend(panel, live_stack, panel_runs, stack):
    shown = _with_data(panel, _results(panel, live_stack, panel_runs), "legend")
    guessed = {r.target.ref_id: _invented(r, live_stack, stack) for r in shown}
    if all(guessed.values()):
        not_applicable(f"panel '{panel.id}': {_guessed(set().union(*guessed.values()))}: the labels its legend "
                       "reads are not theirs to have")
    for result in (r for r in shown if not guessed[r.target.ref_id]):
        wanted = legend_labels(result.target.legend_format)
        for series in result.series:
            missing = [label for label in wanted if label not in series.labels]
            expect(not missing, (
                f"panel '{panel.id}' query {result.target.ref_id}: legend {result.target.legend_format!r} uses "
                f"{missing}, absent from the series {series.labels}; it renders as "
                f"{legend(result.target.legend_format, series.labels)!r}"))


def _settled(result, panel, live_stack, panel_runs):
    """The query run afresh once its look-back window is full of fed data: a 5m rate over a
    younger series reads low until then. Windows longer than SETTLE_CAP_S (``$__range`` over
    hours) are not waited for: beyond any test run, and exact for ratios of equal windows."""
    window = settling_window_s(result.query)
    ready_at = window + 2 * max(live_stack.scrape_intervals_s.values())
    if window <= SETTLE_CAP_S and live_stack.feeder_elapsed() < ready_at:
        time.sleep(ready_at - live_stack.feeder_elapsed())
    return panel_runs.rerun(panel, result.target)


@pytest.mark.conformance(component="grafana", check="value agrees with the scenario (live)",
                         phase="live", subject_kind="valued_panel", inputs=("production", "datasources"))
def test_panel_value(valued_panel, live_stack, panel_runs, stack, evidence):
    panel = valued_panel
    truths = panel_truths(stack.manifest)
    declared = [(r, truths[(panel.id, r.target.ref_id)]) for r in _results(panel, live_stack, panel_runs)
                if (panel.id, r.target.ref_id) in truths]
    expect(declared, f"the manifest declares values for panel '{panel.id}' queries that it does not have")
    lag = max(live_stack.scrape_intervals_s.values())
    unjudged = []
    for result, truth in declared:
        result = _settled(result, panel, live_stack, panel_runs)
        now = live_stack.feeder_elapsed()
        where = f"panel '{panel.id}' query {result.target.ref_id} `{result.query}`"
        # A panel shows the last scrape: it may lag the feed by one scrape interval.
        facts = [truth.evaluate(live_stack.plan, at) for at in (now, max(0.0, now - lag))]
        if not result.has_data or all(f.value is None and f.within is None and not f.by for f in facts):
            unjudged.append(_why_empty(result) if not result.has_data else
                            f"query {result.target.ref_id}: the live feed holds nothing for fact {truth.fact}")
            continue
        verdicts = [_verdict(result, truth, fact) for fact in facts]
        evidence[f"query {result.target.ref_id}"] = {**_observed(result), "fact": truth.fact,
                                                     "expected": _expected(truth, facts[0]),
                                                     "read at (s of feed)": round(now, 1)}
        expect(any(problem is None for problem in verdicts), f"{where}: {verdicts[0]}")
    if len(unjudged) == len(declared):
        not_applicable(f"panel '{panel.id}': nothing to compare ({'; '.join(unjudged)}); test_panel_has_data "
                       "reports a panel that shows nothing")


def _expected(truth, fact):
    if fact.within is not None:
        return f"within [{fact.within[0]:g}, {fact.within[1]:g}]"
    if fact.by:
        return {"/".join(key): value for key, value in (fact.per_series or {}).items()}
    return truth.describe(fact.value) if fact.value is not None else None


def _verdict(result, truth, fact) -> str | None:
    """Why what the panel shows disagrees with the fact, or None when it agrees."""
    last = [s.last for s in result.series if s.last is not None]
    if fact.within is not None:
        low, high = fact.within
        if all(low <= v <= high for v in last):
            return None
        return (f"shows {last}; expected within [{low:g}, {high:g}] ({truth.fact} {dict(truth.arguments)}: "
                "the histogram bucket the fed durations put it in)")
    if not fact.by:
        if len(last) == 1 and truth.agrees(last[0], fact.value):
            return None
        return f"shows {last if len(last) != 1 else round(last[0], 4)}; expected {truth.describe(fact.value)}"
    shown = {tuple(s.labels.get(name, "") for name in fact.by): s.last for s in result.series}
    wrong = {key: value for key, value in shown.items() if not truth.agrees_for(fact, key, value)}
    unshown = sorted(set(fact.per_series) - set(shown))
    if not wrong and not unshown:
        return None
    return (f"by {fact.by}, shows {shown}; expected {fact.per_series} (±{truth.tolerance:.0%}); "
            f"wrong: {wrong}; missing: {unshown}")
