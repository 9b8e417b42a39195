"""The verdict tells the truth about coverage: a run whose MUST checks all pass but that tested
little (most rules without a scenario, live checks not run, most checks not applicable) does not
read as green, in report.html's banner, results.json's summary or the terminal; a run that
tested its stack reads "conforms" (the control)."""

from __future__ import annotations

import json

from reports import write_html, write_json
from reports.coverage import coverage_line, verdict
from reports.model import CheckResult, RunResults

LIVE = "suites/test_alerts_live.py::test_fires_live"
VIRTUAL = "suites/test_alerts_virtual.py::test_fires"


def _check(subject: str, status: str, phase: str, nodeid: str, message: str = "") -> CheckResult:
    return CheckResult(component="alerting", subject=subject, check=f"fires ({phase})", status=status, level="MUST",
                       message=message, nodeid=f"{nodeid}[{subject}]", subject_kind="alert_rule", phase=phase)


def _run(rules: dict[str, str], live: bool, deselected: dict | None = None) -> RunResults:
    """A run over alert rules (name -> scenario source), with their virtual (and live) checks."""
    run = RunResults(stack="/stacks/demo", stack_name="demo", profile="local", started="2026-01-01T00:00:00+00:00",
                     deselected=deselected or {})
    for name, source in rules.items():
        run.coverage.append({"rule": name, "group": "g", "file": "rules.yml", "line": 1, "source": source,
                             "outcome": "passes" if source != "none" else "not applicable",
                             "reason": "" if source != "none" else f"not derived: too costly ({name} reads 1w windows)"})
        judged = source != "none"
        run.checks.append(_check(name, "passed" if judged else "not applicable", "virtual", VIRTUAL,
                                 "" if judged else f"no scenario for '{name}'"))
        if live:
            run.checks.append(_check(name, "passed" if judged else "not applicable", "live", LIVE))
    return run


def test_a_static_run_over_rules_mostly_not_derived_does_not_read_green(tmp_path):
    run = _run({"A": "derived", "B": "none", "C": "none", "D": "none"}, live=False, deselected={"live": 12})

    judged = verdict(run)

    assert judged["state"] == "partial", judged
    assert "only 1 of 4 alert rules were tested on a scenario" in judged["headline"]
    assert any("live checks were not run (12 left out" in gap for gap in judged["gaps"]), judged["gaps"]
    line = coverage_line(judged["tested"])
    assert "tested 1 of 4 (0 hand-written, 1 derived), not derived 3: not derived: too costly (3)" in line, line
    assert "live checks not run" in line
    page = write_html(run, tmp_path).read_text()
    assert 'class="verdict partial"' in page and 'class="verdict ok"' not in page
    assert "How much was tested: alert rules tested 1 of 4" in page
    summary = json.loads(write_json(run, tmp_path).read_text())["summary"]["verdict"]
    assert summary["state"] == "partial" and summary["tested"]["alert_rules"]["not_derived"] == 3, summary
    assert summary["tested"]["mostly_not_applicable"][0]["judged"] == 1, summary["tested"]["mostly_not_applicable"]


def test_a_run_that_tested_its_rules_live_conforms(tmp_path):
    run = _run({"A": "handwritten", "B": "derived"}, live=True)

    judged = verdict(run)

    assert judged["state"] == "conforms" and not judged["gaps"], judged
    assert coverage_line(judged["tested"]).startswith("alert rules tested 2 of 2 (1 hand-written, 1 derived); "
                                                      "judged live 2 of 2")
    page = write_html(run, tmp_path).read_text()
    assert 'class="verdict ok"' in page and 'class="verdict partial"' not in page


def test_rules_fed_live_for_few_rules_and_a_failure_say_both(tmp_path):
    run = _run({"A": "derived", "B": "derived", "C": "derived"}, live=True)
    for check in run.checks:
        if check.phase == "live" and check.subject != "A":
            check.status = "not applicable"
    run.checks[0].status = "failed"

    judged = verdict(run)

    assert judged["state"] == "fails" and judged["headline"] == "does not conform: 1 MUST check(s) fail"
    assert "only 1 of 3 alert rules were judged live" in judged["gaps"], judged["gaps"]


def test_rules_loaded_live_but_not_fed_are_not_judged_live_and_the_line_says_why():
    # Every rule is loaded live (a check that passes unfed); only A's firing was fed and judged.
    run = _run({"A": "derived", "B": "derived", "C": "derived", "D": "derived"}, live=True)
    reasons = {"B": "B-g-derived-firing: series b_total{job=\"x\", pod=\"pod-1\"} (counter, rate): no target of job "
                    "'x' gives its series the labels {'pod': 'pod-1'}",
               "C": "C-g-derived-firing: series c_total{job=\"y\"} (counter, rate): no target of job 'y' gives its "
                    "series the labels {'pod': 'pod-2'}",
               "D": "D-g-derived-firing: 'D' (rules.yml:4) reads 72h back, beyond the 2h of history this live run "
                    "pre-loads: live it could not fire"}
    for check in list(run.checks):
        if check.phase == "live":
            run.checks.append(CheckResult(
                component="prometheus", subject=check.subject, check="rule loaded", status="passed", level="MUST",
                message="", nodeid=f"suites/test_live_smoke.py::test_rule_loaded[{check.subject}]",
                subject_kind="alert_rule", phase="live"))
            if check.subject in reasons:
                check.status = "not applicable"
                check.message = f"no firing scenario of '{check.subject}' was fed live: {reasons[check.subject]}"

    judged = verdict(run)

    live = judged["tested"]["live"]
    assert live["alert_rules_judged"] == 1 and live["not_fed"] == 3, live
    assert "only 1 of 4 alert rules were judged live" in judged["gaps"] and judged["state"] == "partial", judged
    line = coverage_line(judged["tested"])
    assert ("judged live 1 of 4, not fed live 3: no target of job … gives its series the labels … (2); "
            "… reads … back, beyond the … of history this live run pre-loads: live it could not fire (1)") in line, line


def test_live_firing_checks_are_known_by_their_declared_id_not_their_display_name():
    """A live firing check shown under another name still counts as one (results.json's check_id),
    and another check shown under its old name does not; results without ids read by the name."""
    run = _run({"A": "derived", "B": "derived"}, live=True)
    for check in run.checks:
        if check.phase == "live":
            check.check_id, check.check = "test_fires_live", "fires when fed (live)"
            if check.subject == "B":
                check.status, check.message = "not applicable", "no firing scenario of 'B' was fed live: held back"
    run.checks.append(CheckResult(component="prometheus", subject="B", check="fires (live)", status="passed",
                                  level="MUST", message="", nodeid="suites/test_other.py::test_other[B]",
                                  subject_kind="alert_rule", phase="live", check_id="test_other"))
    live = verdict(run)["tested"]["live"]
    assert live["alert_rules_judged"] == 1 and live["not_fed"] == 1, live

    older = _run({"A": "derived", "B": "derived"}, live=True)  # no check_id: by the name it was shown under
    assert verdict(older)["tested"]["live"]["alert_rules_judged"] == 2
