"""fixtures/feeders/exporters.py: the synthetic exporters speak the real exporters' metric names."""

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from fixtures.feeders.exporters import HostState, NodeExporter, PostgresExporter, PostgresState


class SteppedClock:
    """A clock the test moves by hand, so counter increments are exact (no timing involved)."""

    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def cpu_seconds(registry: CollectorRegistry, mode: str) -> float:
    return registry.get_sample_value("node_cpu_seconds_total", {"cpu": "0", "mode": mode})


def test_node_cpu_counters_advance_with_the_clock_as_the_state_says():
    clock = SteppedClock()
    registry = CollectorRegistry()
    registry.register(NodeExporter(HostState(cpus=2, cpu_busy=0.25), clock=clock))
    idle, user = cpu_seconds(registry, "idle"), cpu_seconds(registry, "user")

    clock.now += 10
    assert cpu_seconds(registry, "idle") - idle == pytest.approx(7.5)
    assert cpu_seconds(registry, "user") - user == pytest.approx(2.5)
    assert registry.get_sample_value("node_cpu_seconds_total", {"cpu": "1", "mode": "idle"}) is not None
    assert registry.get_sample_value("node_cpu_seconds_total", {"cpu": "2", "mode": "idle"}) is None


def test_node_exporter_exposes_node_exporter_names():
    registry = CollectorRegistry()
    registry.register(NodeExporter())
    exposed = generate_latest(registry).decode()
    for sample in (
        'node_cpu_seconds_total{cpu="0",mode="idle"}',
        "node_memory_MemTotal_bytes ",
        "node_memory_MemAvailable_bytes ",
        'node_filesystem_size_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"}',
        'node_filesystem_avail_bytes{device="tmpfs",fstype="tmpfs",mountpoint="/run"}',
    ):
        assert f"\n{sample}" in exposed, f"{sample!r} missing from:\n{exposed}"
    assert "# TYPE node_cpu_seconds_total counter" in exposed, exposed


def test_node_memory_follows_the_host_state():
    registry = CollectorRegistry()
    registry.register(NodeExporter(HostState(memory_total_bytes=1000, memory_used=0.9)))
    assert registry.get_sample_value("node_memory_MemAvailable_bytes") == pytest.approx(100)


def test_postgres_exporter_exposes_postgres_exporter_names():
    state = PostgresState(up=False, max_connections=200, backends=7)
    registry = CollectorRegistry()
    registry.register(PostgresExporter(state))
    assert registry.get_sample_value("pg_up") == 0
    assert registry.get_sample_value("pg_settings_max_connections") == 200
    assert registry.get_sample_value("pg_stat_database_numbackends", {"datname": "analytics"}) == 7
