"""Every alert rule, in virtual time with Prometheus's own rule engine (promtool): it fires on
the situation it exists for with exactly the expected labels, honours ``for``, renders its
annotations, and stays silent on near misses and on a healthy day.

A rule with no hand-written scenario is tested on scenarios derived from its expression
(fixtures/derivation); a rule no input can make fire is a finding of its own."""

import re

import pytest

from fixtures.checks import expect, fail, not_applicable
from fixtures.derivation import Underivable
from fixtures.model.rules import functions_called, metrics_read
from fixtures.scenarios.virtual import fmt
from fixtures.validation import require_loadable_rules, require_rule_files

pytestmark = pytest.mark.stack_section("prometheus_config", what="alert rules in virtual time")

TEMPLATE_ERRORS = ("<error expanding template", "<no value>", "error executing template")


def _timeline(timelines, scenario):
    timeline = timelines[scenario.name]
    expect(timeline.error is None, f"scenario {scenario.path} could not run in virtual time: {timeline.error}")
    return timeline


def _sorted(label_sets) -> list[dict]:
    return sorted(label_sets, key=lambda labels: sorted(labels.items()))


def _scenarios(alert_rule, scenario_set, kind):
    """The rule's scenarios of a kind; without any, the check could not fail: not applicable
    (the rule's own 'has firing and silent scenarios' check is the finding)."""
    scenarios = scenario_set.for_rule(alert_rule, kind)
    if not scenarios:
        not_applicable(f"no {kind} scenario for '{alert_rule.name}', hand-written or derived "
                       "(see its 'has firing and silent scenarios' check)")
    return scenarios


def _named(scenario) -> str:
    return scenario.path.name if scenario.source == "handwritten" else f"{scenario.name} (derived)"


def _record_inputs(evidence, scenario) -> None:
    evidence.setdefault("scenario source", {})[scenario.name] = scenario.source
    if scenario.source == "derived":
        evidence.setdefault("derived inputs", {})[scenario.name] = {
            "chosen": scenario.inputs,
            "series": [activity.describe() for acts in scenario.feeds.values() for activity in acts],
        }


@pytest.mark.conformance(component="scenarios", check="every scenario names a rule of the stack", subject="scenarios",
                         phase="virtual")
def test_no_orphan_scenarios(scenario_set, stack, validation):
    require_rule_files(validation)  # a rule may be in a broken or missing file
    orphans = scenario_set.orphans(stack.alert_rules)
    expect(not orphans, "scenario(s) about a rule the stack does not have (renamed or removed?):\n" + "\n".join(
        f"{s.path}:{s.rule_line}: rule {s.rule!r}{f' with labels {s.rule_labels}' if s.rule_labels else ''}"
        for s in orphans), {"file": str(orphans[0].path), "line": orphans[0].rule_line, "text": f"rule: {orphans[0].rule}"}
        if orphans else None)


@pytest.mark.conformance(component="alerting", check="has firing and silent scenarios",
                         phase="virtual", subject_kind="alert_rule", inputs=("scenarios", "behaviour"))
def test_has_scenarios(alert_rule, scenario_set, evidence):
    evidence["scenario source"] = scenario_set.source_of(alert_rule)
    missing = [kind for kind in ("firing", "silent") if not scenario_set.for_rule(alert_rule, kind)]
    if not missing:
        return
    derivation = scenario_set.derivations.get(alert_rule.key)
    if isinstance(derivation, Underivable) and derivation.cannot_fire and "firing" in missing:
        # No firing scenario can exist: 'some input makes it fire' is the finding, with the reason.
        not_applicable(f"'{alert_rule.name}' can never fire ({derivation.reason}): see 'some input makes it fire'")
    # Valid configuration never fails: a rule whose inputs the harness cannot derive is untested, not
    # wrong (coverage counts it); what can never fire is 'some input makes it fire''s finding.
    why = (f"no scenario could be derived from its expression: {derivation.reason}. {derivation.hint}"
           if isinstance(derivation, Underivable) else "the derivation found no such input")
    not_applicable(f"{alert_rule.location}: '{alert_rule.name}' is not tested: it has no {' or '.join(missing)} "
                   f"scenario, hand-written or derived ({why}); a scenario file in the stack's scenarios/ "
                   "folder tests it")


@pytest.mark.conformance(component="alerting", check="some input makes it fire",
                         phase="virtual", subject_kind="alert_rule", inputs=("scenarios", "behaviour"))
def test_can_fire(alert_rule, scenario_set, evidence):
    derivation = scenario_set.derivations[alert_rule.key]
    if isinstance(derivation, Underivable):
        evidence["analysis"] = derivation.reason
        if not derivation.cannot_fire:
            not_applicable(f"derivation does not cover this expression: {derivation.reason}")
        fail(f"{alert_rule.location}: alert '{alert_rule.name}' can never fire: {derivation.reason}; "
             f"expression: {alert_rule.expr.strip()}",
             {"file": str(alert_rule.file), "line": alert_rule.expr_line, "text": alert_rule.expr.strip()})
    evidence["derived inputs"] = derivation.inputs


def _without(label_sets: list[dict], name: str) -> list[dict]:
    return [{k: v for k, v in labels.items() if k != name} for labels in label_sets]


@pytest.mark.conformance(component="alerting", check="fires (virtual time)", phase="virtual", subject_kind="alert_rule",
                         inputs=("scenarios", "behaviour", "production"))
def test_fires(alert_rule, scenario_set, timelines, evidence, stack):
    scenarios = _scenarios(alert_rule, scenario_set, "firing")
    evidence["expression"] = alert_rule.expr.strip()
    for scenario in scenarios:
        timeline = _timeline(timelines, scenario)
        _record_inputs(evidence, scenario)
        expected = _sorted(a.full_labels() for a in scenario.firing
                           if a.belongs_to(alert_rule, scenario_set.has_twins(alert_rule)))
        observed = _sorted(a.labels for a in timeline.alerts(alert_rule.name, timeline.end))
        fired_at = timeline.fired_times(alert_rule.name)
        evidence[scenario.name] = {"expected at " + fmt(timeline.end): expected, "observed": observed,
                                   "first fired at": fmt(fired_at[0]) if fired_at else None,
                                   "promtool test": str(timeline.test_file)}
        severity = alert_rule.labels.get("severity")
        if observed != expected and stack.severity_receivers and severity not in stack.severity_receivers and (
                _sorted(_without(observed, "severity")) == _sorted(_without(expected, "severity"))):
            # Only the rule's severity differs, a level the stack does not declare: its 'severity label' finding.
            line = alert_rule.label_lines.get("severity", alert_rule.line)
            not_applicable(f"blocked by {alert_rule.file}:{line}: severity {severity!r} is not a level the stack "
                           "declares; see the rule's 'severity label' check")
        expect(observed == expected, (
            f"{alert_rule.location}: alert '{alert_rule.name}' in scenario {_named(scenario)} "
            f"({scenario.description.strip()}): expected firing at {fmt(timeline.end)} with labels {expected}, "
            f"observed {observed or 'nothing firing'}"
            f"{f' (it fired first at {fmt(fired_at[0])})' if fired_at else ' (it never fired)'}; "
            f"expression: {alert_rule.expr.strip()}; promtool test: {timeline.test_file}"))


@pytest.mark.conformance(component="alerting", check="fires within its window (virtual time)",
                         phase="virtual", subject_kind="alert_rule", inputs=("scenarios", "behaviour", "production"))
def test_fires_in_window(alert_rule, scenario_set, timelines, evidence):
    scenarios = [s for s in _scenarios(alert_rule, scenario_set, "firing") if s.fires_between]
    if not scenarios:
        not_applicable("no firing scenario states when the alert may fire (expect.fires_between)")
    for scenario in scenarios:
        timeline = _timeline(timelines, scenario)
        earliest, latest = scenario.fires_between
        fired = timeline.fired_times(alert_rule.name)
        if not fired:
            not_applicable(f"'{alert_rule.name}' never fired in {_named(scenario)}: when it fires cannot be judged "
                           "(see 'fires (virtual time)')")
        evidence[scenario.name] = {"earliest": fmt(earliest), "latest": fmt(latest), "first fired at": fmt(fired[0])}
        expect(earliest <= fired[0] <= latest, (
            f"{alert_rule.location}: '{alert_rule.name}' (for: {alert_rule.for_ or '0s'}) in {_named(scenario)} "
            f"must first fire between {fmt(earliest)} and {fmt(latest)} after the situation starts; "
            f"it fired first at {fmt(fired[0])}"))


@pytest.mark.conformance(component="alerting", check="for duration honoured (virtual time)",
                         phase="virtual", subject_kind="alert_rule", inputs=("scenarios", "behaviour", "production"))
def test_for_duration(alert_rule, scenario_set, timelines):
    for scenario in _scenarios(alert_rule, scenario_set, "firing"):
        timeline = _timeline(timelines, scenario)
        if not timeline.fired_times(alert_rule.name):
            not_applicable(f"'{alert_rule.name}' never fired in {_named(scenario)}: its `for` cannot be judged "
                           "(see 'fires (virtual time)')")
        violations = timeline.for_violations(alert_rule)
        expect(not violations, (
            f"{alert_rule.location}: '{alert_rule.name}' (for: {alert_rule.for_ or '0s'}) in {_named(scenario)}: "
            + "; ".join(violations[:5])))


@pytest.mark.conformance(component="alerting", check="annotations render (virtual time)",
                         phase="virtual", subject_kind="alert_rule", inputs=("scenarios", "behaviour", "production"))
def test_annotations_render(alert_rule, scenario_set, timelines, evidence):
    scenarios = _scenarios(alert_rule, scenario_set, "firing")
    if not alert_rule.annotations:
        not_applicable(f"'{alert_rule.name}' has no annotations to render")
    timeline = _timeline(timelines, scenarios[0])
    fired = [a for t in timeline.fired_times(alert_rule.name) for a in timeline.alerts(alert_rule.name, t)]
    if not fired:
        not_applicable(f"'{alert_rule.name}' never fired in {_named(scenarios[0])}: no annotation was rendered "
                       "(see 'fires (virtual time)')")
    rendered = fired[0].annotations
    evidence["rendered"] = rendered
    for name, template in alert_rule.annotations.items():
        text = rendered.get(name, "")
        problems = [marker for marker in TEMPLATE_ERRORS if marker in text]
        if "humanizePercentage" in template and not re.search(r"\d%", text):
            problems.append("humanizePercentage rendered no percentage")
        expect(text and not problems, (
            f"{alert_rule.location}: annotation '{name}' of '{alert_rule.name}' renders {text!r} "
            f"from template {template!r}: {', '.join(problems) or 'empty'}"))


@pytest.mark.conformance(component="alerting", check="silent below threshold (virtual time)",
                         phase="virtual", subject_kind="alert_rule", inputs=("scenarios", "behaviour", "production"))
def test_silent(alert_rule, scenario_set, timelines, evidence, stack):
    for scenario in _feeding(alert_rule, _scenarios(alert_rule, scenario_set, "silent"), timelines, stack, "silent"):
        _record_inputs(evidence, scenario)
        _expect_never_fired(alert_rule, scenario, timelines[scenario.name])


def _feeding(alert_rule, scenarios, timelines, stack, kind: str) -> list:
    """The scenarios that feed some metric the rule reads: silence elsewhere proves nothing, so
    without any the check is not applicable. A rule about a series being gone (absent,
    absent_over_time) is fed by feeding nothing."""
    reads = metrics_read(alert_rule.expr, stack.recording_rules)
    about_absence = bool({"absent", "absent_over_time"} & functions_called(alert_rule.expr))
    judged = [s for s in scenarios if about_absence or reads & _timeline(timelines, s).fed_metrics]
    if not judged:
        not_applicable(f"no {kind} scenario feeds any metric '{alert_rule.name}' reads "
                       f"({', '.join(sorted(reads))}): its silence there proves nothing")
    return judged


@pytest.mark.conformance(component="alerting", check="silent on a healthy day (virtual time)",
                         phase="virtual", subject_kind="alert_rule", inputs=("scenarios", "behaviour", "production"))
def test_silent_when_healthy(alert_rule, scenario_set, timelines, stack, validation):
    require_loadable_rules(validation, *stack.rule_files)  # a healthy day runs every rule file as written
    scenarios = scenario_set.of_kind("healthy")
    if not scenarios:
        not_applicable("the stack's scenarios hold no healthy day")
    for scenario in _feeding(alert_rule, scenarios, timelines, stack, "healthy"):
        _expect_never_fired(alert_rule, scenario, timelines[scenario.name])


def _expect_never_fired(alert_rule, scenario, timeline):
    fired = timeline.fired_times(alert_rule.name)
    first = timeline.alerts(alert_rule.name, fired[0]) if fired else []
    expect(not fired, (
        f"{alert_rule.location}: '{alert_rule.name}' fired at {fmt(fired[0]) if fired else ''} in "
        f"{_named(scenario)} ({scenario.description.strip()}), which must not raise it; "
        f"labels {_sorted(a.labels for a in first)}; expression: {alert_rule.expr.strip()}; promtool test: {timeline.test_file}"))


@pytest.mark.conformance(component="alerting", check="fires only where a scenario expects it (virtual time)",
                         phase="virtual", subject_kind="alert_rule", inputs=("scenarios", "behaviour", "production"))
def test_no_unexpected_alert_virtual(alert_rule, scenario_set, timelines, evidence):
    """Another rule's hand-written scenario that feeds a metric this rule reads ran it too (under a
    name of its own): a label set that scenario does not list under expect.firing is a finding."""
    watching = scenario_set.watching(alert_rule, timelines)
    if not watching:
        not_applicable(f"no other rule's hand-written scenario feeds a metric '{alert_rule.name}' reads: nothing "
                       "else could have fired it in virtual time")
    evidence["scenarios that ran it"] = [_named(s) for s in watching]
    unexpected = []
    for scenario in watching:
        expected = {frozenset(a.full_labels().items()) for a in scenario.firing
                    if a.belongs_to(alert_rule, scenario_set.has_twins(alert_rule))}
        timeline = timelines[scenario.name]
        unexpected += [(scenario, timeline, t, labels) for t, labels in timeline.watched_firing(alert_rule)
                       if frozenset(labels.items()) not in expected]
    evidence["unexpected"] = [{"scenario": _named(s), "first fired at": fmt(t), "labels": labels}
                              for s, _, t, labels in unexpected[:10]]
    expect(not unexpected, (
        f"{alert_rule.location}: '{alert_rule.name}' fired in virtual time where no scenario expects it: "
        + "; ".join(f"in {_named(s)} ({s.description.strip()}) at {fmt(t)} with labels {_sorted([labels])[0]}, "
                    f"promtool test: {timeline.test_file}" for s, timeline, t, labels in unexpected[:3])))
