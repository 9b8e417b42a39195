"""Every alert rule, in virtual time with Prometheus's own rule engine (promtool): it fires on
the situation it exists for with exactly the expected labels, honours ``for``, renders its
annotations, and stays silent on near misses and on a healthy day."""

import re

import pytest

from fixtures.checks import expect
from fixtures.scenarios.suite import run_virtual
from fixtures.scenarios.virtual import fmt

TEMPLATE_ERRORS = ("<error expanding template", "<no value>", "error executing template")


@pytest.fixture(scope="session")
def timelines(stack, scenario_set, report_dir):
    return run_virtual(stack, scenario_set, report_dir / "virtual-time")


def _timeline(timelines, scenario):
    timeline = timelines[scenario.name]
    expect(timeline.error is None, f"scenario {scenario.path} could not run in virtual time: {timeline.error}")
    return timeline


def _sorted(label_sets) -> list[dict]:
    return sorted(label_sets, key=lambda labels: sorted(labels.items()))


def _firing_scenarios(alert_rule, scenario_set):
    scenarios = scenario_set.for_rule(alert_rule.name, "firing")
    expect(scenarios, f"{alert_rule.location}: no firing scenario for '{alert_rule.name}'")
    return scenarios


@pytest.mark.conformance(component="scenarios", check="scenario file valid", subject="scenarios")
def test_scenario_files_valid(scenario_set):
    expect(not scenario_set.errors, "invalid scenario file(s):\n" + "\n".join(map(str, scenario_set.errors)))


@pytest.mark.conformance(component="alerting", check="has firing and silent scenarios")
def test_has_scenarios(alert_rule, scenario_set):
    missing = [kind for kind in ("firing", "silent") if not scenario_set.for_rule(alert_rule.name, kind)]
    expect(not missing, f"{alert_rule.location}: alert '{alert_rule.name}' has no {' or '.join(missing)} "
                        "scenario; add one file per situation to the stack's scenarios folder")


@pytest.mark.conformance(component="alerting", check="fires (virtual time)")
def test_fires(alert_rule, scenario_set, timelines, evidence):
    scenarios = _firing_scenarios(alert_rule, scenario_set)
    evidence["expression"] = alert_rule.expr.strip()
    for scenario in scenarios:
        timeline = _timeline(timelines, scenario)
        expected = _sorted(a.full_labels() for a in scenario.firing if a.alertname == alert_rule.name)
        observed = _sorted(a.labels for a in timeline.alerts(alert_rule.name, timeline.end))
        fired_at = timeline.fired_times(alert_rule.name)
        evidence[scenario.path.name] = {"expected at " + fmt(timeline.end): expected, "observed": observed,
                                        "first fired at": fmt(fired_at[0]) if fired_at else None,
                                        "promtool test": str(timeline.test_file)}
        expect(observed == expected, (
            f"{alert_rule.location}: alert '{alert_rule.name}' in scenario {scenario.path.name} "
            f"({scenario.description.strip()}): expected firing at {fmt(timeline.end)} with labels {expected}, "
            f"observed {observed or 'nothing firing'}"
            f"{f' (it fired first at {fmt(fired_at[0])})' if fired_at else ' (it never fired)'}; "
            f"expression: {alert_rule.expr.strip()}; promtool test: {timeline.test_file}"))


@pytest.mark.conformance(component="alerting", check="for duration honoured (virtual time)")
def test_for_duration(alert_rule, scenario_set, timelines):
    scenarios = _firing_scenarios(alert_rule, scenario_set)
    for scenario in scenarios:
        timeline = _timeline(timelines, scenario)
        expect(timeline.fired_times(alert_rule.name),
               f"{alert_rule.location}: '{alert_rule.name}' never fired in {scenario.path.name}: "
               "its `for` cannot be judged")
        violations = timeline.for_violations(alert_rule)
        expect(not violations, (
            f"{alert_rule.location}: '{alert_rule.name}' (for: {alert_rule.for_ or '0s'}) in {scenario.path.name}: "
            + "; ".join(violations[:5])))


@pytest.mark.conformance(component="alerting", check="annotations render (virtual time)")
def test_annotations_render(alert_rule, scenario_set, timelines):
    scenarios = _firing_scenarios(alert_rule, scenario_set)
    timeline = _timeline(timelines, scenarios[0])
    fired = [a for t in timeline.fired_times(alert_rule.name) for a in timeline.alerts(alert_rule.name, t)]
    expect(fired, f"{alert_rule.location}: '{alert_rule.name}' never fired in {scenarios[0].path.name}: "
                  "no annotation was rendered")
    rendered = fired[0].annotations
    for name, template in alert_rule.annotations.items():
        text = rendered.get(name, "")
        problems = [marker for marker in TEMPLATE_ERRORS if marker in text]
        if "humanizePercentage" in template and not re.search(r"\d%", text):
            problems.append("humanizePercentage rendered no percentage")
        expect(text and not problems, (
            f"{alert_rule.location}: annotation '{name}' of '{alert_rule.name}' renders {text!r} "
            f"from template {template!r}: {', '.join(problems) or 'empty'}"))


@pytest.mark.conformance(component="alerting", check="silent below threshold (virtual time)")
def test_silent(alert_rule, scenario_set, timelines):
    scenarios = scenario_set.for_rule(alert_rule.name, "silent")
    expect(scenarios, f"{alert_rule.location}: no silent scenario for '{alert_rule.name}'")
    for scenario in scenarios:
        _expect_never_fired(alert_rule, scenario, _timeline(timelines, scenario))


@pytest.mark.conformance(component="alerting", check="silent on a healthy day (virtual time)")
def test_silent_when_healthy(alert_rule, scenario_set, timelines):
    scenarios = scenario_set.of_kind("healthy")
    expect(scenarios, "the stack's scenarios hold no healthy scenario")
    for scenario in scenarios:
        _expect_never_fired(alert_rule, scenario, _timeline(timelines, scenario))


def _expect_never_fired(alert_rule, scenario, timeline):
    fired = timeline.fired_times(alert_rule.name)
    first = timeline.alerts(alert_rule.name, fired[0]) if fired else []
    expect(not fired, (
        f"{alert_rule.location}: '{alert_rule.name}' fired at {fmt(fired[0]) if fired else ''} in "
        f"{scenario.path.name} ({scenario.description.strip()}), which must not raise it; "
        f"labels {_sorted(a.labels for a in first)}; expression: {alert_rule.expr.strip()}; promtool test: {timeline.test_file}"))
