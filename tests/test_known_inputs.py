"""The two known inputs, run whole (static, virtual time, live) as a user runs them:
the reference stack passes every check, and the seed as written fails exactly its known
findings, each listed with the reason in tests/expected/seed_findings.txt. Also: a live run
interrupted by Ctrl-C or SIGHUP leaves no container, network or folder behind and its report says
it was interrupted, and a killed run's leftovers go at the next run, even a static one."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import harness_resources
from tests.layout import REFERENCE_STACK, ROOT, SUITES
from tests.live_runs import ctrl_c_enabled, run_suites
from tests.static_runs import nothing_to_judge

SEED = REFERENCE_STACK / "examples" / "seed"
SEED_FINDINGS = Path(__file__).parent / "expected" / "seed_findings.txt"
TEARDOWN_LIMIT_S = 420


def expected_findings() -> set[str]:
    lines = SEED_FINDINGS.read_text().splitlines()
    return {line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()}


def test_the_reference_stack_passes_every_check(tmp_path, engine):
    run = run_suites(REFERENCE_STACK, tmp_path)
    report = run.report
    checks = report.get("checks", [])
    # Resolution of rules with a long look-back is left to --real-time runs, and says so.
    deferred = [c for c in checks if c["status"] == "skipped" and "checked with --real-time" in c["message"]]
    # The whole-host rules' silence, and what else they fire, cannot be told apart per scenario live
    # (one host, merged from several scenarios): not applicable, with the reason; virtual time, which
    # feeds each scenario's host alone, judges them.
    unjudgeable = [c for c in checks if c["status"] == "not applicable" and c["message"]
                   and c["check"] in ("silent below threshold (live)", "silent on a healthy day (live)",
                                      "fires only where a scenario expects it (live)")
                   and c["subject"] in ("HighCPUUsage", "HighMemoryUsage", "DiskSpaceRunningLow")]
    # Rules over metrics that no other rule's hand-written scenario feeds ran in no scenario but
    # their own: nothing else could have fired them in virtual time.
    unwatched = [c for c in checks if c["status"] == "not applicable" and "nothing else could have fired it" in c["message"]
                 and c["check"] == "fires only where a scenario expects it (virtual time)"
                 and c["subject"] in ("APIResponseTimeHigh", "DataQualityLow", "DatabaseConnectionPoolExhausted")]
    # The reference stack's rules and panels select no job by name: the job check has nothing to judge.
    unjobbed = [c for c in checks if c["status"] == "not applicable" and c["check"] == "selects only jobs the stack scrapes"
                and "selects no job by name" in c["message"]]
    not_passed = [(c["nodeid"], c["status"], c["message"][:300]) for c in checks
                  if c["status"] != "passed" and c not in deferred + unjudgeable + unwatched + unjobbed
                  + nothing_to_judge(checks)]
    assert checks and not not_passed, f"{not_passed}\n{run.stdout[-3000:]}"
    assert run.returncode == 0, run.stdout[-3000:]
    live_checks = [c for c in checks if "test_alerts_live.py" in c["nodeid"]]
    assert live_checks, "the live alert suite ran no check"


def test_the_seed_fails_exactly_its_known_findings(tmp_path, engine):
    run = run_suites(SEED, tmp_path)
    report = run.report
    failed = {c["nodeid"] for c in report.get("checks", []) if c["status"] in ("failed", "error")}
    expected = expected_findings()
    assert failed == expected, (
        f"new findings (not in {SEED_FINDINGS.name}): {sorted(failed - expected)}\n"
        f"findings no longer reported: {sorted(expected - failed)}\n{run.stdout[-2000:]}"
    )
    messages = {c["nodeid"]: c["message"] for c in report["checks"]}
    assert "infrastructure_rules.yml" in messages["suites/test_static_prometheus.py::test_rule_file_exists[infrastructure_rules.yml]"]
    assert "unsupported scheme" in messages["suites/test_live_smoke.py::test_alertmanager_starts"]
    logging_failure = messages["suites/test_logs_live.py::test_logging_code_runs"]
    assert "logging_config.py:16" in logging_failure and "TypeError" in logging_failure, logging_failure
    assert "tracer_config.py:4" in messages["suites/test_traces_live.py::test_tracing_code_runs"]
    assert "opentelemetry.exporter.jaeger" in messages["suites/test_traces_live.py::test_tracing_code_runs"]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGHUP], ids=lambda s: s.name)
def test_an_interrupted_live_run_leaves_nothing_behind_and_says_so(tmp_path, engine, signum):
    # The alerting live suites alone: the signal comes while the live stack starts, the costliest
    # moment to clean up after (containers half started, the copies of the stack's files made).
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest", str(SUITES / "test_live_smoke.py"), str(SUITES / "test_alerts_live.py"),
         "-m", "live", "--report-dir", str(tmp_path), "-q", "-p", "no:cacheprovider"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=ctrl_c_enabled,  # noqa: PLW1509 - only resets SIGINT
    )
    owner_suffix = f":{process.pid}"
    try:
        deadline = time.monotonic() + 300  # a limit, not a timing check: images may need building first
        started = []
        while time.monotonic() < deadline and process.poll() is None and not started:
            started = [name for name, owner in harness_resources(engine).items() if owner.endswith(owner_suffix)]
            time.sleep(0.2)
        assert started, "the live run started no container"
        process.send_signal(signum)  # SIGINT: what Ctrl-C sends; SIGHUP: a closed terminal or SSH session
        sent = time.monotonic()
        try:
            # A safety net, not a timing check: only a run that never ends fails here.
            output, _ = process.communicate(timeout=TEARDOWN_LIMIT_S)
        except subprocess.TimeoutExpired:
            # pytest's faulthandler prints every thread's stack on SIGABRT: where the teardown hangs.
            process.send_signal(signal.SIGABRT)
            output, _ = process.communicate(timeout=30)
            raise AssertionError(f"the run did not end within {TEARDOWN_LIMIT_S}s of {signum.name}; "
                                 f"its threads:\n{output[-6000:]}") from None
        print(f"{signum.name}: the live run ended {time.monotonic() - sent:.1f}s after the signal")
    finally:
        if process.poll() is None:  # this test failed first: the run still gets its clean-up
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=TEARDOWN_LIMIT_S)
    left = [name for name, owner in harness_resources(engine).items() if owner.endswith(owner_suffix)]
    folders = list(Path(tempfile.gettempdir()).glob(f"mc-*-{process.pid}-*"))
    assert not left and not folders, f"left behind after {signum.name}: {left} {folders}\n{output[-2000:]}"
    assert "KeyboardInterrupt" in output, output[-2000:]
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["interrupted"]["signal"] == signum.name, results["interrupted"]
    not_run = [c for c in results["checks"] if c["status"] == "not run"]
    assert not_run and results["interrupted"]["not_run"] == len(not_run), results["interrupted"]
    assert f"incomplete: interrupted by {signum.name}" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_a_killed_runs_leftovers_are_removed_by_the_next_run_even_a_static_one(tmp_path, engine):
    # Every run removes what dead runs left: a run another test starts at the same moment may
    # take them first, and this run then has nothing to say. A second attempt tells that race
    # from a run that never says it (seen once in a self-test run on a loaded machine).
    said = "removed what earlier, killed runs left"
    notes = _kill_a_live_run_then_run_a_static_one(tmp_path / "first", engine)
    if not any(said in note for note in notes):
        notes = _kill_a_live_run_then_run_a_static_one(tmp_path / "second", engine)
    assert any(said in note for note in notes), notes


def _kill_a_live_run_then_run_a_static_one(tmp_path: Path, engine) -> list[str]:
    """Kill a live run once it has started its containers and folders, run a static one: nothing
    of the killed run is left after it. Returns the static run's notes."""
    tmp_path.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest", str(SUITES), "-m", "live", "-k", "test_prometheus_starts",
         "--report-dir", str(tmp_path / "killed"), "-q", "-p", "no:cacheprovider"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    owner_suffix = f":{process.pid}"

    def folders() -> list[Path]:  # the run's temporary folders: copies of the stack's files
        return list(Path(tempfile.gettempdir()).glob(f"mc-*-{process.pid}-*"))

    deadline = time.monotonic() + 600  # the first live run on a machine builds its images
    while time.monotonic() < deadline and process.poll() is None and not (folders() and any(
            name.endswith("-alertmanager") and owner.endswith(owner_suffix)
            for name, owner in harness_resources(engine).items())):
        time.sleep(0.2)
    assert folders(), "the live run made no temporary folder"
    # It holds copies of secrets: nobody but the user who runs the harness may read them.
    assert all(stat.S_IMODE(folder.stat().st_mode) == 0o700 for folder in folders()), \
        [(folder, oct(folder.stat().st_mode)) for folder in folders()]
    os.kill(process.pid, signal.SIGKILL)  # no teardown at all
    process.wait(30)
    assert any(owner.endswith(owner_suffix) for owner in harness_resources(engine).values()), \
        "the killed run had started nothing to leave behind"
    assert folders(), "the killed run left no folder behind"
    run = run_suites(REFERENCE_STACK, tmp_path / "next", "-m", "not live", "-k", "test_parses")
    left = [name for name, owner in harness_resources(engine).items() if owner.endswith(owner_suffix)]
    assert not left and not folders(), \
        f"the next run did not remove the killed run's {left} {folders()}\n{run.stdout[-1500:]}"
    return run.report["notes"]
