"""reports/: the JSON, HTML and JUnit writers over one run, summary counts per level and per
component, escaped messages, the alert matrix and the dashboards, the regression view."""

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from reports import WRITERS, write_html, write_json, write_junit
from reports.model import CheckResult, RunResults
from reports.regression import compare

SCRIPT = "<script>alert('x')</script>"
STATIC = "suites/test_static_prometheus.py::test_expression_parses"


def check(subject: str, status: str, level: str = "MUST", message: str = "", **fields) -> CheckResult:
    values = {"component": "prometheus", "check": "expression parses", "subject_kind": "alert_rule",
              "nodeid": f"{STATIC}[{subject}]", **fields}
    return CheckResult(subject=subject, status=status, level=level, message=message, **values)


@pytest.fixture
def run() -> RunResults:
    results = RunResults(stack="/stacks/<b>demo</b>", stack_name="demo <i>stack</i>", profile="local",
                         started="2024-01-01T00:00:00+00:00", duration_s=1.5,
                         phases={"test_static_prometheus": 0.5, "test_alerts_live": 20.0})
    results.checks += [
        check("PipelineFailureRate", "passed"),
        check("DataQualityLow", "failed", message=f"rules.yml:35: invalid PromQL {SCRIPT}",
              location={"file": "prometheus/rules.yml", "line": 35, "text": "expr: rate(x[5m] > 1"}),
        check("HighCPUUsage", "error", message="setup failed"),
        check("HighMemoryUsage", "passed", level="SHOULD"),
        check("DiskSpaceRunningLow", "skipped", level="SHOULD", message="not applicable"),
        check("PipelineFailureRate", "passed", component="alerting", check="fires (live)",
              nodeid="suites/test_alerts_live.py::test_fires_live[PipelineFailureRate]",
              evidence={"expected labels": {"severity": "critical"}, "fired after (s of feed)": 44.5}),
        check("Ops/CPU", "passed", component="grafana", check="panel returns data (live)", subject_kind="panel",
              nodeid="suites/test_dashboards_live.py::test_panel_has_data[Ops/CPU]",
              evidence={"unit": "percent", "type": "stat", "query A": {
                  "query": "avg(cpu)", "series": [{"labels": {"instance": "n1"}, "last": 42.5, "points": 3}]}}),
    ]
    return results


class Page(HTMLParser):
    """Ids, in-page links and text of a page, the way a browser would see them."""

    def __init__(self, html: str):
        super().__init__()
        self.ids, self.links, self.text = set(), [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href", "").startswith("#"):
            self.links.append(attrs["href"][1:])
        if tag in ("script", "link", "img") or (tag == "style" and attrs.get("src")):
            self.text.append(f"<{tag}>")

    def handle_data(self, data):
        self.text.append(data)


def test_summary_counts_each_status_per_level_and_component(run):
    none = {"not applicable": 0, "not run": 0}
    assert run.counts("MUST") == {"passed": 3, "failed": 1, "error": 1, "skipped": 0, **none}
    assert run.counts("SHOULD") == {"passed": 1, "failed": 0, "error": 0, "skipped": 1, **none}
    assert run.counts(component="alerting") == {"passed": 1, "failed": 0, "error": 0, "skipped": 0, **none}
    assert run.component_names == ["alerting", "grafana", "prometheus"]


def test_json_report_holds_every_check_the_summary_and_reads_back(run, tmp_path):
    path = write_json(run, tmp_path)
    assert path == tmp_path / "results.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    verdict = data["summary"].pop("verdict")  # reports/coverage.py (tests/test_coverage_verdict.py)
    assert verdict["state"] == "fails" and verdict["headline"] == "does not conform: 2 MUST check(s) fail", verdict
    assert data["summary"] == {"all": run.counts(), "MUST": run.counts("MUST"), "SHOULD": run.counts("SHOULD")}
    failed = [c for c in data["checks"] if c["status"] == "failed"]
    assert [(c["subject"], c["message"], c["location"]["line"]) for c in failed] == [
        ("DataQualityLow", f"rules.yml:35: invalid PromQL {SCRIPT}", 35)]
    assert (data["stack_name"], data["profile"], data["duration_s"]) == ("demo <i>stack</i>", "local", 1.5)
    assert RunResults.from_dict(data) == run


def test_json_report_writes_each_check_on_one_line_and_what_json_cannot_hold_as_before(run, tmp_path):
    from dataclasses import asdict
    from pathlib import PurePosixPath

    from fixtures.model.stackfiles import SourceLine

    where = SourceLine(PurePosixPath("rules.yml"), 3)  # a dataclass holding a path
    run.checks[0].evidence = {"source": where, "files": [PurePosixPath("a.yml")], "seen": (1, 2)}
    text = write_json(run, tmp_path).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if '"nodeid": ' in line]
    assert len(lines) == len(run.checks), "a check is not one line of its own"
    written = json.loads(text)["checks"][0]["evidence"]
    assert written == json.loads(json.dumps({"source": asdict(where), "files": ["a.yml"], "seen": [1, 2]}, default=str))


def test_html_report_escapes_what_the_stack_wrote(run, tmp_path):
    html = write_html(run, tmp_path).read_text(encoding="utf-8")
    assert "<script>" not in html, "a message from the stack under test became markup"
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "<i>" not in html and "<b>" not in html, "the stack's name or path became markup"


def test_html_report_is_self_contained_and_every_anchor_resolves(run, tmp_path):
    html = write_html(run, tmp_path).read_text(encoding="utf-8")
    page = Page(html)
    assert not [t for t in page.text if t in ("<script>", "<link>", "<img>")], "the report loads something"
    assert "http://" not in html and "https://" not in html and "@import" not in html
    assert page.links and not [link for link in page.links if link not in page.ids], \
        f"links to nowhere: {[link for link in page.links if link not in page.ids]}"


def test_html_report_shows_counts_verdict_failures_matrix_and_panels(run, tmp_path):
    text = " ".join(Page(write_html(run, tmp_path).read_text(encoding="utf-8")).text)
    assert "does not conform: 2 MUST check(s) fail" in text
    assert "prometheus/rules.yml:35" in text and "expr: rate(x[5m] > 1" in text, "a static finding lost its place"
    assert "Alert matrix (5 rules)" in text
    assert "Dashboards (1 panels)" in text and "42.5" in text and "percent" in text and "avg(cpu)" in text
    assert '"fired after (s of feed)": 44.5' in text, "a check's evidence is missing"
    assert "Not run (no checks recorded): stack, alertmanager, logs, traces." in text
    assert "test_alerts_live 20.0" in text and "test_static_prometheus 0.5" in text, "durations per phase"


def test_junit_has_one_testcase_per_check_named_after_component_check_and_subject(run, tmp_path):
    root = ET.parse(write_junit(run, tmp_path)).getroot()
    cases = root.findall("testsuite/testcase")
    assert len(cases) == len(run.checks)
    failed = [c for c in cases if c.find("failure") is not None]
    assert [(c.get("classname"), c.get("name"), c.find("failure").get("message")) for c in failed] == [
        ("prometheus", "expression parses[DataQualityLow]", f"rules.yml:35: invalid PromQL {SCRIPT}")]
    assert [c.get("name") for c in cases if c.find("error") is not None] == ["expression parses[HighCPUUsage]"]
    assert [c.get("name") for c in cases if c.find("skipped") is not None] == ["expression parses[DiskSpaceRunningLow]"]
    suites = {s.get("name"): (s.get("tests"), s.get("failures"), s.get("errors")) for s in root.findall("testsuite")}
    assert suites["prometheus"] == ("5", "1", "1")


def test_regression_sorts_checks_into_newly_failing_fixed_still_failing_new_and_removed(run):
    before = RunResults(stack="s", stack_name="demo", profile="local", started="2023-12-31T00:00:00+00:00")
    before.checks = [check("PipelineFailureRate", "failed"), check("DataQualityLow", "passed"),
                     check("HighCPUUsage", "failed"), check("Gone", "failed")]
    diff = compare(before, run)
    names = {key: [e["subject"] for e in diff[key]] for key in
             ("newly_failing", "fixed", "still_failing", "new_checks", "removed_checks")}
    assert names == {"newly_failing": ["DataQualityLow"], "fixed": ["PipelineFailureRate"],
                     "still_failing": ["HighCPUUsage"],
                     "new_checks": ["HighMemoryUsage", "DiskSpaceRunningLow", "PipelineFailureRate", "Ops/CPU"],
                     "removed_checks": ["Gone"]}
    assert diff["newly_failing"][0]["previous_status"] == "passed"


def test_the_regression_view_comes_first(run, tmp_path):
    before = RunResults(stack="s", stack_name="demo", profile="local", started="2023-12-31T00:00:00+00:00")
    before.checks = [check("DataQualityLow", "passed")]
    run.regression = compare(before, run)
    html = write_html(run, tmp_path).read_text(encoding="utf-8")
    assert html.index('id="regression"') < html.index('id="failures"') < html.index('id="summary"')
    assert "1 newly failing" in html


def test_every_writer_takes_the_same_arguments_and_writes_one_file(run, tmp_path):
    written = [writer(run, tmp_path) for writer in WRITERS]
    assert sorted(p.name for p in written) == ["gl-code-quality-report.json", "junit.xml", "report.html", "results.json",
                                               "summary.md"]
    assert all(p.parent == tmp_path and p.stat().st_size > 0 for p in written), written


def test_a_large_run_lists_only_what_fails_and_gives_alike_rules_one_row(run, tmp_path, monkeypatch):
    from reports import html_writer

    run.checks += [check(f"Quiet{n}", "passed") for n in range(3)]  # as HighMemoryUsage: one passing check
    monkeypatch.setattr(html_writer, "COMPACT_FROM_CHECKS", len(run.checks))
    html = write_html(run, tmp_path).read_text(encoding="utf-8")
    page = Page(html)
    assert not [link for link in page.links if link not in page.ids], "a mark links to nowhere"
    assert {html_writer.anchor(c) for c in run.checks if c.failing} <= page.ids, "a failing check lost its evidence"
    assert not {html_writer.anchor(c) for c in run.checks if not c.failing} & page.ids, "a passing check is listed"
    assert "fired after (s of feed)" not in html, "a passing check's evidence is on the page"
    assert "invalid PromQL" in html and "setup failed" in html, "what fails is listed in full"
    text = " ".join(page.text)
    assert "Alert matrix (8 rules)" in text, text
    assert "4 rules alike HighMemoryUsage, Quiet0, Quiet1, Quiet2" in text, "rules with the same outcomes share a row"
    assert text.count("1 rule alike") == 4, "PipelineFailureRate, DiskSpaceRunningLow, DataQualityLow (failed) and " \
                                            "HighCPUUsage (error) each have outcomes of their own"
    matrix = html.split('id="alerts"')[1].split("</section>")[0]
    failing = [c for c in run.checks if c.failing]
    assert matrix.index(f'<a href="#{html_writer.anchor(failing[0])}">DataQualityLow</a>') < matrix.index("Quiet0"), \
        "a rule with a failing check is not listed first, with a link to its evidence"
    monkeypatch.setattr(html_writer, "COMPACT_FROM_CHECKS", len(run.checks) + 1)
    small = write_html(run, tmp_path).read_text(encoding="utf-8")
    assert "fired after (s of feed)" in small and " alike" not in small, "a small run lists every check"
