"""A deliberately broken copy of the reference stack's log pipeline: each defect fails the log
check that exists for it, with a message that says what was logged and what the store holds.
The defects are in one copy so that one live run (one search store) covers them all."""

from __future__ import annotations

import shutil

import pytest

LOGGER = "app/src/utils/logging_config.py"

# defect -> (file, old, new)
DEFECTS = {
    "naive timestamps": (LOGGER, "'timestamp': datetime.now(timezone.utc).isoformat()",
                         "'timestamp': datetime.now().isoformat()"),
    "a console handler per construction": (
        LOGGER, "if not any(getattr(h, '_structured_console', False) for h in self.logger.handlers):", "if True:"),
    "the shipper drops lines that are not JSON": (
        "elk/rsyslog/rsyslog.conf", 'if $parsesuccess != "OK" then {', 'if $parsesuccess != "OK" then {\n    stop'),
}

# check -> parts its failure message must contain
EXPECTED_FAILURES = {
    "suites/test_logs_live.py::test_timestamp_is_a_utc_date": ("is not in UTC (offset None)",),
    "suites/test_logs_live.py::test_arrives_exactly_once[pipeline_started]": ("duplicated", ": 2"),
    "suites/test_logs_live.py::test_burst_arrives_complete": ("20000 in the store",),
    "suites/test_logs_live.py::test_bad_input_handled_as_declared[non_json]": (
        "declared flagged", "found 0 documents"),
}


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory):
    from tests.conftest import _leave_out_examples
    from tests.layout import REFERENCE_STACK
    from tests.live_runs import run_suites

    stack_dir = tmp_path_factory.mktemp("broken-logs") / "stack"
    shutil.copytree(REFERENCE_STACK, stack_dir, ignore=_leave_out_examples)
    for file, old, new in DEFECTS.values():
        path = stack_dir / file
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{path}: the defect no longer matches the reference stack: {old!r}"
        path.write_text(text.replace(old, new), encoding="utf-8")
    return run_suites(stack_dir, tmp_path_factory.mktemp("report"), "-k", "test_logs")


@pytest.mark.parametrize("check", EXPECTED_FAILURES)
def test_each_defect_fails_its_check(check, engine, broken_run):
    checks = {c["nodeid"]: c for c in broken_run.report.get("checks", [])}
    assert check in checks, f"{check} did not run:\n{broken_run.stdout[-2000:]}"
    assert checks[check]["status"] == "failed", checks[check]
    for part in EXPECTED_FAILURES[check]:
        assert part in checks[check]["message"], f"expected {part!r} in: {checks[check]['message']}"



def test_a_timestamp_mapped_as_text_fails_the_template_check(broken_stack, run_suites):
    stack_dir = broken_stack("elk/index-template.json", '"timestamp": {"type": "date"}',
                             '"timestamp": {"type": "keyword"}')

    run = run_suites(stack_dir)

    check = run.check("test_index_template")
    assert check["status"] == "failed", check
    assert "timestamp is mapped as 'keyword', expected 'date'" in check["message"], check["message"]
    assert "index-template.json" in check["message"], check["message"]
    run.assert_no_container_started()
