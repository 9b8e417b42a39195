"""reports/: the JSON and HTML writers over one run, summary counts per level, escaped messages."""

import json

import pytest

from reports import WRITERS, write_html, write_json
from reports.model import CheckResult, RunResults

SCRIPT = "<script>alert('x')</script>"


def check(subject: str, status: str, level: str = "MUST", message: str = "") -> CheckResult:
    return CheckResult(
        component="prometheus", subject=subject, check="expression parses", status=status, level=level,
        message=message, nodeid=f"suites/test_static_prometheus.py::test_expression_parses[{subject}]",
    )


@pytest.fixture
def run() -> RunResults:
    results = RunResults(stack="/stacks/<b>demo</b>", stack_name="demo <i>stack</i>", profile="local",
                         started="2024-01-01T00:00:00+00:00", duration_s=1.5)
    results.checks += [
        check("PipelineFailureRate", "passed"),
        check("DataQualityLow", "failed", message=f"rules.yml:35: invalid PromQL {SCRIPT}"),
        check("HighCPUUsage", "error", message="setup failed"),
        check("HighMemoryUsage", "passed", level="SHOULD"),
        check("DiskSpaceRunningLow", "skipped", level="SHOULD", message="not applicable"),
    ]
    return results


def test_summary_counts_each_status_per_level(run):
    assert run.counts("MUST") == {"passed": 1, "failed": 1, "error": 1, "skipped": 0}
    assert run.counts("SHOULD") == {"passed": 1, "failed": 0, "error": 0, "skipped": 1}
    assert run.counts() == {"passed": 2, "failed": 1, "error": 1, "skipped": 1}


def test_json_report_holds_every_check_and_the_summary(run, tmp_path):
    path = write_json(run, tmp_path)
    assert path == tmp_path / "results.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["summary"] == {"all": run.counts(), "MUST": run.counts("MUST"), "SHOULD": run.counts("SHOULD")}
    failed = [c for c in data["checks"] if c["status"] == "failed"]
    assert [(c["subject"], c["message"]) for c in failed] == [("DataQualityLow", f"rules.yml:35: invalid PromQL {SCRIPT}")]
    assert (data["stack_name"], data["profile"], data["duration_s"]) == ("demo <i>stack</i>", "local", 1.5)


def test_html_report_escapes_what_the_stack_wrote(run, tmp_path):
    html = write_html(run, tmp_path).read_text(encoding="utf-8")
    assert "<script>" not in html, "a message from the stack under test became markup"
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<i>" not in html and "<b>" not in html, "the stack's name or path became markup"


def test_html_report_shows_counts_per_level(run, tmp_path):
    html = write_html(run, tmp_path).read_text(encoding="utf-8")
    assert "<tr><th>MUST</th><td>1</td><td>1</td><td>1</td><td>0</td></tr>" in html
    assert "<tr><th>SHOULD</th><td>1</td><td>0</td><td>0</td><td>1</td></tr>" in html


def test_every_writer_takes_the_same_arguments_and_writes_one_file(run, tmp_path):
    written = [writer(run, tmp_path) for writer in WRITERS]
    assert sorted(p.name for p in written) == ["report.html", "results.json"]
    assert all(p.parent == tmp_path and p.stat().st_size > 0 for p in written), written
