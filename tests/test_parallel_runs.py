"""A run with pytest-xdist (``-n 2``) gives the results a serial run gives, check by check, and one
report, written by the controller alone. The stack is small and written for the purpose: alert
rules (static and virtual-time checks, derived scenarios, one rule no input can make fire) and
a traced application (the tracing back end live, one declared span it never emits), so the two
runs cover a static group and a live pipeline's group, passes, failures and not applicable
checks. Two runs of about a minute each."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from html import escape
from pathlib import Path

import pytest
import yaml

from reports import WRITERS
from reports.regression import verdict_differences, verdicts
from tests.layout import REFERENCE_STACK
from tests.report_writes_probe import LOG_NAME
from tests.textfiles import write_text
from tests.tracing_setup import CONFIGURE_TRACING

PROMETHEUS = {
    "global": {"scrape_interval": "15s", "evaluation_interval": "15s"},
    "rule_files": ["alerts.yml"],
    "scrape_configs": [{"job_name": "queue", "static_configs": [{"targets": ["queue:9100"]}]}],
}

ALERTS = {"groups": [{"name": "queue", "rules": [
    {"alert": "QueueBacklogHigh", "expr": "queue_depth > 100", "for": "1m", "labels": {"severity": "warning"},
     "annotations": {"summary": "{{ $labels.instance }} holds {{ $value }} messages"}},
    # a defect: no value is both above 10 and below 5, so it can never fire
    {"alert": "QueueImpossible", "expr": "queue_depth > 10 and queue_depth < 5", "labels": {"severity": "warning"},
     "annotations": {"summary": "never"}},
]}]}


DRIVER = '''"""A drain of the queue: one batch is read; nothing is acknowledged (the contract declares it)."""


def run(tracer, urls):
    with tracer.start_as_current_span("drain") as root:
        with tracer.start_as_current_span("read_batch") as span:
            span.set_attribute("batch.size", 10)
        return format(root.get_span_context().trace_id, "032x")
'''

TRACE_CONTRACT = {
    "driver": "drain_run.py",
    "services": {"queue": {"runs": "run"}},
    "spans": [
        {"key": "drain", "name": "drain", "service": "queue"},
        {"key": "read", "name": "read_batch", "service": "queue", "parent": "drain", "attributes": {"batch.size": 10}},
        {"key": "ack", "name": "acknowledge", "service": "queue", "parent": "drain"},
    ],
}


def _queue_stack(root: Path) -> Path:
    stack_dir = root / "queue"
    reference = yaml.safe_load((REFERENCE_STACK / "manifest.yml").read_text(encoding="utf-8"))
    shutil.copytree(REFERENCE_STACK / "jaeger", stack_dir / "jaeger")
    write_text(stack_dir / "prometheus" / "prometheus.yml", yaml.safe_dump(PROMETHEUS, sort_keys=False))
    write_text(stack_dir / "prometheus" / "alerts.yml", yaml.safe_dump(ALERTS, sort_keys=False))
    write_text(stack_dir / "app" / "queue_tracing.py", CONFIGURE_TRACING)
    write_text(stack_dir / "contracts" / "drain_run.py", DRIVER)
    write_text(stack_dir / "contracts" / "traces.yml", yaml.safe_dump(TRACE_CONTRACT, sort_keys=False))
    write_text(stack_dir / "manifest.yml", yaml.safe_dump({
        "name": "queue",
        "prometheus_config": "prometheus/prometheus.yml",
        "instrumentation": {"tracing": "app/queue_tracing.py"},
        "tracing": {**reference["tracing"], "contract": "contracts/traces.yml", "service_name": "queue-drain",
                    "queryable_within": "5s"},
    }, sort_keys=False))
    return stack_dir


@pytest.fixture(scope="module")
def serial_and_parallel(tmp_path_factory):
    from tests.live_runs import run_suites

    stack_dir = _queue_stack(tmp_path_factory.mktemp("parallel"))
    runs = {}
    for name, args in (("serial", ()), ("parallel", ("-n", "2"))):
        report_dir = tmp_path_factory.mktemp(name) / "report"
        runs[name] = (run_suites(stack_dir, report_dir, "-p", "tests.report_writes_probe", *args), report_dir)
    return runs


def test_a_parallel_run_gives_the_serial_run_s_results_check_by_check(engine, serial_and_parallel):
    (serial, _), (parallel, _) = serial_and_parallel["serial"], serial_and_parallel["parallel"]
    assert serial.report and parallel.report, f"a run wrote no report:\n{serial.stdout[-2000:]}\n{parallel.stdout[-2000:]}"
    assert verdict_differences(serial.report, parallel.report) == {}  # (serial, parallel) per differing check
    assert [c["nodeid"] for c in parallel.report["checks"]] == [c["nodeid"] for c in serial.report["checks"]]
    for part in ("summary", "coverage", "behaviour", "interrupted", "components", "images"):
        assert parallel.report.get(part) == serial.report.get(part), f"{part} differs"
    # what makes the comparison worth having: both groups ran, and the verdicts are not all alike
    expected = verdicts(serial.report)
    statuses = {status for *_, status, _ in expected.values()}
    assert {"passed", "failed", "not applicable"} <= statuses, statuses
    assert any("test_traces_live" in nodeid and verdict[4] == "passed" for nodeid, verdict in expected.items())
    assert parallel.report["images"].get("jaeger"), parallel.report["images"]


def test_the_report_is_written_once_by_the_controller_and_names_every_check(engine, serial_and_parallel):
    parallel, report_dir = serial_and_parallel["parallel"]
    log = (report_dir.parent / LOG_NAME).read_text(encoding="utf-8").splitlines()
    loaded = [line.split()[1] for line in log if line.startswith("loaded ")]
    writes = [line.split()[1:] for line in log if line.startswith("wrote ")]
    assert len(loaded) == 3, f"the probe should run in the controller and two workers: {log}"
    assert sorted(name for _, name in writes) == sorted(writer.__name__ for writer in WRITERS), log
    assert {pid for pid, _ in writes} == {loaded[0]}, f"not (only) the controller, {loaded[0]}, wrote: {log}"
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    cases = {(case.get("classname"), case.get("name")) for case in ET.parse(report_dir / "junit.xml").iter("testcase")}
    for check in parallel.report["checks"]:
        assert escape(check["nodeid"]) in html, f"report.html does not name {check['nodeid']}"
        assert (check["component"], f"{check['check']}[{check['subject']}]") in cases, f"junit.xml lacks {check}"
