"""The traced run the trace contract (traces.yml) describes: the application's customer pipeline
extracting from its API, transforming, and failing to load, with the spans it makes.

The conformance harness drives it, through the stack's own configure_tracing, one process per
service as the application runs: ``source_app`` is served (wrapped in OpenTelemetry's WSGI
middleware) under its service name, then ``run`` is called with the tracer configure_tracing
returned and each served service's base URL; it returns the run's trace id (32 hex digits).
"""

import json

import requests

SOURCE_PATH = "/customers"
CUSTOMERS = [
    {"id": 1, "name": "Ada", "orders": 12},
    {"id": 2, "name": "Grace", "orders": 7},
    {"id": 3, "name": "Edsger", "orders": 0},
]
LOAD_FAILURE = "the warehouse rejected the batch: relation analytics.customer_summary is read-only"


class LoadRejected(RuntimeError):
    """The run's failing step: the warehouse refuses the load."""


def run(tracer, urls: dict) -> str:
    """Extract from the source service, transform, and fail to load."""
    try:
        with tracer.start_as_current_span("run_customer_pipeline") as root:
            trace_id = format(root.get_span_context().trace_id, "032x")
            root.set_attribute("pipeline.name", "customer_analytics")
            with tracer.start_as_current_span("extract_customer_data") as span:
                span.set_attribute("source.type", "api")
                span.set_attribute("source.endpoint", SOURCE_PATH)
                customers = requests.get(urls["source"] + SOURCE_PATH, timeout=10).json()
                span.set_attribute("records.extracted", len(customers))
                span.add_event("Data extraction completed")
            with tracer.start_as_current_span("transform_customer_data") as span:
                summaries = [{"customer_id": c["id"], "active": c["orders"] > 0} for c in customers]
                span.set_attribute("records.transformed", len(summaries))
                span.set_attribute("records.dropped", len(customers) - len(summaries))
            with tracer.start_as_current_span("load_customer_data") as span:
                span.set_attribute("destination.table", "analytics.customer_summary")
                raise LoadRejected(LOAD_FAILURE)
    except LoadRejected:
        pass  # the failing step is recorded on its spans, not a failure of the run
    return trace_id


def source_app(environ, start_response):
    """The source service: the customer list the pipeline extracts."""
    if environ.get("PATH_INFO") != SOURCE_PATH:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(CUSTOMERS).encode()]
