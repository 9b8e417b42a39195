"""What a pull request sees of a run (reports/markdown_writer.py, github.py, code_quality_writer.py,
junit_writer.py): the failures at the stack file and line as the stack's repository names the
file, one per place at fault however many checks fail there, and text of the stack's that cannot
break the format it is written in."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from reports import write_code_quality, write_junit, write_summary
from reports.github import annotations, append_step_summary
from reports.model import CheckResult, RunResults

RULES = {"file": "prometheus/rules.yml", "line": 35, "text": "expr: x > 1"}


def _check(subject, status, check="expression parses", level="MUST", message="", location=None) -> CheckResult:
    return CheckResult("prometheus", subject, check, status, level, message,
                       f"suites/test_alerts_virtual.py::test_{check.replace(' ', '_')}[{subject}]",
                       location=location, subject_kind="alert_rule", phase="virtual")


@pytest.fixture
def run() -> RunResults:
    results = RunResults(stack="/ci/work/monitoring/stack", stack_name="team | <b>stack</b>", profile="local",
                         started="2026-01-01T00:00:00+00:00", stack_in_repository="monitoring/stack",
                         coverage=[{"rule": rule, "group": "g", "file": "prometheus/rules.yml", "line": n,
                                    "source": source, "outcome": "passes", "reason": ""}
                                   for n, (rule, source) in enumerate([("A", "handwritten"), ("B", "derived"),
                                                                       ("C", "none")])])
    results.checks = [
        _check("DataQualityLow", "failed", message="fires at 0.5, expected 0.8\nsecond line, with: a colon",
               location=RULES),
        _check("DataQualityLow", "failed", check="fires on its scenario", message="never fired", location=RULES),
        _check("DiskFull", "failed", level="SHOULD", message="100% <script>", location={**RULES, "line": 50}),
        _check("Delivery", "error", message="nothing arrived"),  # no file holds it
        _check("HighCPU", "passed", location={**RULES, "line": 70}),
    ]
    return results


def test_annotations_are_one_per_place_at_fault_on_the_repository_file_escaped(run):
    lines = annotations(run)

    assert len(lines) == 3, lines  # two checks on line 35 are one annotation
    assert lines[0].startswith("::error file=monitoring/stack/prometheus/rules.yml,line=35,title=MUST expression "
                               "parses [DataQualityLow] and 1 more check(s)::"), lines[0]
    assert "%0A" in lines[0] and "\n" not in lines[0] and "never fired" in lines[0], "a message broke the command"
    assert lines[1].startswith("::error title=") and "nothing arrived" in lines[1], "a finding no file holds"
    assert lines[2].startswith("::warning file=monitoring/stack/prometheus/rules.yml,line=50,") and "100%25" in lines[2]


def test_the_code_quality_report_has_the_fields_gitlab_reads(run, tmp_path):
    report = json.loads(write_code_quality(run, tmp_path).read_text(encoding="utf-8"))

    assert [(f["location"]["path"], f["location"]["lines"]["begin"], f["severity"]) for f in report] == [
        ("monitoring/stack/prometheus/rules.yml", 35, "critical"), ("monitoring/stack/manifest.yml", 1, "critical"),
        ("monitoring/stack/prometheus/rules.yml", 50, "minor")]
    assert all(f["description"] and f["check_name"] and len(f["fingerprint"]) == 64 for f in report), report
    assert len({f["fingerprint"] for f in report}) == 3


def test_junit_testcases_point_at_the_stack_file_and_line_not_the_suite(run, tmp_path):
    cases = ET.parse(write_junit(run, tmp_path)).getroot().findall("testsuite/testcase")
    at = [(case.get("file"), case.get("line")) for case in cases]

    assert at == [("monitoring/stack/prometheus/rules.yml", "35")] * 2 + [
        ("monitoring/stack/prometheus/rules.yml", "50"), (None, None), ("monitoring/stack/prometheus/rules.yml", "70")]
    properties = {p.get("name"): p.get("value") for p in cases[0].iter("property")}
    assert properties["location"] == "monitoring/stack/prometheus/rules.yml:35"
    assert properties["test"].startswith("suites/test_alerts_virtual.py::")


def test_summary_says_verdict_coverage_and_failures_at_their_lines(run, tmp_path, monkeypatch):
    from reports import markdown_writer

    text = write_summary(run, tmp_path).read_text(encoding="utf-8")

    assert "**does not conform: 3 MUST check(s) fail**" in text, text
    assert "Tested: alert rules tested 2 of 3 (1 hand-written, 1 derived), not derived 1" in text, text
    assert "| MUST | `monitoring/stack/prometheus/rules.yml:35` | expression parses [DataQualityLow] | fires at 0.5, " \
           "expected 0.8 second line, with: a colon |" in text, text
    assert "team \\| &lt;b&gt;stack&lt;/b&gt;" in text and "<script>" not in text, "the stack's text became markup"
    assert markdown_writer._cell("x: `a < 0.5 | b`, <i>was</i> `a<1`") == "x: `a < 0.5 \\| b`, &lt;i&gt;was&lt;/i&gt; `a<1`"
    assert markdown_writer._cell("odd `<b>") == "odd `&lt;b&gt;", "an unclosed backtick let markup through"
    monkeypatch.setattr(markdown_writer, "ROWS", 1)
    assert "… and 2 more in report.html." in markdown_writer.render(run)
    run.checks[-1].status, run.interrupted = "not run", {"reason": "SIGTERM", "not_run": 1}
    assert "**incomplete: SIGTERM; 1 checks did not run**" in \
        markdown_writer.render(run), "an interrupted run reads as a verdict"


def test_the_coverage_line_opens_both_the_summary_and_the_page(run, tmp_path):
    from reports import write_html
    from reports.coverage import coverage_line, verdict

    line = coverage_line(verdict(run)["tested"])
    assert line.startswith("alert rules tested ")
    assert f"Tested: {line}." in write_summary(run, tmp_path).read_text(encoding="utf-8")
    html = write_html(run, tmp_path).read_text(encoding="utf-8")
    assert line in html and html.index('id="tested"') < html.index("<nav>")


def test_summary_is_appended_to_the_github_step_summary_when_set(run, tmp_path):
    summary = write_summary(run, tmp_path)
    step = tmp_path / "step.md"
    step.write_text("earlier step\n", encoding="utf-8")

    append_step_summary(summary, None)
    append_step_summary(summary, str(step))

    assert step.read_text(encoding="utf-8") == "earlier step\n" + summary.read_text(encoding="utf-8") + "\n"


def test_a_stack_outside_any_repository_keeps_its_own_paths(run):
    run.stack_in_repository = None
    assert run.in_repository(RULES) == "prometheus/rules.yml"
    run.stack_in_repository = ""
    assert run.in_repository(RULES) == "prometheus/rules.yml"
    assert run.in_repository({"file": "/etc/outside.yml"}) == "/etc/outside.yml"


def test_the_stack_folder_is_named_relative_to_its_repository(tmp_path):
    from fixtures.plugin.options import in_repository

    (tmp_path / "repo" / ".config" / "stack").mkdir(parents=True)
    assert in_repository(tmp_path / "repo" / ".config" / "stack") is None
    (tmp_path / "repo" / ".git").mkdir()
    assert in_repository(tmp_path / "repo" / ".config" / "stack") == ".config/stack"
    assert in_repository(tmp_path / "repo") == ""
