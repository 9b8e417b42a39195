"""The trace checks' pure parts: reading Jaeger's answer, matching it to the spans the reference
stack's trace contract declares,
the problems a failing check prints, the manifest's tracing section, and the endpoint rewrite."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from fixtures.model.stack import Stack
from fixtures.model.stackfiles import ConfigError
from fixtures.model.trace_contract import TraceContract
from fixtures.services.jaeger_config import config_path
from fixtures.services.jaeger_spans import ObservedSpan, parse_trace, same_id
from fixtures.traces.backend import TracingBackend
from fixtures.traces.source import code_run_at_import, unread_parameters
from fixtures.traces.spans import content_problems, delay_summary, duration_problems, match, placement_problems
from tests.layout import REFERENCE_STACK

CONTRACT = TraceContract.load(REFERENCE_STACK / "contracts" / "traces.yml")
EXPECTED_SPANS = CONTRACT.spans
SOURCE_SERVICE_NAME = "analytics-api"
SERVICES = CONTRACT.services("analytics-pipeline")
BY_KEY = {span.key: span for span in EXPECTED_SPANS}


def jaeger_answer() -> dict:
    """One trace as Jaeger's /api/traces/{id} returns it (trimmed to the fields read)."""
    return {
        "traceID": "0af7651916cd43dd8448eb211c80319c",
        "processes": {"p1": {"serviceName": "analytics-pipeline"}, "p2": {"serviceName": SOURCE_SERVICE_NAME}},
        "spans": [
            {"traceID": "af7651916cd43dd8448eb211c80319c", "spanID": "b7ad6b7169203331", "operationName": "run_customer_pipeline",
             "references": [], "startTime": 1_000_000, "duration": 9000, "processID": "p1",
             "tags": [{"key": "otel.status_code", "type": "string", "value": "ERROR"},
                      {"key": "error", "type": "bool", "value": True},
                      {"key": "pipeline.name", "type": "string", "value": "customer_analytics"}],
             "logs": [{"timestamp": 1_008_000, "fields": [{"key": "event", "type": "string", "value": "exception"}]}]},
            {"traceID": "af7651916cd43dd8448eb211c80319c", "spanID": "0000000000000abc", "operationName": "extract_customer_data",
             "references": [{"refType": "CHILD_OF", "traceID": "x", "spanID": "b7ad6b7169203331"}],
             "startTime": 1_001_000, "duration": 3000, "processID": "p1",
             "tags": [{"key": "source.type", "type": "string", "value": "api"},
                      {"key": "source.endpoint", "type": "string", "value": "/customers"},
                      {"key": "records.extracted", "type": "int64", "value": 3}],
             "logs": [{"timestamp": 1_003_900, "fields": [
                 {"key": "event", "type": "string", "value": "Data extraction completed"}]}]},
            {"traceID": "af7651916cd43dd8448eb211c80319c", "spanID": "00000000000000ff", "operationName": "GET /customers",
             "references": [{"refType": "CHILD_OF", "traceID": "x", "spanID": "0000000000000abc"}],
             "startTime": 1_001_500, "duration": 500, "processID": "p2",
             "tags": [{"key": "span.kind", "type": "string", "value": "server"}], "logs": []},
        ],
    }


def test_a_jaeger_trace_is_read_with_parents_services_events_and_status():
    spans = {s.name: s for s in parse_trace(jaeger_answer())}
    root, extract, serve = spans["run_customer_pipeline"], spans["extract_customer_data"], spans["GET /customers"]
    assert root.parent_id is None and root.is_error and root.events == ("exception",)
    assert extract.parent_id == root.span_id and extract.tags["records.extracted"] == 3
    assert extract.events == ("Data extraction completed",) and not extract.is_error
    assert serve.service == SOURCE_SERVICE_NAME and serve.kind == "server"
    assert extract.end_s == pytest.approx(1.004)


def test_ids_compare_as_numbers_whatever_the_leading_zeros():
    assert same_id("af7651916cd43dd8448eb211c80319c", "0af7651916cd43dd8448eb211c80319c")
    assert not same_id("abc", "abd") and not same_id(None, "abc")


def observed(key: str, span_id: str, parent_id: str | None, service: str | None = None, **changes) -> ObservedSpan:
    span = BY_KEY[key]
    tags = {**span.attributes, **({"span.kind": span.kind} if span.kind else {}),
            **({"otel.status_code": "ERROR", "error": True} if span.error else {})}
    base = ObservedSpan("t", span_id, parent_id, span.name, service or SERVICES[span.role], 1_000_000, 1000,
                        tags, span.events)
    return replace(base, **changes)


def whole_trace() -> list[ObservedSpan]:
    return [observed("pipeline", "1", None, duration_us=10_000), observed("extract", "2", "1", start_us=1_001_000),
            observed("fetch", "3", "2", start_us=1_001_100, duration_us=500),
            observed("serve", "4", "3", start_us=1_001_200, duration_us=100),
            observed("transform", "5", "1", start_us=1_003_000), observed("load", "6", "1", start_us=1_005_000)]


def test_the_whole_canonical_trace_has_no_problem():
    matched = match(EXPECTED_SPANS, whole_trace(), SERVICES)
    for span in EXPECTED_SPANS:
        assert matched[span.key] is not None, span.key
        assert placement_problems(span, matched, SERVICES) == []
        assert content_problems(span, matched[span.key]) == []
        assert duration_problems(span, matched, (0.5, 2.0)) == []


def test_spans_under_the_default_service_name_are_matched_and_reported():
    spans = [replace(s, service="unknown_service:python") for s in whole_trace()]
    matched = match(EXPECTED_SPANS, spans, SERVICES)
    problems = placement_problems(BY_KEY["extract"], matched, SERVICES)
    assert problems == ["arrived under service 'unknown_service:python', expected 'analytics-pipeline'"]


def test_a_broken_propagation_leaves_the_server_span_a_root():
    spans = [s if s.span_id != "4" else replace(s, parent_id=None) for s in whole_trace()]
    problems = placement_problems(BY_KEY["serve"], match(EXPECTED_SPANS, spans, SERVICES), SERVICES)
    assert problems == ["has parent none (a root), expected 'GET' (3)"]


def test_a_missing_parent_is_named():
    spans = [s for s in whole_trace() if s.span_id != "3"]
    matched = match(EXPECTED_SPANS, spans, SERVICES)
    assert matched["fetch"] is None
    assert "its parent 'fetch' did not arrive" in placement_problems(BY_KEY["serve"], matched, SERVICES)[0]


def test_attributes_events_and_status_differences_are_each_named():
    span = replace(observed("load", "6", "1"), tags={"destination.table": "other"}, events=())
    problems = content_problems(BY_KEY["load"], span)
    assert problems == ["attribute destination.table is 'other', expected 'analytics.customer_summary'",
                        "events ['exception'] missing (arrived: [])", "status unset, expected ERROR"]


def test_a_child_outside_its_parent_or_the_run_is_implausible():
    spans = [s if s.span_id != "5" else replace(s, start_us=1_009_500, duration_us=5000) for s in whole_trace()]
    problems = duration_problems(BY_KEY["transform"], match(EXPECTED_SPANS, spans, SERVICES), (0.0, 0.001))
    assert len(problems) == 2 and "outside the run" in problems[0] and "outside its parent" in problems[1]
    zero = [s if s.span_id != "6" else replace(s, duration_us=0) for s in whole_trace()]
    assert duration_problems(BY_KEY["load"], match(EXPECTED_SPANS, zero, SERVICES), (0.5, 2.0)) == [
        "duration 0us, expected more than 0"]


def test_delays_are_summarised_as_median_and_max():
    assert delay_summary({"a": 0.1, "b": 0.3, "c": 4.9}) == {"median_s": 0.3, "max_s": 4.9}
    assert delay_summary({}) == {}


def test_the_reference_manifest_declares_tracing():
    tracing = Stack.load(REFERENCE_STACK).tracing
    assert tracing.module.name == "tracer_config.py" and tracing.module.is_file()
    assert tracing.service_name == "analytics-pipeline" and tracing.queryable_within_s == 10
    assert tracing.jaeger.port == 16686 and tracing.jaeger.mounts[0].source.name == "jaeger"


def test_a_tracing_section_without_its_endpoint_names_the_manifest_line(broken_stack):
    copy = broken_stack("manifest.yml", "  endpoint: http://jaeger:4318/v1/traces\n", "")
    with pytest.raises(ConfigError, match=r"manifest.yml:\d+.*tracing has no 'endpoint'"):
        Stack.load(copy)


class PublishedPorts:
    def get_exposed_port(self, port: int) -> int:
        return 40000 + port


@pytest.mark.parametrize(("endpoint", "expected"), [
    ("http://jaeger:4318/v1/traces", "http://127.0.0.1:44318/v1/traces"),
    ("http://jaeger:14268/api/traces", "http://127.0.0.1:54268/api/traces"),
    ("http://collector.example:4318/v1/traces", "http://collector.example:4318/v1/traces"),
])
def test_the_endpoint_names_jaeger_by_its_published_port_and_says_so(endpoint, expected):
    backend = TracingBackend(Stack.load(REFERENCE_STACK).tracing, "local", container=PublishedPorts())
    rewritten, note = backend.harness_endpoint(endpoint)
    assert rewritten == expected
    assert (note is None) == (rewritten == endpoint)
    if note:
        assert endpoint in note and rewritten in note


def test_jaegers_config_file_is_found_through_the_mounts():
    service = Stack.load(REFERENCE_STACK).tracing.jaeger
    assert config_path(service) == REFERENCE_STACK / "jaeger" / "config.yml"
    assert config_path(replace(service, command=("--config=file:/etc/jaeger/other.yml",))) == (
        REFERENCE_STACK / "jaeger" / "other.yml")
    assert config_path(replace(service, command=("--config", "/elsewhere/config.yml"))) is None
    assert config_path(replace(service, command=None)) is None


SEED_TRACING = REFERENCE_STACK / "examples" / "seed" / "app" / "src" / "tracing" / "tracer_config.py"


def test_the_seeds_tracing_module_is_read_for_its_ignored_service_name_and_its_code_at_import():
    assert [(f.line, f.problem) for f in unread_parameters(SEED_TRACING)] == [
        (10, "never reads its parameter 'service_name'")]
    assert [f.line for f in code_run_at_import(SEED_TRACING)] == [34, 36]
    reference = Stack.load(REFERENCE_STACK).tracing.module
    assert unread_parameters(reference) == [] and code_run_at_import(reference) == []


def test_definitions_docstrings_constants_and_a_main_guard_run_nothing_at_import(tmp_path):
    module = tmp_path / "tracing.py"
    module.write_text('"""Doc."""\nimport os\nDEFAULT = "x"\n\n\ndef configure_tracing(a, b):\n    return a\n\n\n'
                      'if __name__ == "__main__":\n    configure_tracing(1, 2)\nprint(os.name)\n')
    assert [(f.line, f.text) for f in code_run_at_import(module)] == [(12, "print(os.name)")]
    assert [f.problem for f in unread_parameters(module)] == ["never reads its parameter 'b'"]
    assert unread_parameters(module, "absent") is None


def test_the_reference_trace_contract_declares_two_services_and_their_spans():
    assert CONTRACT.runner == "pipeline" and CONTRACT.entry == "run" and CONTRACT.driver.is_file()
    assert SERVICES == {"pipeline": "analytics-pipeline", "source": SOURCE_SERVICE_NAME}
    assert [s.key for s in EXPECTED_SPANS] == ["pipeline", "extract", "fetch", "serve", "transform", "load"]
    assert EXPECTED_SPANS[3].parent == "fetch" and EXPECTED_SPANS[3].role == "source"


@pytest.mark.parametrize(("old", "new", "problem", "at"), [
    # a span's value found wrong: at that value's own line, not the span's first
    ("    parent: extract\n", "    parent: loading\n", "span 'fetch': parent 'loading' is not a span declared before it",
     "parent: loading"),
    ("    service: source\n", "    service: warehouse\n", "span 'serve': service 'warehouse' is not one of the services",
     "service: warehouse"),
    ("  pipeline: {runs: run}\n", "", "exactly one service runs the driver", None),
    # every name and enumerated value the contract declares resolves or is valid, at its line
    ("    kind: client\n", "    kind: clients\n", "kind 'clients' is not a span kind (did you mean 'client'?)",
     "kind: clients"),
    ("  - key: load\n", "  - key: extract  # again\n", "span key 'extract' is declared twice", "# again"),
    ("    events: [Data extraction completed]\n", "    event: [Data extraction completed]\n",
     "unknown key 'event' (did you mean 'events'?)", "event: [Data"),
    ("serves: source_app}", "serves: sources_app}", "serves sources_app, which the driver", "serves: sources_app"),
])
def test_a_trace_contract_defect_names_its_line(tmp_path, old, new, problem, at):
    from tests.textfiles import line_containing

    text = (REFERENCE_STACK / "contracts" / "traces.yml").read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "traces.yml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    shutil.copy(CONTRACT.driver, tmp_path)  # the contract's driver is a file of its stack
    with pytest.raises(ConfigError) as caught:
        TraceContract.load(path)
    expected = line_containing(path, at) if at else caught.value.line
    assert problem in caught.value.problem and caught.value.line and caught.value.line == expected, caught.value


def test_each_emitted_span_is_followed_by_its_id():
    """A span lost and another stored twice: as many spans as emitted arrived, and the delivery says so."""
    from fixtures.services.jaeger_spans import ObservedSpan
    from fixtures.traces.run import TracedRun

    def observed(span_id: str) -> ObservedSpan:
        return ObservedSpan("t" * 32, span_id, None, "s", "svc", 0, 1)

    run = TracedRun(contract=None, services={}, emitted=["00000000000000a1", "00000000000000b2", "00000000000000c3"],
                    spans=[observed("a1"), observed("b2"), observed("b2")])  # Jaeger drops leading zeros
    delivery = run.delivery
    assert delivery.lost == ("00000000000000c3",) and delivery.duplicated == {"00000000000000b2": 2}, delivery
    assert TracedRun(contract=None, services={}).delivery is None  # what was emitted is not known
