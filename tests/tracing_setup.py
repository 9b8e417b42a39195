"""A small application's own tracing set-up, as a stack's ``instrumentation.tracing`` module: the
text of the file the self-tests write into the stacks they build for the trace checks."""

CONFIGURE_TRACING = '''"""The application's tracing set-up: OTLP over HTTP to the endpoint given, under the service name given."""
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor


def configure_tracing(service_name, endpoint):
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
    return trace.get_tracer(__name__)
'''
