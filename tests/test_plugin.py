"""fixtures/plugin/, on tiny suites run by pytester: subjects come from the stack, every
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


A_PACKAGE_OF_ITS_OWN = '''
import pytest

from fixtures.warmup import Pipeline, running


def _receivers(stack):
    return [pytest.param(name, id=name) for name in sorted(set(stack.severity_receivers.values()))]


def pytest_conformance_subject_kinds(config):
    return {"receiver": _receivers}


class Started:
    def stop(self):
        pass


def _record(started, results, instance, own):
    results.notes.append(f"the echo pipeline ran (the stack's own versions: {own})")


def pytest_conformance_live_pipelines(config):
    return [Pipeline("echo", "echo_pipeline", ("stack",), lambda config, stack: Started(), Started.stop,
                     record=_record)]


@pytest.fixture(scope="session")
def echo_pipeline(request):
    yield from running(request, "echo")
'''

ITS_CHECKS = '''
import pytest


@pytest.mark.conformance(component="alertmanager", check="receiver named", phase="static", subject_kind="receiver")
def test_receiver_named(receiver):
    assert receiver


@pytest.mark.conformance(component="echo", check="echo answers", phase="live")
def test_echo(echo_pipeline):
    assert echo_pipeline is not None
'''


def test_a_package_joins_through_the_hooks_with_its_subject_kind_and_live_pipeline(pytester, tmp_path):
    """A package the plugin does not know registers a subject kind and a live pipeline through
    fixtures/plugin/hookspecs.py: its checks are parametrised over the kind, its pipeline starts
    through the run's warm-up, and what it records reaches the report."""
    pytester.makepyfile(echo_plugin=A_PACKAGE_OF_ITS_OWN, test_echo=ITS_CHECKS)
    result = pytester.runpytest_subprocess("-p", "fixtures.plugin", "-p", "echo_plugin", f"--stack={REFERENCE_STACK}",
                                           f"--report-dir={tmp_path}", timeout=120)
    run = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    receivers = sorted(c["subject"] for c in run["checks"] if c["check"] == "receiver named")
    assert receivers and len(receivers) == len(set(receivers)), result.stdout.str()
    assert [(c["check_id"], c["status"]) for c in run["checks"] if c["component"] == "echo"] == [("test_echo", "passed")]
    assert "the echo pipeline ran (the stack's own versions: True)" in run["notes"], run["notes"]


def test_a_subject_kind_two_packages_provide_is_a_usage_error(pytester, tmp_path):
    pytester.makepyfile(echo_plugin=A_PACKAGE_OF_ITS_OWN, test_plain=NO_CHECK,
                        another_plugin="def pytest_conformance_subject_kinds(config):\n"
                                       "    return {'receiver': lambda stack: []}\n")
    result = pytester.runpytest_subprocess("-p", "fixtures.plugin", "-p", "echo_plugin", "-p", "another_plugin",
                                           f"--stack={REFERENCE_STACK}", f"--report-dir={tmp_path}", timeout=120)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*subject kind 'receiver' is provided twice*"])
