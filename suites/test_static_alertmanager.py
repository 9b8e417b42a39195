"""Alertmanager configuration and routing, checked with amtool without starting anything."""

import pytest

from fixtures.checks import at, expect, expect_no_defects, fail, fail_config, not_applicable
from fixtures.model.alertmanager import receivers
from fixtures.model.configfiles import load_yaml, shared_config
from fixtures.scenarios.model import load_scenario
from fixtures.semantics.alertmanager import (
    integrations,
    muted_always,
    never_equal,
    receiver_line,
    repeat_below_group,
    uncarried_keys,
    unmatchable,
)
from fixtures.semantics.go_templates import defined_templates, receiver_templates, template_files
from fixtures.semantics.labels import alert_shapes, known_labels
from fixtures.tools import amtool_route
from fixtures.validation import require_routable, require_rule_files, require_valid

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
    defined = [found.name for found in receivers(config)]
    missing = [name for name in chosen if name not in defined]
    expect(chosen and not missing, (
        f"{path}: severity={severity} routes to {chosen}, but the receivers defined are {defined}"
    ), at(path))
    misrouted = validation.misrouted(severity)  # a route no alert reaches: each alert's routing check is blocked by it
    if misrouted is not None:
        fail_config(misrouted)


@pytest.mark.conformance(component="alertmanager", check="matchers match alerts the rules send", level="SHOULD",
                         subject="alertmanager.yml", phase="static")
def test_matchers_can_match(stack, validation):
    """An inhibit rule or route whose matchers no alert of the stack's rules satisfies never takes effect."""
    path = stack.alertmanager_config_path
    require_routable(validation)
    rules = _alert_rules_sent(stack, validation)
    config = shared_config(path)
    external = ((stack.prometheus_config or {}).get("global") or {}).get("external_labels")
    # A route that misroutes a declared severity is that severity's MUST finding (test_severity_routes).
    misrouting = {e.line for s in stack.severity_receivers if (e := validation.misrouted(s)) is not None}
    expect_no_defects([e for e in unmatchable(path, config, alert_shapes(rules, external, stack.severity_receivers))
                       if e.line not in misrouting])


@pytest.mark.conformance(component="alertmanager", check="grouping and equal labels are carried by alerts",
                         level="SHOULD", subject="alertmanager.yml", phase="static")
def test_keyed_labels_carried(stack, validation):
    """A group_by or inhibit equal label that no alert carries (a misspelling) groups nothing apart,
    or lets an inhibit rule mute every target alert; equal labels no source and target alert can
    share (equal: [alertname] between severities no alert name has both of) never let it mute."""
    path = stack.alertmanager_config_path
    require_routable(validation)
    rules = _alert_rules_sent(stack, validation)
    config = stack.prometheus_config
    expected = [alert.labels for scenario in validation.scenario_files if not validation.of(scenario)
                for alert in load_scenario(scenario).firing]
    known = known_labels(rules, stack.recording_rules, config, expected)
    if known is None:
        not_applicable("prometheus.yml maps labels by pattern (labelmap): which labels alerts carry is not known")
    external = ((config or {}).get("global") or {}).get("external_labels")
    shapes = alert_shapes(rules, external, stack.severity_receivers)
    # equal labels no source and target can share: judged on the rules' alerts alone (an alert of a
    # declared level yet to be written has no name to share)
    expect_no_defects([*uncarried_keys(path, shared_config(path), shapes, known),
                       *never_equal(path, shared_config(path), alert_shapes(rules, external))])


def _alert_rules_sent(stack, validation) -> list:
    """The alert rules whose alerts reach Alertmanager as written (for checks of what can match them)."""
    if not stack.declares("prometheus_config"):
        not_applicable(f"{stack.manifest_path.name} declares no prometheus_config: which alerts arrive is not known")
    require_rule_files(validation)
    if ((stack.prometheus_config or {}).get("alerting") or {}).get("alert_relabel_configs"):
        not_applicable("prometheus.yml relabels alerts (alert_relabel_configs): the labels they arrive with are "
                       "not known from the rules alone")
    rules = stack.alert_rules
    if not rules:
        not_applicable("the stack has no alert rules to send alerts")
    return rules


@pytest.mark.conformance(component="alertmanager", check="severity reaches an integration", phase="static",
                         subject_kind="severity")
def test_severity_reaches_an_integration(severity, stack, validation):
    """A declared severity routed only to receivers with no integration (no *_configs) notifies
    nobody: Alertmanager accepts such a receiver (docs, <receiver>: a receiver without integrations
    drops what it gets), so amtool does not object."""
    path = stack.alertmanager_config_path
    require_routable(validation)
    try:
        chosen = amtool_route(path, {"severity": severity})
    except RuntimeError:
        not_applicable(f"severity={severity} cannot be routed (see 'severity routes to an existing receiver')")
    config = shared_config(path)
    if any(integrations(config, name) for name in chosen):
        return
    silent = next((name for name in chosen if receiver_line(config, name)), None)
    if silent is None:
        not_applicable(f"severity={severity} routes to {chosen}, which alertmanager.yml does not define "
                       "(see 'severity routes to an existing receiver')")
    line = receiver_line(config, silent)
    fail(f"{path}:{line}: severity={severity} routes to {chosen}, and receiver '{silent}' has no integration "
         "(no email_configs, webhook_configs, slack_configs...): its alerts notify nobody", at(path, line))


@pytest.mark.conformance(component="alertmanager", check="repeat_interval not below group_interval", level="SHOULD",
                         subject="alertmanager.yml", phase="static")
def test_repeat_interval_takes_effect(stack, validation):
    _expect_none_in_alertmanager_yml(stack, validation, repeat_below_group)


@pytest.mark.conformance(component="alertmanager", check="no route muted at every moment", level="SHOULD",
                         subject="alertmanager.yml", phase="static")
def test_no_route_always_muted(stack, validation):
    _expect_none_in_alertmanager_yml(stack, validation, muted_always)


def _expect_none_in_alertmanager_yml(stack, validation, find) -> None:
    """Fail with what ``find(path, config)`` finds in a valid alertmanager.yml."""
    path = stack.alertmanager_config_path
    require_valid(validation, path)
    expect_no_defects(find(path, shared_config(path)))


@pytest.mark.conformance(component="alertmanager", check="receiver templates parse", subject="alertmanager.yml",
                         phase="static")
def test_receiver_templates_parse(stack, validation):
    """A receiver's inline Go template (a Slack title, an e-mail header) that does not parse, or
    calls a template defined nowhere: amtool check-config does not parse these fields, and
    Alertmanager fails the receiver's every notification when it renders them."""
    path = stack.alertmanager_config_path
    require_valid(validation, path)
    config = shared_config(path) if isinstance(shared_config(path), dict) else {}
    files = template_files(stack, path, config)
    defined = None if files is None else defined_templates(files)
    expect_no_defects(receiver_templates(path, config, defined))
