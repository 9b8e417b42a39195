"""fixtures/stack.py: the manifest is validated up front and config_files() sees only this stack."""

import pytest

from fixtures.model.configfiles import load_yaml
from fixtures.model.manifest_schema import manifest_errors
from fixtures.model.stack import Stack
from fixtures.model.stackfiles import ConfigError
from tests.textfiles import line_containing, write_text

ALERTMANAGER_REGISTRY_IMAGE = "      registry: docker.io/prom/alertmanager:v0.25.0\n"


def test_a_folder_without_manifest_is_refused(tmp_path):
    with pytest.raises(ConfigError) as caught:
        Stack.load(tmp_path)
    assert caught.value.path == tmp_path.resolve() / "manifest.yml", caught.value.location
    assert "no stack manifest" in caught.value.problem, caught.value.problem


def test_a_service_without_an_image_for_a_profile_names_manifest_and_line(broken_stack):
    stack_dir = broken_stack("manifest.yml", ALERTMANAGER_REGISTRY_IMAGE, "")
    manifest = stack_dir.resolve() / "manifest.yml"
    with pytest.raises(ConfigError) as caught:
        Stack.load(stack_dir)
    error = caught.value
    assert error.path == manifest, error.location
    assert "service 'alertmanager' has no image for profile registry" in error.problem, error.problem
    # The line lies inside the alertmanager entry, between its name and the next service's.
    first, after = line_containing(manifest, "  alertmanager:"), line_containing(manifest, "  prometheus:")
    assert error.line is not None and first <= error.line < after, (
        f"expected a line of the alertmanager entry ({first}..{after - 1}), got {error.location}"
    )


def test_a_service_without_a_port_has_none_and_its_environment_is_read(reference_stack):
    # A log shipper is asked nothing over the network: no port to publish.
    assert reference_stack.services["rsyslog"].port is None
    assert reference_stack.services["elasticsearch"].port == 9200
    assert reference_stack.services["elasticsearch"].environment["discovery.type"] == "single-node"


def test_the_reference_manifest_loads(reference_stack):
    assert {"alertmanager", "prometheus"} <= set(reference_stack.services), reference_stack.services
    assert reference_stack.services["prometheus"].image("local").startswith("localhost/")
    assert reference_stack.severity_receivers == {
        "critical": "critical-alerts", "warning": "warning-alerts", "info": "web.hook",
    }
    assert reference_stack.prometheus_config_path == reference_stack.root / "prometheus" / "prometheus.yml"


def test_config_files_leave_out_nested_example_stacks(reference_stack):
    relative = [reference_stack.relative(p) for p in reference_stack.config_files()]
    assert "prometheus/analytics_rules.yml" in relative, relative
    assert "grafana/dashboards/analytics-operations.json" in relative, relative
    assert (reference_stack.root / "examples" / "seed" / "manifest.yml").is_file(), "the reference has an example"
    assert not [p for p in relative if p.startswith("examples/")], relative


def test_config_files_keep_a_folder_that_only_looks_like_an_example(tmp_path):
    # Only a folder holding its own manifest.yml is another stack; its siblings are this stack's.
    write_text(tmp_path / "manifest.yml", "services: {}\n")
    own = write_text(tmp_path / "examples" / "notes.yml", "a: 1\n")
    write_text(tmp_path / "examples" / "other" / "manifest.yml", "services: {}\n")
    write_text(tmp_path / "examples" / "other" / "prometheus.yml", "a: 1\n")
    write_text(tmp_path / "readme.txt", "not a config file\n")
    stack = Stack.load(tmp_path)
    assert stack.config_files() == sorted([stack.root / "manifest.yml", own.resolve()]), stack.config_files()


@pytest.mark.parametrize(("old", "new", "line_text", "problem"), [
    ("scenarios: scenarios", "scenario: scenarios", "scenario: scenarios", "unknown field 'scenario'"),
    ("    port: 9093", "    port: '9093'", "port: '9093'", "services.alertmanager.port: '9093' is not of type 'integer'"),
    ("{source: jaeger, target: /etc/jaeger}", "{source: jaeger, into: /etc/jaeger}", "{source: jaeger, into:",
     "tracing.jaeger.mounts[0]: unknown field 'into'"),
    # A missing field: where the mapping that lacks it starts, as fixtures/stack.py's own checks say it.
    ("  service_name: analytics-pipeline\n", "", "  contract: contracts/traces.yml", "tracing has no 'service_name'"),
    # Well-formed values that mean nothing: a container path written relative, a URL without its scheme.
    ("{source: prometheus, target: /etc/prometheus}", "{source: prometheus, target: etc/prometheus}",
     "target: etc/prometheus", "services.prometheus.mounts[0].target: 'etc/prometheus' is a relative path"),
    ("endpoint: http://jaeger:4318/v1/traces", "endpoint: jaeger:4318/v1/traces", "endpoint: jaeger",
     "tracing.endpoint: 'jaeger:4318/v1/traces' is not a URL with a scheme and a host"),
], ids=["unknown field", "wrong type", "unknown field in a list item", "missing field", "relative container path",
        "endpoint without scheme"])
def test_a_manifest_that_does_not_fit_its_schema_names_the_line_and_the_field(broken_stack, old, new, line_text,
                                                                             problem):
    stack_dir = broken_stack("manifest.yml", old, new)
    manifest = stack_dir.resolve() / "manifest.yml"
    with pytest.raises(ConfigError) as caught:
        Stack.load(stack_dir)
    error = caught.value
    assert "does not fit the manifest schema" in error.problem and problem in error.problem, error.problem
    assert error.location == f"{manifest}:{line_containing(manifest, line_text)}", error.location


def test_the_reference_and_seed_manifests_fit_the_schema(reference_stack):
    for manifest in (reference_stack.manifest_path, reference_stack.root / "examples" / "seed" / "manifest.yml"):
        assert manifest_errors(manifest, load_yaml(manifest)) == [], manifest


def test_a_folder_named_as_a_config_file_is_listed_and_found_not_a_file(tmp_path):
    """A scenario 'file' that is a folder: its parse check says so, once, at its path (it once
    crashed every rule's checks)."""
    from fixtures.validation import Validation

    (tmp_path / "manifest.yml").write_text("name: scenarios\nscenarios: scenarios\n")
    folder = tmp_path / "scenarios" / "X-firing.yml"
    folder.mkdir(parents=True)
    stack = Stack.load(tmp_path)
    assert folder in stack.config_files()
    (error,) = Validation(stack).of(folder)
    assert error.problem == "is a folder; expected a file", error


@pytest.mark.parametrize("written", ["../../../../etc/passwd", "/etc/passwd", "linked/passwd"])
def test_a_manifest_path_that_leaves_the_stack_folder_stops_the_run_at_its_line(tmp_path, written):
    """Nothing outside the stack is read or mounted: ``..``, an absolute path and a symbolic link
    out of the folder are each a usage error at the field's line, before anything is read."""
    (tmp_path / "linked").symlink_to("/etc")
    path = write_text(tmp_path / "manifest.yml", f"name: x\nalertmanager_config: {written}\n"
                      "services:\n  am:\n    image: {local: a, registry: a}\n    mounts:\n"
                      "      - {source: ../outside, target: /etc/am}\n")
    with pytest.raises(ConfigError) as caught:
        Stack.load(tmp_path)
    assert caught.value.line == 2 and "alertmanager_config" in caught.value.problem, str(caught.value)
    assert "leaves the stack folder" in caught.value.problem and "root:" not in str(caught.value)
    assert f"{path}:7: services.am.mounts[0].source: '../outside' leaves the stack folder" in caught.value.problem
