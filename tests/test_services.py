"""The service model (fixtures/services/model.py) and the run environment that starts services
(fixtures/services/environment.py): a service added the way the README says (one class, one
registration, one manifest entry) is started, recorded and removed like the stack's own."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import requests

from fixtures.live import LiveStack
from fixtures.model.stack import Stack
from fixtures.services import relay
from fixtures.services.alertmanager import AlertmanagerContainer
from fixtures.services.base import HttpReadiness
from fixtures.services.engine import LABEL_RUN, labelled_containers
from fixtures.services.environment import RunEnvironment
from fixtures.services.model import SERVICES, ServiceContainer, service_class
from fixtures.services.prometheus import PrometheusContainer
from fixtures.sinks.http import HttpSink
from fixtures.versions import DEBIAN, built_dir
from reports.model import RunResults

SINK_PORT = 8080


class SecondSink(ServiceContainer):
    """A second HTTP sink: a tiny container on the relay's local image that forwards its port to
    an HTTP sink in the harness; its version is what socat says of itself."""

    PORT = SINK_PORT
    LOCAL_IMAGE = relay.LOCAL_IMAGE
    STARTUP_TIMEOUT_S = 20

    def readiness(self) -> HttpReadiness:
        # Ready when the harness's sink answers through it, whatever it answers (it takes POSTs only).
        return HttpReadiness(self.service, self.port, "/", accept=lambda response: True)

    def version(self) -> str:
        _, output = self.exec(["/usr/bin/socat", "-V"])
        found = re.search(r"socat version (\S+)", output.decode(errors="replace"))
        return f"socat {found.group(1)}" if found else "unknown"


def write_stack(folder: Path, command: list[str]) -> Stack:
    """A stack of one service, as a user would declare it: image per profile, port, command, environment."""
    folder.mkdir()
    quoted = ", ".join(f'"{argument}"' for argument in command)
    (folder / "manifest.yml").write_text(f"""\
services:
  second-sink:
    image:
      local: {relay.IMAGES['local']}
      registry: {relay.IMAGES['registry']}
    port: {SINK_PORT}
    command: [{quoted}]
    environment: {{SINK_NAME: second}}
""")
    return Stack.load(folder)


@pytest.fixture
def registered(monkeypatch):
    service_class("prometheus")  # the package's own registrations first
    monkeypatch.setitem(SERVICES, "second-sink", SecondSink)
    monkeypatch.setattr(SecondSink, "KIND", "second-sink")


def test_every_service_of_the_reference_stack_has_its_class_and_an_unknown_one_runs_plain(reference_stack):
    known = {name: service_class(name).__name__ for name in reference_stack.services}
    assert known["prometheus"] == "PrometheusContainer" and known["alertmanager"] == "AlertmanagerContainer", known
    assert known["elasticsearch"] == "SearchStoreContainer" and known["rsyslog"] == "RsyslogContainer", known
    assert service_class("jaeger").__name__ == "JaegerContainer"
    assert service_class("no-such-service") is ServiceContainer


@pytest.mark.parametrize("kind", [PrometheusContainer, AlertmanagerContainer])
def test_a_local_image_is_the_debian_twin_on_its_own_tag_and_a_built_twin_on_another(kind):
    repository = kind.LOCAL_IMAGE.repository
    assert kind.recipe(f"{repository}:{DEBIAN[kind.KIND]}") is kind.LOCAL_IMAGE
    other = kind.recipe(f"{repository}:9.9.9")
    binaries = built_dir(kind.KIND, "9.9.9")
    assert {f"{binaries}/{name}" for name in kind.BUILT_BINARIES} <= set(other.files), other.files
    assert not any(source.startswith("/usr/bin/") for source in other.files), other.files
    assert other.owned_dirs == kind.LOCAL_IMAGE.owned_dirs
    assert kind.recipe(f"docker.io/prom/{kind.KIND}:v9.9.9") is None  # the registry's: pulled, not built


def test_the_manifest_environment_reaches_prometheus_and_adds_to_grafanas_own(reference_stack, engine):
    env = RunEnvironment("local")
    prometheus = dataclasses.replace(reference_stack.services["prometheus"], environment={"TZ": "UTC"})
    assert env.container(prometheus).env == {"TZ": "UTC"}
    grafana = dataclasses.replace(reference_stack.services["grafana"], environment={"GF_LOG_LEVEL": "debug"})
    made = env.container(grafana, "docker.io/grafana/grafana:10.4.2").env
    assert made["GF_LOG_LEVEL"] == "debug" and made["GF_AUTH_ANONYMOUS_ENABLED"] == "true", made


def test_a_service_whose_class_joins_the_alerting_stack_is_among_its_containers(tmp_path, engine, registered,
                                                                                 monkeypatch, reference_stack):
    monkeypatch.setattr(SecondSink, "PIPELINE", "alerting")
    stack = write_stack(tmp_path / "stack", ["TCP-LISTEN:8080", "STDOUT"])
    stack.services.update({name: reference_stack.services[name] for name in ("prometheus", "alertmanager")})
    live = LiveStack(stack, "local")
    made = {type(container).__name__ for container in live._service_containers(with_mounts=False)}
    assert made == {"PrometheusContainer", "AlertmanagerContainer", "SecondSink"}, made
    assert live.failures == {}


def test_an_added_service_is_started_from_its_manifest_entry_recorded_and_removed(tmp_path, engine, registered):
    env = RunEnvironment("local").open()
    sink = HttpSink("second")
    try:
        upstream = sink.start(env.gateway())
        stack = write_stack(tmp_path / "stack", [f"TCP-LISTEN:{SINK_PORT},fork,reuseaddr",
                                                 f"TCP:{env.gateway()}:{upstream}"])
        container = env.container(stack.services["second-sink"])
        assert isinstance(container, SecondSink)
        assert env.start_one(container), env.failures
        requests.post(f"{container.url()}/hook", json={"alert": "one"}, timeout=10).raise_for_status()
        assert [r.body for r in sink.snapshot()] == [{"alert": "one"}]
        record = RunResults(stack=str(tmp_path), stack_name="one service", profile="local", started="now")
        env.record(record, timing_prefix="extra_")
        assert record.components["second-sink"].startswith("socat 1."), record.components
        assert record.images == {"second-sink": relay.IMAGES["local"]}
        assert record.timings["extra_second-sink_ready_s"] > 0 and record.notes == [], record
        inspected = engine.api.inspect_container(container.get_wrapped_container().id)
        assert "SINK_NAME=second" in inspected["Config"]["Env"]
        assert inspected["Config"]["Labels"][LABEL_RUN] == env.run.run_id
    finally:
        removed = env.close()
        sink.stop()
    assert labelled_containers(engine, f"{LABEL_RUN}={env.run.run_id}") == []
    assert any(name.startswith("container ") for name in removed) and any(n.startswith("network ") for n in removed)


def test_a_service_that_exits_is_a_recorded_failure_naming_it_and_is_removed(tmp_path, engine, registered):
    env = RunEnvironment("local").open()
    try:
        stack = write_stack(tmp_path / "stack", ["NOT-AN-ADDRESS:x", "STDOUT"])
        assert not env.start_one(env.container(stack.services["second-sink"]))
        assert "second-sink" not in env.containers and "second-sink" not in env.versions
        record = RunResults(stack=str(tmp_path), stack_name="one service", profile="local", started="now")
        env.record(record)
        assert record.notes == [f"second-sink did not start: {env.failures['second-sink']}"]
        assert re.search(r"^second-sink exited before it was ready \(expected an answer at .*\).*\n.*NOT-AN-ADDRESS",
                         env.failures["second-sink"]), env.failures
    finally:
        env.close()
    assert labelled_containers(engine, f"{LABEL_RUN}={env.run.run_id}") == []


def test_the_rules_api_is_read_again_only_for_a_rule_not_settled_in_the_last_answer():
    """'rule loaded' reads Prometheus's whole rules API: once for every rule, not once per rule,
    but again where the last answer misses the rule or has not evaluated it yet."""
    from fixtures.services.prometheus import LoadedRules

    answers = [
        [{"rules": [{"name": "A", "health": "ok"}, {"name": "B", "health": "unknown"}]}],
        [{"rules": [{"name": "A", "health": "ok"}, {"name": "B", "health": "err", "lastError": "bad"}]}],
    ]

    class Prometheus:
        def rule_groups(self):
            return answers[min(rules.reads, len(answers) - 1)]

    rules = LoadedRules(Prometheus)
    assert [r["health"] for r in rules.named("A")] == ["ok"]
    assert [r["health"] for r in rules.named("A")] == ["ok"]
    assert rules.reads == 1
    assert [r["health"] for r in rules.named("B")] == ["err"]  # not evaluated in the first answer: read again
    assert rules.reads == 2
    assert rules.named("C") == []  # missing: read again, still missing
    assert rules.reads == 3
