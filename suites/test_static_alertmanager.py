"""Alertmanager configuration and routing, checked with amtool without starting anything."""

import pytest

from fixtures.checks import at, expect, fail, fail_config
from fixtures.configfiles import load_yaml
from fixtures.tools import amtool_route
from fixtures.validation import require_routable, require_valid

pytestmark = pytest.mark.stack_section("alertmanager_config", what="Alertmanager")


@pytest.mark.conformance(component="alertmanager", check="amtool check-config", subject="alertmanager.yml",
                         phase="static")
def test_amtool_check_config(stack, validation):
    require_valid(validation, stack.alertmanager_config_path)
    rejection = validation.amtool_rejection  # the routing checks are blocked by it
    if rejection is not None:
        fail_config(rejection)


@pytest.mark.conformance(component="alertmanager", check="severity routes to an existing receiver",
                         phase="static", subject_kind="severity")
def test_severity_routes(severity, stack, validation):
    path = stack.alertmanager_config_path
    require_routable(validation)
    undefined = validation.undefined_receiver(severity)  # the manifest's mistake, not alertmanager.yml's
    if undefined is not None:
        fail_config(undefined)
    try:
        chosen = amtool_route(path, {"severity": severity})
    except RuntimeError as exc:
        fail(f"{path}: cannot route severity={severity}: {exc}", at(path))
    config = load_yaml(path) or {}
    defined = [receiver.get("name") for receiver in config.get("receivers") or []]
    missing = [name for name in chosen if name not in defined]
    expect(chosen and not missing, (
        f"{path}: severity={severity} routes to {chosen}, but the receivers defined are {defined}"
    ), at(path))
