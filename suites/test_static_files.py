"""Every file of the stack is valid for its role: YAML and JSON parse, and prometheus.yml, rule
files, alertmanager.yml, scenarios, dashboards and the instrumentation are what they must be
(fixtures/validation.py); each defect is reported here, once, at its own file and line."""

import pytest

from fixtures.checks import at, expect, expect_no_defects
from fixtures.config_reads import unread_configs
from fixtures.references import http_to_grpc, loopback_addresses, text_files, unserved_ports
from fixtures.subjects import log_services


@pytest.mark.conformance(component="stack", check="file valid", phase="static", subject_kind="config_file")
def test_parses(config_file, validation):
    errors = validation.of(config_file)
    expect(not errors, "\n".join(map(str, errors)), at(errors[0].path, errors[0].line, errors[0].text or None)
           if errors else None)


@pytest.mark.conformance(component="stack", check="mount sources exist", subject="manifest.yml", phase="static")
def test_mount_sources_exist(stack):
    # The log pipeline's services have their own check (test_log_service_configuration_present).
    missing = stack.missing_mount_sources(leave_out=tuple(log_services(stack)))
    expect(not missing, "\n".join(map(str, missing)), at(missing[0].path, missing[0].line) if missing else None)


@pytest.mark.conformance(component="stack", check="names a file or folder of the stack", phase="static",
                         subject_kind="declared_path")
def test_declared_path_exists(declared_path, stack):
    """A file or folder the manifest names that is not there (a log contract, the dashboards folder)
    would take every check over it out of the run unreported."""
    where, written, line, kind = declared_path
    path = stack.path(written)
    expect(path.exists(), (
        f"{stack.manifest_path}:{line}: {where} names {written}, which the stack folder does not have: every check "
        "of what it holds would vanish from the run"), at(stack.manifest_path, line))
    wrong = {"file": path.is_dir() and "a folder", "folder": path.is_file() and "a file"}.get(kind)
    expect(not wrong, (
        f"{stack.manifest_path}:{line}: {where} names {written}, which is {wrong}; expected a {kind}: nothing would "
        "be read from it and every check of what it holds would vanish from the run"), at(stack.manifest_path, line))



@pytest.mark.conformance(component="stack", check="addresses reach a port the service listens on", subject="stack",
                         phase="static")
def test_addresses_reach_a_listener(stack):
    """An address naming a service of the manifest on a port it does not listen on (by the manifest
    and its own configuration), or an HTTP URL to a port where it serves only gRPC: what is sent
    there is refused, though each file is valid to its own tool."""
    files = text_files(stack)
    expect_no_defects(unserved_ports(stack, files) + http_to_grpc(stack, files))


@pytest.mark.conformance(component="stack", check="no localhost in a service's own configuration", level="SHOULD",
                         subject="stack", phase="static")
def test_no_loopback_address(stack):
    """localhost in a file a service reads is that service's own container (the manifest runs each
    service in one of its own): a SHOULD, as a pod sharing its network would make it reachable."""
    expect_no_defects(loopback_addresses(stack, text_files(stack)))


@pytest.mark.conformance(component="stack", check="services read the declared configuration", subject="manifest.yml",
                         phase="static")
def test_services_read_declared_configuration(stack):
    """The configuration the manifest declares (prometheus.yml, alertmanager.yml, Grafana's data
    sources) is the one its service reads: where its command (or image) reads it, a mount puts it."""
    expect_no_defects(unread_configs(stack))
