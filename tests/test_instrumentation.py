"""fixtures/feeders/instrumentation.py: the stack's metrics module, once per target, privately."""

import pytest
from prometheus_client import REGISTRY, CollectorRegistry, Counter, generate_latest

from fixtures.feeders.instrumentation import InstrumentationError, load_module, metrics_instance
from tests.textfiles import line_containing, write_text


@pytest.fixture
def metrics_module(reference_stack):
    return reference_stack.instrumentation_path("metrics")


def test_two_loads_land_in_two_separate_registries(metrics_module):
    api_registry, pipeline_registry = CollectorRegistry(), CollectorRegistry()
    api = metrics_instance(metrics_module, api_registry, "mc_test_api")
    pipeline = metrics_instance(metrics_module, pipeline_registry, "mc_test_pipeline")
    assert api is not pipeline

    pipeline.record_pipeline_run(pipeline_name="sales_daily", status="failed", duration=3.0)

    runs = {"pipeline_name": "sales_daily", "status": "failed"}
    assert pipeline_registry.get_sample_value("pipeline_runs_total", runs) == 1.0
    assert api_registry.get_sample_value("pipeline_runs_total", runs) is None, "the API target saw the pipeline's run"


def test_loads_leave_the_global_registry_alone(metrics_module):
    metrics_instance(metrics_module, CollectorRegistry(), "mc_test_global")
    exposed = generate_latest(REGISTRY).decode()
    assert "pipeline_runs_total" not in exposed, "the stack's metrics were registered globally"


def test_the_global_registry_works_again_after_a_load(metrics_module):
    metrics_instance(metrics_module, CollectorRegistry(), "mc_test_restore")
    counter = Counter("mc_selftest_after_load", "registered after a load", registry=REGISTRY)
    try:
        assert REGISTRY.get_sample_value("mc_selftest_after_load_total") == 0.0
    finally:
        REGISTRY.unregister(counter)


def test_a_module_raising_at_import_names_file_and_line(tmp_path):
    path = write_text(tmp_path / "custom_metrics.py", (
        "def connect():\n"
        "    raise ConnectionError('metrics backend unreachable')\n"
        "\n"
        "metrics = connect()\n"
    ))
    with pytest.raises(InstrumentationError) as caught:
        load_module(path, CollectorRegistry(), "mc_test_raising")
    raise_line = line_containing(path, "raise ConnectionError")
    assert str(caught.value).startswith(f"{path}:{raise_line}: importing"), str(caught.value)
    assert "ConnectionError: metrics backend unreachable" in str(caught.value), str(caught.value)


def test_a_module_with_a_syntax_error_names_file_and_line(tmp_path):
    path = write_text(tmp_path / "custom_metrics.py", "import time\ndef broken(:\n    pass\n")
    with pytest.raises(InstrumentationError) as caught:
        load_module(path, CollectorRegistry(), "mc_test_syntax")
    assert str(caught.value).startswith(f"{path}:2: "), str(caught.value)


def test_a_module_without_metrics_instance_is_refused(tmp_path):
    path = write_text(tmp_path / "custom_metrics.py", "VERSION = 1\n")
    with pytest.raises(InstrumentationError, match="defines no module-level 'metrics' instance"):
        metrics_instance(path, CollectorRegistry(), "mc_test_empty")
