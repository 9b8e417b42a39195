# src/tracing/tracer_config.py

from opentelemetry import trace
from opentelemetry.exporter.jaeger.thrift import JaegerExporter
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.instrumentation.requests import RequestsInstrumentor
from opentelemetry.instrumentation.psycopg2 import Psycopg2Instrumentor

def configure_tracing(service_name: str, jaeger_endpoint: str):
    """Configure distributed tracing"""
    # Set up tracer provider
    trace.set_tracer_provider(TracerProvider())
    tracer = trace.get_tracer(__name__)
    
    # Configure Jaeger exporter
    jaeger_exporter = JaegerExporter(
        agent_host_name="jaeger",
        agent_port=14268,
        collector_endpoint=jaeger_endpoint
    )
    
    # Add span processor
    span_processor = BatchSpanProcessor(jaeger_exporter)
    trace.get_tracer_provider().add_span_processor(span_processor)
    
    # Auto-instrument libraries
    RequestsInstrumentor().instrument()
    Psycopg2Instrumentor().instrument()
    
    return tracer

# Usage in pipeline code
tracer = configure_tracing("analytics-pipeline", "http://jaeger:14268/api/traces")

with tracer.start_as_current_span("extract_customer_data") as span:
    span.set_attribute("source.type", "api")
    span.set_attribute("source.endpoint", "/customers")
    
    # Extract data
    customers = extract_customers()
    
    span.set_attribute("records.extracted", len(customers))
    span.add_event("Data extraction completed")
