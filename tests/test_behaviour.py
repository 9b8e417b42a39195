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

from reports.behaviour import BaselineError, compare, load_baseline
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
ACKNOWLEDGED = """\
changes:
  - subject: alert rule pipeline_alerts/DataQualityLow
    why: quality below 0.8 is routine since the new source; 0.5 is what the data team acts on
  - subject: alert rule pipeline_alerts/PipelineDurationHigh
    why: a run longer than an hour is always worth a look
  - subject: alert rule pipeline_alerts/APIResponseTimeHigh
    why: slow API responses page the on-call now
  - subject: alert rule infrastructure_alerts/HighMemoryUsage
    why: warnings go to the webhook while the data team's mail is migrated
  - subject: alert rule infrastructure_alerts/HighCPUUsage
    field: receivers
    why: as HighMemoryUsage
  - subject: alert rule infrastructure_alerts/DiskSpaceRunningLow
    field: receivers
    why: as HighMemoryUsage
  - subject: receiver critical-alerts
    why: on-call moved
  - subject: panel Analytics Executive Dashboard/Data Freshness
    why: freshness of the stalest pipeline
  - subject: receiver warning-alerts
    why: an acknowledgement no change matches
"""


def _static_run(stack_dir: Path, report_dir: Path, *options: str) -> tuple[subprocess.CompletedProcess, dict]:
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", str(SUITES), "-p", "no:cacheprovider", "-q", "-m", "not live",
         f"--stack={stack_dir}", f"--report-dir={report_dir}", *options],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    results = report_dir / "results.json"
    return completed, json.loads(results.read_text(encoding="utf-8")) if results.exists() else {}


def _copy(destination: Path) -> Path:
    shutil.copytree(REFERENCE_STACK, destination, ignore=shutil.ignore_patterns("examples"))
    for relative, old, new in CHANGES.values():
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
        assert checks[subject]["status"] == "failed" and checks[subject]["level"] == "MUST", checks[subject]
        assert change["text"] in checks[subject]["message"], checks[subject]["message"]
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
        assert checks[subject]["status"] == "passed", checks[subject]
    assert diff["unacknowledged"] == 0, [c["text"] for c in diff["changes"] if not c["intended"]]
    assert [a["subject"] for a in diff["unused_acknowledgements"]] == ["receiver warning-alerts"], diff
    html = (tmp_path / "acknowledged" / "report.html").read_text(encoding="utf-8")
    assert "intended: on-call moved" in html


def _record(**subjects) -> dict:
    return {"schema": 1, "versions": {}, "subjects": subjects}


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
