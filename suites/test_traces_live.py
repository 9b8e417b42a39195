"""Traces reach a real Jaeger whole: the run the stack's trace contract declares (manifest
tracing.contract; the reference application's: extract from a second service, transform, a failing
load), driven by the stack's own script through its own tracing code, arrives as one trace under the
service names configured, every span with its parent, attributes, events, status and a plausible
duration, queryable soon after it ends."""

import pytest

from fixtures.checks import expect, not_applicable
from fixtures.traces.spans import (
    content_problems,
    delay_summary,
    describe,
    duration_problems,
    match,
    placement_problems,
)

pytestmark = [pytest.mark.live, pytest.mark.stack_section("tracing", what="tracing into Jaeger")]


def require_trace(traced_run, evidence: dict) -> dict:
    """The expected spans matched to what Jaeger returned; fails the check when there is no trace."""
    expect(traced_run.failure is None, f"no trace to check: {traced_run.failure}")
    evidence["trace_id"] = traced_run.trace_id
    evidence["spans_seen"] = [span.summary() for span in traced_run.spans]
    return match(traced_run.contract.spans, traced_run.spans, traced_run.services)


def require_span(span, traced_run, evidence: dict):
    matched = require_trace(traced_run, evidence)
    observed = matched[span.key]
    expect(observed is not None, (
        f"span '{span.name}' ({span.key}) of trace {traced_run.trace_id} is not in Jaeger after watching "
        f"{traced_run.watched_s:.1f}s; arrived instead: {describe(traced_run.spans)}"
    ))
    evidence["span"] = observed.summary()
    return matched, observed


@pytest.mark.conformance(component="traces", check="jaeger starts", subject="jaeger", phase="live")
def test_jaeger_starts(tracing_backend):
    expect(tracing_backend.failure is None, f"Jaeger did not start: {tracing_backend.failure}")


@pytest.mark.conformance(component="traces", check="tracing code runs", subject="configure_tracing", phase="live")
def test_tracing_code_runs(traced_run, evidence):
    evidence["logs"] = traced_run.logs
    expect(traced_run.failure is None, traced_run.failure or "")


@pytest.mark.conformance(component="traces", check="found by the configured service name", subject="pipeline",
                         phase="live")
def test_trace_found_by_service_name(traced_run, tracing_backend, evidence):
    require_trace(traced_run, evidence)
    service = traced_run.services[traced_run.contract.runner]
    ids = tracing_backend.client.trace_ids(service)
    evidence["trace_ids_found"] = ids
    arrived_under = sorted({span.service for span in traced_run.spans})
    expect(any(int(i, 16) == int(traced_run.trace_id, 16) for i in ids), (
        f"searching Jaeger for service '{service}' (as the stack configures it) does not find trace "
        f"{traced_run.trace_id}; its spans arrived under {arrived_under or 'no service (nothing arrived)'}; "
        f"Jaeger knows the services {tracing_backend.client.services()}"
    ))


@pytest.mark.conformance(component="traces", check="span arrives in place", phase="live", subject_kind="span")
def test_span_arrives(expected_span, traced_run, evidence):
    matched, _ = require_span(expected_span, traced_run, evidence)
    problems = placement_problems(expected_span, matched, traced_run.services)
    expect(not problems, f"span '{expected_span.name}' of trace {traced_run.trace_id}: " + "; ".join(problems))


@pytest.mark.conformance(component="traces", check="span as recorded", phase="live", subject_kind="span")
def test_span_recorded(expected_span, traced_run, evidence):
    _, observed = require_span(expected_span, traced_run, evidence)
    problems = content_problems(expected_span, observed)
    expect(not problems, f"span '{expected_span.name}' of trace {traced_run.trace_id}: " + "; ".join(problems))


@pytest.mark.conformance(component="traces", check="span duration plausible", phase="live", subject_kind="span")
def test_span_duration(expected_span, traced_run, evidence):
    matched, _ = require_span(expected_span, traced_run, evidence)
    problems = duration_problems(expected_span, matched, traced_run.window_s)
    expect(not problems, f"span '{expected_span.name}' of trace {traced_run.trace_id}: " + "; ".join(problems))


@pytest.mark.conformance(component="traces", check="one trace across services", subject="propagation", phase="live")
def test_one_trace_across_services(traced_run, tracing_backend, evidence):
    require_trace(traced_run, evidence)
    services = {span.service for span in traced_run.spans}
    wanted = set(traced_run.services.values())
    served = [s.name for s in traced_run.contract.served]
    elsewhere = [i for name in served for i in tracing_backend.client.trace_ids(name)
                 if int(i, 16) != int(traced_run.trace_id, 16)]
    evidence["source_traces_elsewhere"] = elsewhere
    expect(wanted <= services, (
        f"trace {traced_run.trace_id} holds spans of {sorted(services) or 'no service'}, expected "
        f"{'both ' if len(wanted) == 2 else 'all of '}{sorted(wanted)}; Jaeger holds {len(elsewhere)} other trace(s) of "
        f"{', '.join(repr(name) for name in served)}"
        + (f" ({', '.join(elsewhere[:3])}): the context did not cross the HTTP call" if elsewhere else "")
    ))


@pytest.mark.conformance(component="traces", check="queryable within the bound", subject="delay", phase="live")
def test_spans_queryable_in_time(traced_run, stack, evidence):
    require_trace(traced_run, evidence)
    bound = stack.tracing.queryable_within_s
    delays = traced_run.delays_s
    names = {span.span_id: span.name for span in traced_run.spans}
    evidence["delays_s"] = {f"{names[i]} ({i})": d for i, d in delays.items()}
    evidence.update(delay_summary(delays))
    expect(delays, f"no span of trace {traced_run.trace_id} became queryable within {traced_run.watched_s:.1f}s")
    late = {f"{names[i]}": d for i, d in delays.items() if d > bound}
    expect(not late, (
        f"spans queryable later than {bound:.0f}s after they ended (stack's tracing.queryable_within): {late}; "
        f"median {evidence['median_s']}s, max {evidence['max_s']}s"
    ))


@pytest.mark.conformance(component="traces", check="every emitted span arrives once", subject="spans", phase="live")
def test_every_emitted_span_arrives_once(traced_run, evidence):
    """Each span the run's processes ended, followed to Jaeger by its id: a span lost, or stored
    twice, is counted, whatever the contract declares (instrumentation adds spans of its own)."""
    expect(traced_run.failure is None, f"no trace to check: {traced_run.failure}")
    delivery = traced_run.delivery
    if delivery is None:
        not_applicable("the stack's tracer provider takes no span processor (not OpenTelemetry's SDK): which "
                       "spans the run emitted is not known")
    evidence.update(emitted=delivery.expected, lost=list(delivery.lost), duplicated=delivery.duplicated)
    expect(delivery.intact, f"trace {traced_run.trace_id} in Jaeger after {traced_run.watched_s:.1f}s, each span "
                            f"the run emitted by its id: {delivery.describe()}")
