"""fixtures/plugin.py, on tiny suites run by pytester: subjects come from the stack, every
conformance check is recorded with its level, and a session without checks writes no report."""

import json

import pytest

from tests.layout import REFERENCE_STACK

TINY_CHECK = '''
import pytest


# Any argument name: the declared subject kind chooses what the first argument receives.
@pytest.mark.conformance(component="alertmanager", check="severity is paged", level="SHOULD", phase="static",
                         subject_kind="severity")
def test_paged(level):
    assert level != "info", f"severity {level} pages nobody"
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
    recorded = [(c["subject"], c["status"], c["level"], c["component"], c["check"], c["phase"], c["subject_kind"])
                for c in checks]
    assert recorded == [
        ("critical", "passed", "SHOULD", "alertmanager", "severity is paged", "static", "severity"),
        ("warning", "passed", "SHOULD", "alertmanager", "severity is paged", "static", "severity"),
        ("info", "failed", "SHOULD", "alertmanager", "severity is paged", "static", "severity"),
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


LEAKY_CHECK = '''
import pytest

from fixtures.checks import at, expect


@pytest.mark.conformance(component="alertmanager", check="webhook answers", phase="static")
def test_webhook(stack, evidence):
    url = (stack.root / "alertmanager/secrets/slack-webhook-url").read_text().strip()
    evidence["posted to"] = url
    print(f"captured: posting to {url}")
    expect(False, f"POST {url} refused", at(stack.alertmanager_config_path, 5))
'''
SLACK_PLACEHOLDER = "[redacted: alertmanager/alertmanager.yml receivers[1].slack_configs[0].api_url_file]"


def test_a_secret_of_the_stack_reaches_neither_the_terminal_nor_the_report(pytester, tmp_path):
    secret = (REFERENCE_STACK / "alertmanager/secrets/slack-webhook-url").read_text().strip()
    pytester.makepyfile(test_leaky=LEAKY_CHECK)
    result = run_with_plugin(pytester, tmp_path)
    result.assert_outcomes(failed=1)
    output = result.stdout.str() + result.stderr.str()
    assert secret not in output, output
    assert f"POST {SLACK_PLACEHOLDER} refused" in output and f"captured: posting to {SLACK_PLACEHOLDER}" in output
    for name in ("results.json", "report.html", "junit.xml"):
        assert secret not in (tmp_path / name).read_text(encoding="utf-8"), name
    check = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["checks"][0]
    assert check["evidence"] == {"posted to": SLACK_PLACEHOLDER}
    assert check["location"] == {"file": "alertmanager/alertmanager.yml", "line": 5,
                                 "text": "smtp_smarthost: 'smtp.yourcompany.com:587'"}


def test_previous_results_give_the_regression_and_the_time_per_phase(pytester, tmp_path):
    pytester.makepyfile(test_tiny=TINY_CHECK)
    run_with_plugin(pytester, tmp_path / "before")
    previous = json.loads((tmp_path / "before" / "results.json").read_text(encoding="utf-8"))
    previous["checks"][0]["status"] = "failed"  # critical: failed before, passes now
    (tmp_path / "previous.json").write_text(json.dumps(previous))
    pytester.runpytest_subprocess("-p", "fixtures.plugin", f"--stack={REFERENCE_STACK}",
                                  f"--report-dir={tmp_path / 'after'}", f"--previous-results={tmp_path / 'previous.json'}",
                                  timeout=120)
    after = json.loads((tmp_path / "after" / "results.json").read_text(encoding="utf-8"))
    regression = {key: [e["subject"] for e in after["regression"][key]] for key in ("fixed", "still_failing")}
    assert regression == {"fixed": ["critical"], "still_failing": ["info"]}
    assert set(after["phases"]) == {"test_tiny"} and after["phases"]["test_tiny"] >= 0


def test_a_missing_previous_results_file_is_a_usage_error(pytester, tmp_path):
    pytester.makepyfile(test_plain=NO_CHECK)
    result = pytester.runpytest_subprocess("-p", "fixtures.plugin", f"--stack={REFERENCE_STACK}",
                                           f"--previous-results={tmp_path / 'nope.json'}", timeout=120)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--previous-results*nope.json: no such file*"])
