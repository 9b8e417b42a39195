"""fixtures/plugin.py, on tiny suites run by pytester: subjects come from the stack, every
conformance check is recorded with its level, and a session without checks writes no report."""

import json

import pytest

from tests.layout import REFERENCE_STACK

TINY_CHECK = '''
import pytest


@pytest.mark.conformance(component="alertmanager", check="severity is paged", level="SHOULD")
def test_paged(severity):
    assert severity != "info", f"severity {severity} pages nobody"
'''

NO_CHECK = '''
def test_plain_helper_behaviour():
    assert sum([1, 2]) == 3
'''


def run_with_plugin(pytester, report_dir):
    # "--opt=value": a separate path argument would make pytest pick its rootdir from that path.
    return pytester.runpytest_subprocess(
        "-p", "fixtures.plugin", f"--stack={REFERENCE_STACK}", f"--report-dir={report_dir}", timeout=120
    )


def test_checks_are_parametrised_over_the_stack_and_recorded(pytester, tmp_path):
    pytester.makepyfile(test_tiny=TINY_CHECK)
    result = run_with_plugin(pytester, tmp_path)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "*_ test_paged[[]info[]] _*",
        "E * AssertionError: severity info pages nobody",
        "FAILED test_tiny.py::test_paged[[]info[]]*",
    ])

    checks = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["checks"]
    recorded = [(c["subject"], c["status"], c["level"], c["component"], c["check"]) for c in checks]
    assert recorded == [
        ("critical", "passed", "SHOULD", "alertmanager", "severity is paged"),
        ("warning", "passed", "SHOULD", "alertmanager", "severity is paged"),
        ("info", "failed", "SHOULD", "alertmanager", "severity is paged"),
    ], recorded
    assert "severity info pages nobody" in checks[2]["message"], checks[2]
    assert (tmp_path / "report.html").is_file()


def test_a_session_without_conformance_checks_writes_no_report(pytester, tmp_path):
    pytester.makepyfile(test_plain=NO_CHECK)
    result = run_with_plugin(pytester, tmp_path / "report")
    result.assert_outcomes(passed=1)
    assert not (tmp_path / "report").exists(), "a session that ran no conformance check wrote a report"
    assert "conformance report:" not in result.stdout.str()


def test_a_folder_that_is_not_a_stack_is_a_usage_error(pytester, tmp_path):
    pytester.makepyfile(test_plain=NO_CHECK)
    result = pytester.runpytest_subprocess("-p", "fixtures.plugin", f"--stack={tmp_path}", timeout=120)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*cannot read the stack under test: {tmp_path}/manifest.yml: no stack manifest*"])
