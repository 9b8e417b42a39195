"""Deliberately broken copies of the reference stack's tracing code, each one of the seed's
defects (or a likely slip) on its own: the trace suite, run live against a real Jaeger, fails
the check that exists for it, saying why and what arrived instead."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.live_runs import run_suites

TRACING = "app/src/tracing/tracer_config.py"


@dataclass(frozen=True)
class Defect:
    old: str
    new: str
    failing: tuple[str, ...]  # checks (test ids in test_traces_live.py) that must fail
    message_parts: tuple[str, ...]  # must all appear in the first failing check's message


DEFECTS = {
    # The seed's TracerProvider() never used service_name.
    "service name unused": Defect(
        "TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))", "TracerProvider()",
        ("test_trace_found_by_service_name", "test_span_arrives[pipeline]", "test_span_arrives[serve]"),
        ("searching Jaeger for service 'analytics-pipeline'", "arrived under ['unknown_service")),
    # The seed ran its usage example at import, calling the undefined extract_customers().
    "usage example at import": Defect(
        'if __name__ == "__main__":', "if True:",
        ("test_tracing_code_runs", "test_span_arrives[extract]"),
        ("tracer_config.py:", "NameError", "extract_customers")),
    # Without the requests instrumentation, the trace context does not cross the HTTP call.
    "no requests instrumentation": Defect(
        "    RequestsInstrumentor().instrument()\n", "",
        ("test_one_trace_across_services", "test_span_arrives[fetch]", "test_span_arrives[serve]"),
        ("expected both ['analytics-api', 'analytics-pipeline']", "the context did not cross the HTTP call")),
}


@pytest.mark.parametrize("defect", DEFECTS.values(), ids=DEFECTS.keys())
def test_a_broken_tracing_set_up_fails_its_trace_check(defect: Defect, broken_stack, tmp_path, engine):
    copy = broken_stack(TRACING, defect.old, defect.new)
    run = run_suites(copy, tmp_path / "report", "-k", "test_traces_live")
    checks = {c["nodeid"].split("::")[-1]: c for c in run.report.get("checks", [])}
    assert checks, run.stdout[-2000:]
    for check in defect.failing:
        assert checks[check]["status"] == "failed", (check, checks[check]["message"])
    message = checks[defect.failing[0]]["message"]
    for part in defect.message_parts:
        assert part in message, (part, message)
    assert checks["test_jaeger_starts"]["status"] == "passed"
