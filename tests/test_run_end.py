"""A run's report is true to what ran, and its options are checked before the first check.

Tiny suites run by pytester with the plugin, as a user runs them from the command line: a run
stopped by a signal, by ``-x`` or by the harness crashing says so in results.json, report.html and
junit.xml, lists the checks it never got to as not run, and never claims conformance; every bad
option is a usage error naming the option and the problem, before anything runs.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest

from tests.layout import REFERENCE_STACK
from tests.live_runs import ctrl_c_enabled

# Three quick checks (one fails on "info"), one that runs until it is interrupted, one after it.
# The session fixture's teardown leaves a file: proof that clean-up ran after the signal.
SUITE = '''
import time
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def resource():
    yield
    Path("cleaned-up").write_text("yes")


@pytest.mark.conformance(component="alertmanager", check="severity is paged", phase="static", subject_kind="severity")
def test_paged(severity, resource):
    assert severity != "info", f"severity {severity} pages nobody"


@pytest.mark.conformance(component="alertmanager", check="waits", phase="static")
def test_waits(resource):
    Path("waiting").write_text("")
    deadline = time.monotonic() + 120  # a limit, should the signal never come
    while time.monotonic() < deadline and not Path("give-up").exists():
        time.sleep(0.05)


@pytest.mark.conformance(component="prometheus", check="after", phase="static")
def test_after():
    pass
'''
SIGNAL_LIMIT_S = 60  # a safety net for a run that ignores its signal, not a timing check


def _command(report_dir, *args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-p", "fixtures.plugin", f"--stack={REFERENCE_STACK}",
            f"--report-dir={report_dir}", "-q", "-p", "no:cacheprovider", *args]


def _report(report_dir) -> tuple[dict, str, ET.Element]:
    return (json.loads((report_dir / "results.json").read_text(encoding="utf-8")),
            (report_dir / "report.html").read_text(encoding="utf-8"),
            ET.parse(report_dir / "junit.xml").getroot())


def _statuses(results: dict) -> dict[str, str]:
    return {c["nodeid"].split("::")[1]: c["status"] for c in results["checks"]}


def _skipped_messages(junit: ET.Element) -> list[str]:
    return [s.get("message") for s in junit.iter("skipped")]


def _interrupted(pytester, command: list[str], signum: int) -> tuple[subprocess.Popen, str]:
    """The tiny suite run by ``command``, sent ``signum`` while its waiting check runs."""
    pytester.makepyfile(test_tiny=SUITE)
    process = pytester.popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, text=True, preexec_fn=ctrl_c_enabled)
    deadline = time.monotonic() + SIGNAL_LIMIT_S
    while not (pytester.path / "waiting").exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signum)
    sent = time.monotonic()
    try:
        output, _ = process.communicate(timeout=SIGNAL_LIMIT_S)
    except subprocess.TimeoutExpired:
        (pytester.path / "give-up").write_text("")
        output, _ = process.communicate(timeout=SIGNAL_LIMIT_S)
        raise AssertionError(f"{signal.Signals(signum).name} did not end the run:\n{output[-3000:]}") from None
    print(f"{signal.Signals(signum).name}: the run ended {time.monotonic() - sent:.2f}s after the signal")
    return process, output


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_a_signal_ends_the_run_with_clean_up_and_a_report_that_says_so(pytester, tmp_path, signum):
    process, output = _interrupted(pytester, _command(tmp_path), signum)

    assert process.returncode == pytest.ExitCode.INTERRUPTED, output[-3000:]
    assert (pytester.path / "cleaned-up").exists(), f"the session teardown did not run after {signum.name}"
    results, html, junit = _report(tmp_path)
    assert results["interrupted"] == {"cause": "signal", "signal": signum.name,
                                      "reason": f"interrupted by {signum.name}", "during": "test_tiny.py::test_waits",
                                      "not_run": 2}, results["interrupted"]
    assert _statuses(results) == {"test_paged[critical]": "passed", "test_paged[warning]": "passed",
                                  "test_paged[info]": "failed", "test_waits": "not run", "test_after": "not run"}
    waits = next(c for c in results["checks"] if c["nodeid"].endswith("test_waits"))
    assert waits["message"] == f"not run: interrupted by {signum.name}, while this check ran"
    assert f"incomplete: interrupted by {signum.name}; 2 of 5 checks did not run" in html
    assert "conforms: every MUST" not in html
    assert _skipped_messages(junit) == [f"not run: interrupted by {signum.name}, while this check ran",
                                        f"not run: interrupted by {signum.name}"]
    assert f"incomplete, interrupted by {signum.name}; 2 checks not run" in output


def test_a_signalled_run_writes_its_report_without_gathering_what_it_never_got_to(pytester, tmp_path):
    """An interrupted run ends now: what the run never gathered (the behaviour record, which reads
    every rule of the stack again: minutes on a large or hostile one) is left out and said so,
    not gathered while a CI job's timeout waits for the report."""
    pytester.makeconftest('''
import time

import fixtures.behaviour


def _slow(*args, **kwargs):  # gathering the record on a stack whose rules take minutes to read
    time.sleep(300)


fixtures.behaviour.observe = _slow
''')
    process, output = _interrupted(pytester, _command(tmp_path), signal.SIGTERM)  # within SIGNAL_LIMIT_S

    assert process.returncode == pytest.ExitCode.INTERRUPTED, output[-3000:]
    results, _, _ = _report(tmp_path)
    assert results["interrupted"]["cause"] == "signal" and _statuses(results)["test_waits"] == "not run"
    assert "no behaviour record: the run was interrupted by SIGTERM before it was gathered" in results["notes"], \
        results["notes"]


def test_a_run_stopped_by_maxfail_lists_what_it_never_ran(pytester, tmp_path):
    pytester.makepyfile(test_tiny=SUITE)
    result = pytester.runpytest_subprocess(*_command(tmp_path, "-x")[3:], timeout=120)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    results, html, junit = _report(tmp_path)
    assert results["interrupted"] == {"cause": "maxfail", "reason": "stopping after 1 failures (-x or --maxfail)",
                                      "not_run": 2}
    assert _statuses(results)["test_waits"] == "not run" and _statuses(results)["test_after"] == "not run"
    assert "incomplete: stopping after 1 failures (-x or --maxfail); 2 of 5 checks did not run" in html
    assert [s.get("skipped") for s in junit.iter("testsuite")] == ["1", "1"]


def test_a_crash_of_the_harness_is_reported_as_the_end_of_the_run(pytester, tmp_path):
    pytester.makepyfile(test_tiny=SUITE.replace('Path("waiting")', 'raise AssertionError("never here"); Path("w")'))
    pytester.makeconftest('''
def pytest_runtest_logreport(report):
    if report.when == "call" and report.nodeid.endswith("[warning]"):
        raise RuntimeError("a broken hook")
''')
    result = pytester.runpytest_subprocess(*_command(tmp_path)[3:], timeout=120)
    assert result.ret == pytest.ExitCode.INTERNAL_ERROR
    results, html, _ = _report(tmp_path)
    assert results["interrupted"]["cause"] == "crash", results["interrupted"]
    assert results["interrupted"]["reason"] == "the harness crashed (RuntimeError: a broken hook)"
    assert [s for s in _statuses(results).values()].count("not run") == 3, _statuses(results)
    assert "incomplete: the harness crashed" in html and "conforms: every MUST" not in html


def test_a_complete_run_claims_nothing_about_interruption(pytester, tmp_path):
    pytester.makepyfile(test_tiny=SUITE.replace("Path(\"waiting\").write_text(\"\")", "return"))
    pytester.runpytest_subprocess(*_command(tmp_path)[3:], timeout=120)
    results, html, junit = _report(tmp_path)
    assert results["interrupted"] is None and "not run" not in _statuses(results).values()
    assert "incomplete" not in html and _skipped_messages(junit) == []


@pytest.fixture
def unwritable(tmp_path):
    """A folder this user cannot write to: for root, whom modes do not stop, an immutable one."""
    folder = tmp_path / "locked"
    folder.mkdir()
    if shutil.which("chattr") and subprocess.run(["chattr", "+i", str(folder)], check=False).returncode == 0:
        yield folder
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o500)
        yield folder
        folder.chmod(0o700)


BAD_PREVIOUS = {
    "malformed.json": ('{"checks": [', "not JSON: Expecting value at line 1 column 13"),
    "list.json": ("[1, 2]", "a list, not the object a results.json holds"),
    "no-checks.json": ('{"stack": "s", "stack_name": "n", "profile": "p", "started": "t"}',
                       "not a results.json: no checks"),
    "shape.json": ('{"stack": "s", "stack_name": "n", "profile": "p", "started": "t", "checks": {"a": 1}}',
                   "'checks' is an object, not a list"),
    "check.json": ('{"stack": "s", "stack_name": "n", "profile": "p", "started": "t", "checks": [{"nodeid": "x"}]}',
                   "checks[0] has no text for status, component, check, subject, level, message"),
}


@pytest.mark.parametrize("name", [*BAD_PREVIOUS, "missing.json"])
def test_a_bad_previous_results_file_is_a_usage_error_before_any_check(pytester, tmp_path, name):
    pytester.makepyfile(test_tiny=SUITE)
    content, problem = BAD_PREVIOUS.get(name, (None, "no such file (a results.json of an earlier run)"))
    if content is not None:
        (tmp_path / name).write_text(content)
    result = pytester.runpytest_subprocess(*_command(tmp_path / "report", f"--previous-results={tmp_path / name}")[3:],
                                           timeout=120)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: --previous-results {tmp_path / name}: {problem}"])
    assert not (pytester.path / "waiting").exists() and not (tmp_path / "report").exists()


def test_an_unusable_report_dir_is_a_usage_error_before_any_check(pytester, tmp_path, unwritable):
    pytester.makepyfile(test_tiny=SUITE)
    (tmp_path / "a-file").write_text("")
    (tmp_path / "taken" / "junit.xml").mkdir(parents=True)
    for report_dir, problem in ((tmp_path / "a-file", f"{tmp_path / 'a-file'} is a file, not a folder"),
                                (tmp_path / "taken", (f"{tmp_path / 'taken' / 'junit.xml'} is a folder; the report is "
                                                     "written to a file of that name")),
                                (tmp_path / "a-file" / "below", f"{tmp_path / 'a-file'} is a file, not a folder"),
                                (unwritable / "report", f"{unwritable} is not writable by this user")):
        result = pytester.runpytest_subprocess(*_command(report_dir)[3:], timeout=120)
        assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str()
        result.stderr.fnmatch_lines([f"ERROR: --report-dir {report_dir}: {problem}"])
        assert not (pytester.path / "waiting").exists()


@pytest.mark.parametrize("given, problem", [("nowhere", "no such folder"), ("test_tiny.py", "a file, not a folder")])
def test_a_stack_that_is_not_a_folder_is_a_usage_error(pytester, given, problem):
    pytester.makepyfile(test_tiny=SUITE)
    result = pytester.runpytest_subprocess("-p", "fixtures.plugin", f"--stack={given}", timeout=120)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: --stack {given}: {problem}*"])


def test_a_signal_to_a_parallel_run_stops_its_workers_with_clean_up_and_one_report(pytester, tmp_path):
    """With pytest-xdist (-n 2) the signal reaches the controller only (as a CI job's timeout
    sends it): it is passed on to the workers, the worker's session teardown runs, and the
    controller writes the one report, saying so, from what the worker sent. (SIGINT and SIGHUP
    take the same path: one signal is enough, as a parallel run takes long to start.)"""
    signum = signal.SIGTERM
    process, output = _interrupted(pytester, _command(tmp_path, "-p", "fixtures.parallel", "-n", "2"), signum)

    assert process.returncode == pytest.ExitCode.INTERRUPTED, output[-3000:]
    assert (pytester.path / "cleaned-up").exists(), f"the worker's session teardown did not run after {signum.name}"
    results, html, _ = _report(tmp_path)
    assert _statuses(results) == {"test_paged[critical]": "passed", "test_paged[warning]": "passed",
                                  "test_paged[info]": "failed", "test_waits": "not run", "test_after": "not run"}
    assert results["interrupted"] == {"cause": "signal", "signal": signum.name,
                                      "reason": f"interrupted by {signum.name}", "during": "test_tiny.py::test_waits",
                                      "not_run": 2}, results["interrupted"]
    assert f"incomplete: interrupted by {signum.name}; 2 of 5 checks did not run" in html
