"""The log pipeline's files, before anything starts: what the compose file mounts exists, every
pipeline service has its configuration, and the index template maps the events' fields."""

import pytest

from fixtures.checks import at, expect, expect_no_defects, fail_config, named, not_applicable
from fixtures.configfiles import ConfigError, SourceLine, load_json, read_text
from fixtures.validation import require_valid

pytestmark = pytest.mark.stack_section("logs", what="the log pipeline")


@pytest.mark.conformance(component="logs", check="compose mount exists", phase="static", subject_kind="compose_mount")
def test_compose_mount_exists(compose_mount, stack):
    service, source, path, line = compose_mount
    compose = stack.path(stack.manifest["logs"]["compose"])
    expect(path.exists(), (
        f"{compose}:{line}: service '{service}' mounts {source}, which does not exist "
        f"({stack.relative(path)}): the service starts without the configuration it is given\n"
        f"    {SourceLine(compose, line).text.strip()}"
    ), at(compose, line))


@pytest.mark.conformance(component="logs", check="configuration present", phase="static", subject_kind="log_service")
def test_log_service_configuration_present(log_service, stack):
    service = stack.services[log_service]
    missing = [stack.relative(m.source) for m in service.mounts if not m.source.exists()]
    expect(not missing, (
        f"{stack.manifest_path}: log pipeline service '{log_service}' is given {', '.join(missing)}, "
        f"which the stack does not have"
    ), at(stack.manifest_path))


@pytest.mark.conformance(component="logs", check="index template maps the events", phase="static")
def test_index_template(log_settings, validation):
    path = log_settings.index_template
    expect(path.exists(), f"{path}: the index template the manifest names does not exist, so the store "
                          "guesses every field's type from the first event it sees (a timestamp may stay text)",
           at(path))
    # A file that does not parse (the template, the contract naming the fields) is its own finding (file valid).
    require_valid(validation, path, log_settings.contract_path)
    try:
        template = load_json(path)
    except ConfigError as exc:
        fail_config(exc)
    patterns = template.get("index_patterns") or []
    where = at(path, _line_of(path, '"index_patterns"'))
    expect(log_settings.index_pattern in patterns, (
        f"{named(where)}: index_patterns {patterns} do not include {log_settings.index_pattern}, "
        "the indices the events are shipped to"
    ), where)
    properties = ((template.get("template") or {}).get("mappings") or {}).get("properties") or {}
    unmapped = [name for name in log_settings.contract.standard_fields if name not in properties]
    where = at(path, _line_of(path, '"properties"'))
    expect(not unmapped, f"{named(where)}: the standard fields {unmapped} have no mapping", where)
    kind = properties["timestamp"].get("type")
    expect(kind == "date", f"{path}: timestamp is mapped as {kind!r}, expected 'date'", at(path, _line_of(path, '"timestamp"')))


def _line_of(path, text: str) -> int | None:
    lines = read_text(path).splitlines()
    return next((number for number, line in enumerate(lines, 1) if text in line), None)


@pytest.mark.conformance(component="logs", check="index template field types known", phase="static")
def test_index_template_types(log_settings, validation):
    from fixtures.semantics import unknown_field_types

    path = log_settings.index_template
    if not path.exists():
        not_applicable(f"{path} does not exist (see 'index template maps the events')")
    require_valid(validation, path)
    expect_no_defects(unknown_field_types(path, load_json(path)))


@pytest.mark.conformance(component="logs", check="shipper configuration reads", subject="log pipeline",
                         phase="static")
def test_shipper_configuration_reads(stack):
    """A shipper whose configuration does not read ships nothing: found here, before any container
    (rsyslogd -N1 checks it again in the image when the shipper starts)."""
    from fixtures.logs.shipper_config import shipper_files, structure_errors
    from fixtures.subjects import log_services

    files = [found for name in log_services(stack) for mount in stack.services[name].mounts
             for found in shipper_files(name, mount.source)]
    if not files:
        not_applicable("no shipper of the log pipeline is given a configuration in a language read here "
                       "(rsyslog.conf, a Logstash pipeline); a YAML or JSON one is read by 'file valid'")
    expect_no_defects([error for path, rsyslog in files for error in structure_errors(path, rsyslog)])
