"""The behaviour diff (--baseline): each kind of change to a copy of the reference stack (a
threshold, a removed ``for``, a severity, a route, an e-mail recipient, a panel's query) shows up
as the right behaviour change against the reference stack's own run, fails its subject's check,
and is intended once the stack acknowledges it. Static runs (no container); the baseline is
computed once for the module."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reports.behaviour import KINDS, BaselineError, compare, load_baseline
from tests.layout import REFERENCE_STACK, ROOT, SUITES

# (file, text as the reference stack writes it, the change): one per kind of change.
CHANGES = {
    "threshold": ("prometheus/analytics_rules.yml", "data_quality_score < 0.8", "data_quality_score < 0.5"),
    "for removed": ("prometheus/analytics_rules.yml",
                    "rate(pipeline_duration_seconds_bucket[5m]))) > 3600\n        for: 5m\n",
                    "rate(pipeline_duration_seconds_bucket[5m]))) > 3600\n"),
    "severity": ("prometheus/analytics_rules.yml",
                 "> 5\n        for: 3m\n        labels:\n          severity: warning",
                 "> 5\n        for: 3m\n        labels:\n          severity: critical"),
    "route": ("alertmanager/alertmanager.yml", "receiver: 'warning-alerts'", "receiver: 'web.hook'"),
    "recipient": ("alertmanager/alertmanager.yml", "to: 'on-call@yourcompany.com'", "to: 'nobody@example.invalid'"),
    "panel query": ("grafana/dashboards/analytics-executive.json", "time() - max(pipeline_last_success_timestamp)",
                    "time() - min(pipeline_last_success_timestamp)"),
}
# What each change must read as: (subject, field, words the change's text holds).
EXPECTED = {
    "threshold": ("alert rule pipeline_alerts/DataQualityLow", "boundary",
                  "DataQualityLow fires below 0.5 on data_quality_score, was below 0.8"),
    "for removed": ("alert rule pipeline_alerts/PipelineDurationHigh", "fires_after_s",
                    "PipelineDurationHigh now fires at once, was after 5m"),
    "severity": ("alert rule pipeline_alerts/APIResponseTimeHigh", "receivers",
                 "APIResponseTimeHigh routes to critical-alerts, was warning-alerts"),
    "route": ("alert rule infrastructure_alerts/HighMemoryUsage", "receivers",
              "HighMemoryUsage routes to web.hook, was warning-alerts"),
    "recipient": ("receiver critical-alerts", "email[0].to",
                  "critical-alerts: e-mail to nobody@example.invalid, was on-call@yourcompany.com"),
    "panel query": ("panel Analytics Executive Dashboard/Data Freshness", "query A",
                    ("Analytics Executive Dashboard/Data Freshness: query A `time() - min(pipeline_last_success_timestamp)`, "
                     "was `time() - max(pipeline_last_success_timestamp)`")),
}
# The element of the configuration each change is caused by: its check alone fails, its row alone is
# acknowledged, at the line that changed (subject, field, file, line's text).
CAUSES = {
    "threshold": ("alert rule pipeline_alerts/DataQualityLow", "expr", "prometheus/analytics_rules.yml",
                  "data_quality_score < 0.5"),
    "for removed": ("alert rule pipeline_alerts/PipelineDurationHigh", "for", "prometheus/analytics_rules.yml",
                    "- alert: PipelineDurationHigh"),
    "severity": ("alert rule pipeline_alerts/APIResponseTimeHigh", "labels", "prometheus/analytics_rules.yml",
                 "- alert: APIResponseTimeHigh"),
    "route": ('route {severity="warning"}', "receiver", "alertmanager/alertmanager.yml", "receiver: 'web.hook'"),
    "recipient": ("receiver critical-alerts", "email[0].to", "alertmanager/alertmanager.yml",
                  "to: 'nobody@example.invalid'"),
    "panel query": ("panel Analytics Executive Dashboard/Data Freshness", "query A",
                    "grafana/dashboards/analytics-executive.json", "min(pipeline_last_success_timestamp)"),
}
ACKNOWLEDGED = """\
changes:
  - subject: alert rule pipeline_alerts/DataQualityLow
    why: quality below 0.8 is routine since the new source; 0.5 is what the data team acts on
  - subject: alert rule pipeline_alerts/PipelineDurationHigh
    why: a run longer than an hour is always worth a look
  - subject: alert rule pipeline_alerts/APIResponseTimeHigh
    why: slow API responses page the on-call now
  - subject: route {severity="warning"}
    field: receiver
    why: warnings go to the webhook while the data team's mail is migrated
  - subject: receiver critical-alerts
    why: on-call moved
  - subject: panel Analytics Executive Dashboard/Data Freshness
    why: freshness of the stalest pipeline
  - subject: receiver warning-alerts
    why: an acknowledgement no change matches
  - subject: alert rule infrastructure_alerts/HighMemoryUsage
    why: a rule the route change reaches (the route is the cause to acknowledge, not this)
"""


def _static_run(stack_dir: Path, report_dir: Path, *options: str) -> tuple[subprocess.CompletedProcess, dict]:
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", str(SUITES), "-p", "no:cacheprovider", "-q", "-m", "not live",
         f"--stack={stack_dir}", f"--report-dir={report_dir}", *options],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    results = report_dir / "results.json"
    return completed, json.loads(results.read_text(encoding="utf-8")) if results.exists() else {}


def _copy(destination: Path, kinds: tuple[str, ...] = tuple(CHANGES)) -> Path:
    shutil.copytree(REFERENCE_STACK, destination, ignore=shutil.ignore_patterns("examples"))
    for relative, old, new in (CHANGES[kind] for kind in kinds):
        path = destination / relative
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{path}: expected the text to change exactly once: {old!r}"
        path.write_text(text.replace(old, new), encoding="utf-8")
    return destination


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Path:
    """The reference stack's own static run: its results.json is the baseline."""
    report_dir = tmp_path_factory.mktemp("baseline")
    completed, results = _static_run(REFERENCE_STACK, report_dir)
    assert results.get("behaviour", {}).get("subjects"), f"no behaviour record:\n{completed.stdout[-3000:]}"
    return report_dir / "results.json"


@pytest.fixture(scope="module")
def changed_copy(tmp_path_factory) -> Path:
    return _copy(tmp_path_factory.mktemp("changed") / "stack")


def _behaviour_checks(results: dict) -> dict[str, dict]:
    return {c["subject"]: c for c in results["checks"] if c["component"] == "behaviour"}


def _find(changes: list[dict], kind: str) -> dict:
    subject, field, _ = EXPECTED[kind]
    found = [c for c in changes if c["subject"] == subject and c["field"] == field]
    assert len(found) == 1, f"{kind}: expected one change of {subject} {field}, found {found}; all: " + \
        "\n".join(c["text"] for c in changes)
    return found[0]


def test_the_unchanged_reference_stack_has_no_behaviour_change(baseline, tmp_path):
    completed, results = _static_run(REFERENCE_STACK, tmp_path / "report", f"--baseline={baseline}")

    assert results["behaviour_changes"]["changes"] == [], results["behaviour_changes"]["changes"]
    checks = _behaviour_checks(results)
    assert checks and all(c["status"] in ("passed", "not applicable") for c in checks.values()), checks
    assert completed.returncode == 0, completed.stdout[-3000:]


def test_each_kind_of_change_is_a_behaviour_change_that_fails_until_acknowledged(baseline, changed_copy, tmp_path):
    completed, results = _static_run(changed_copy, tmp_path / "changed", f"--baseline={baseline}")
    changes = results["behaviour_changes"]["changes"]
    checks = _behaviour_checks(results)

    for kind, (subject, _, text) in EXPECTED.items():
        change = _find(changes, kind)
        assert text in change["text"], f"{kind}: expected {text!r}, read {change['text']!r}"
        assert not change["intended"], change
        cause, field, file, line_text = CAUSES[kind]
        assert change["cause"] == {"subject": cause, "field": field}, (kind, change)
        assert checks[cause]["status"] == "failed" and checks[cause]["level"] == "MUST", checks[cause]
        assert change["text"] in checks[cause]["message"], checks[cause]["message"]
        row = _row(results, cause, field)
        assert row["file"] == file and line_text in _line(changed_copy / file, row["line"]), (kind, row)
        assert checks[cause]["location"]["line"] == row["line"], checks[cause]
    # One row, and one failing check, per changed element: six changes, six rows, six failures.
    assert len(results["behaviour_changes"]["causes"]) == len(CHANGES), results["behaviour_changes"]["causes"]
    assert sorted(s for s, c in checks.items() if c["status"] == "failed") == sorted(c[0] for c in CAUSES.values())
    assert "alert rule infrastructure_alerts/HighMemoryUsage" in _row(results, *CAUSES["route"][:2])["affects"]
    assert _find(changes, "severity") and any(
        c["subject"] == EXPECTED["severity"][0] and c["field"] == "labels" and "severity=critical, was warning"
        in c["text"] for c in changes), changes
    # The rule's check points at where it is written.
    assert checks[EXPECTED["threshold"][0]]["location"]["file"] == "prometheus/analytics_rules.yml"
    assert checks["receiver warning-alerts"]["status"] == "passed", checks["receiver warning-alerts"]
    assert completed.returncode != 0
    html = (tmp_path / "changed" / "report.html").read_text(encoding="utf-8")
    assert html.index('id="behaviour-changes"') < html.index('id="failures"'), "behaviour changes are not first"
    assert "nobody@example.invalid, was on-call@yourcompany.com" in html

    (changed_copy / "behaviour-changes.yml").write_text(ACKNOWLEDGED, encoding="utf-8")
    with (changed_copy / "manifest.yml").open("a", encoding="utf-8") as manifest:
        manifest.write("\nbehaviour_changes: behaviour-changes.yml\n")
    completed, results = _static_run(changed_copy, tmp_path / "acknowledged", f"--baseline={baseline}")
    diff = results["behaviour_changes"]
    checks = _behaviour_checks(results)

    for kind, (subject, _, _) in EXPECTED.items():
        change = _find(diff["changes"], kind)
        assert change["intended"] and change["why"], change
        assert checks[subject]["status"] == "passed" and checks[CAUSES[kind][0]]["status"] == "passed", \
            checks[CAUSES[kind][0]]
    assert diff["unacknowledged"] == 0, [c["text"] for c in diff["changes"] if not c["intended"]]
    assert [a["subject"] for a in diff["unused_acknowledgements"]] == [
        "receiver warning-alerts", "alert rule infrastructure_alerts/HighMemoryUsage"], diff
    html = (tmp_path / "acknowledged" / "report.html").read_text(encoding="utf-8")
    assert "intended: on-call moved" in html


def _row(results: dict, subject: str, field: str) -> dict:
    found = [c for c in results["behaviour_changes"]["causes"] if (c["subject"], c["field"]) == (subject, field)]
    assert len(found) == 1, f"expected one row for {subject} {field}: {results['behaviour_changes']['causes']}"
    return found[0]


def _line(path: Path, number: int) -> str:
    return path.read_text(encoding="utf-8").splitlines()[number - 1]


def test_one_changed_receiver_and_one_threshold_are_two_rows_and_two_findings(baseline, tmp_path, monkeypatch):
    """The issue's example, in a git repository as a CI checks it out: a route's receiver and a
    rule's threshold, each one row at its line listing what it affects, one failing behaviour
    check each, and the pull request's surface (summary, annotations, junit, code quality) at the
    lines as the repository names them."""
    repository = tmp_path / "repository"
    stack = _copy(repository / "monitoring", kinds=("threshold", "route"))
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    step_summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step_summary))
    completed, results = _static_run(stack, tmp_path / "report", f"--baseline={baseline}")

    causes = results["behaviour_changes"]["causes"]
    assert [(c["subject"], c["field"]) for c in causes] == [CAUSES["route"][:2], CAUSES["threshold"][:2]], causes
    assert [c for c in _behaviour_checks(results).values() if c["status"] == "failed"] and \
        sorted(s for s, c in _behaviour_checks(results).items() if c["status"] == "failed") == \
        sorted([CAUSES["route"][0], CAUSES["threshold"][0]])
    route = causes[0]
    assert {"alert rule infrastructure_alerts/HighMemoryUsage", "alert rule infrastructure_alerts/HighCPUUsage",
            "alert rule infrastructure_alerts/DiskSpaceRunningLow"} <= set(route["affects"]), route
    assert "HighMemoryUsage routes to web.hook, was warning-alerts" in route["effects"], route
    assert results["stack_in_repository"] == "monitoring"
    where = f"monitoring/alertmanager/alertmanager.yml:{route['line']}"
    summary = (tmp_path / "report" / "summary.md").read_text(encoding="utf-8")
    assert "2 change(s), 2 not acknowledged" in summary and f"`{where}`" in summary, summary
    assert step_summary.read_text(encoding="utf-8") == summary + "\n"
    assert f"::error file=monitoring/alertmanager/alertmanager.yml,line={route['line']}," in completed.stdout
    junit = (tmp_path / "report" / "junit.xml").read_text(encoding="utf-8")
    assert f'file="monitoring/alertmanager/alertmanager.yml" line="{route["line"]}"' in junit
    quality = json.loads((tmp_path / "report" / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert {"path": "monitoring/alertmanager/alertmanager.yml", "lines": {"begin": route["line"]}} in \
        [f["location"] for f in quality]


def _record(**subjects) -> dict:
    return {"schema": 1, "versions": {}, "kinds": list(KINDS), "subjects": subjects}


RUN = {"started": "2026-01-01T00:00:00+00:00", "stack_name": "s"}


def test_a_field_not_observed_in_one_run_is_not_compared():
    before = _record(**{"alert rule g/A": {"name": "A", "for": "1m", "sent": {"r email": "mail to x"},
                                            "annotations": None}})
    after = _record(**{"alert rule g/A": {"name": "A", "for": "1m", "sent": None, "annotations": {"summary": "s"}}})

    assert compare(RUN, before, after, [])["changes"] == []


def test_added_and_removed_subjects_and_fields_are_changes():
    before = _record(**{"receiver a": {"name": "a", "email[0].to": "x@example.org"}, "panel p": {"name": "p"}})
    after = _record(**{"receiver a": {"name": "a", "slack[0].channel": "#ops"}, "receiver b": {"name": "b"}})

    texts = [c["text"] for c in compare(RUN, before, after, [])["changes"]]

    assert texts == ["panel p: removed (was)", "a: now Slack to #ops", "a: no longer e-mail to x@example.org",
                     "receiver b: new"], texts


def test_an_acknowledgement_of_one_field_leaves_the_others_failing():
    before = _record(**{"alert rule g/A": {"name": "A", "for": "1m", "labels": {"severity": "warning"}}})
    after = _record(**{"alert rule g/A": {"name": "A", "for": "", "labels": {"severity": "critical"}}})
    acknowledged = [{"subject": "alert rule g/A", "field": "for", "why": "page at once", "file": "f", "line": 2}]

    diff = compare(RUN, before, after, acknowledged)

    assert [(c["field"], c["intended"]) for c in diff["changes"]] == [("labels", False), ("for", True)], diff
    assert diff["changes"][1]["text"] == "A: for none (fires as soon as the condition holds), was 1m"
    assert diff["unacknowledged"] == 1


def test_a_results_file_without_a_behaviour_record_is_no_baseline(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"stack": "s", "stack_name": "s", "profile": "local", "started": "t", "checks": []}))

    with pytest.raises(BaselineError, match="has no behaviour record"):
        load_baseline(path)


def test_a_missing_baseline_is_a_usage_error(pytester, tmp_path):
    result = pytester.runpytest_subprocess("-p", "fixtures.plugin", f"--stack={REFERENCE_STACK}",
                                           f"--baseline={tmp_path / 'nope.json'}", timeout=120)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--baseline*nope.json: no such file*"])


def test_the_nightly_verdict_names_what_newly_fails_and_what_changed_unacknowledged(tmp_path, capsys):
    from reports.nightly import main

    results = {"checks": [], "interrupted": None,
               "regression": {"newly_failing": [{"component": "alerting", "check": "fires (live)",
                                                 "subject": "DataQualityLow", "message": "did not fire"}]},
               "behaviour_changes": {"changes": [{"text": "A: for none, was 1m", "intended": False},
                                                 {"text": "B routes to x, was y", "intended": True}]}}
    tonight, kept = tmp_path / "results.json", tmp_path / "kept.json"
    tonight.write_text(json.dumps(results), encoding="utf-8")

    assert main([str(tonight), str(kept)]) == 1
    said = capsys.readouterr().out
    assert "newly fails: alerting fires (live) [DataQualityLow]" in said and "A: for none, was 1m" in said, said
    assert "B routes to x" not in said and not kept.exists()  # a night that needs a look is no baseline

    results["regression"]["newly_failing"], results["behaviour_changes"]["changes"][0]["intended"] = [], True
    tonight.write_text(json.dumps(results), encoding="utf-8")
    assert main([str(tonight)]) == 0, capsys.readouterr().out


def test_each_change_is_under_the_element_that_brought_it_about():
    rule = {"kind": "alert rule", "name": "A", "file": "r.yml", "line": 3, "lines": {"expr": 4}, "expr": "x > 1",
            "boundary": {"input": "x", "quiet": 1, "fires": 1.1, "direction": "above"}, "receivers": ["team"]}
    route = {"kind": "route", "name": 'route {team="a"}', "file": "am.yml", "line": 9, "lines": {"receiver": 10},
             "receiver": "team", "reaches": ["team"]}
    panel = {"kind": "panel", "name": "p", "file": "d.json", "line": 2, "lines": {"query A": 7},
             "query A": "up", "data A": "returns data"}
    before = _record(**{"alert rule g/A": rule, 'route {team="a"}': route, "panel p": panel})
    after = _record(**{
        "alert rule g/A": {**rule, "expr": "x > 2", "boundary": {**rule["boundary"], "quiet": 2}, "receivers": ["pager"]},
        'route {team="a"}': {**route, "receiver": "pager", "reaches": ["pager"]},
        "panel p": {**panel, "query A": "down", "data A": "returns no data"}})
    acknowledged = [{"subject": 'route {team="a"}', "field": "receiver", "why": "paged now", "file": "f", "line": 1}]

    diff = compare(RUN, before, after, acknowledged)

    rows = {(c["subject"], c["field"]): c for c in diff["causes"]}
    assert set(rows) == {("alert rule g/A", "expr"), ('route {team="a"}', "receiver"), ("panel p", "query A")}, rows
    assert (rows[("alert rule g/A", "expr")]["file"], rows[("alert rule g/A", "expr")]["line"]) == ("r.yml", 4)
    assert rows[("alert rule g/A", "expr")]["effects"] == ["A fires above 2 on x, was above 1"]
    assert rows[('route {team="a"}', "receiver")]["affects"] == ["alert rule g/A"]
    assert rows[('route {team="a"}', "receiver")]["effects"] == ["A routes to pager, was team"]
    assert rows[("panel p", "query A")]["line"] == 7 and len(rows[("panel p", "query A")]["effects"]) == 1
    assert diff["unacknowledged"] == 2 and rows[('route {team="a"}', "receiver")]["intended"]
    assert [c["intended"] for c in diff["changes"] if c["field"] == "receivers"] == [True], "an effect follows its cause"


def test_a_kind_of_subject_the_baseline_did_not_record_is_not_new():
    route = {"kind": "route", "name": "route default-route", "receiver": "team"}
    old = {"schema": 1, "versions": {}, "subjects": {}}  # recorded before routes were

    assert compare(RUN, old, _record(**{"route default-route": route}), [])["changes"] == []
    assert [c["text"] for c in compare(RUN, {**old, "kinds": ["route"]}, _record(**{"route default-route": route}),
                                       [])["changes"]] == ["route default-route: new: receiver team"]


def test_a_changed_recording_rule_is_the_cause_of_what_the_rules_and_panels_reading_it_do():
    recorded = {"kind": "recording rule", "name": "job:errors:rate5m", "file": "rules.yml", "line": 5,
                "expr": "sum by (job) (rate(errors[5m]))", "read_by": ["alert rule g/A", "panel d/Errors"]}
    rule = {"kind": "alert rule", "name": "A", "expr": "job:errors:rate5m > 1", "fires_after_s": 60.0}
    panel = {"kind": "panel", "name": "d/Errors", "query A": "job:errors:rate5m", "data A": "returns data"}
    before = _record(**{"recording rule g/job:errors:rate5m": recorded, "alert rule g/A": rule, "panel d/Errors": panel})
    after = _record(**{"recording rule g/job:errors:rate5m": {**recorded, "expr": "sum by (job) (rate(errors[1h]))"},
                       "alert rule g/A": {**rule, "fires_after_s": 300.0},
                       "panel d/Errors": {**panel, "data A": "returns no data"}})

    diff = compare(RUN, before, after, [])

    assert [(c["subject"], c["field"], c["line"]) for c in diff["causes"]] == [
        ("recording rule g/job:errors:rate5m", "expr", 5)], diff["causes"]
    assert diff["causes"][0]["affects"] == ["alert rule g/A", "panel d/Errors"]
    assert len(diff["causes"][0]["effects"]) == 2 and diff["unacknowledged"] == 1
