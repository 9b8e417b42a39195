"""Every alert a scenario expects is routed by Alertmanager's own routing tree (amtool) to the
receiver the stack intends for its severity."""

import pytest

from fixtures.checks import expect, not_applicable
from fixtures.tools import amtool_route
from fixtures.validation import blocked, require_routable

pytestmark = pytest.mark.stack_section("prometheus_config", "alertmanager_config", "severity_levels", what="alert routing")


@pytest.mark.conformance(component="alertmanager", check="routes to the intended receiver",
                         phase="virtual", subject_kind="alert_rule", inputs=("scenarios", "behaviour"))
def test_routes(alert_rule, scenario_set, stack, evidence, validation):
    config = stack.alertmanager_config_path
    require_routable(validation)
    alerts = [a for s in scenario_set.for_rule(alert_rule, "firing") for a in s.firing
              if a.belongs_to(alert_rule, scenario_set.has_twins(alert_rule))]
    if not alerts:
        not_applicable(f"no firing scenario, hand-written or derived, gives '{alert_rule.name}' a label set to route "
                       "(see its 'has firing and silent scenarios' check)")
    for alert in alerts:
        labels = alert.full_labels()
        severity = labels.get("severity")
        intended = stack.severity_receivers.get(severity)
        if intended is None and severity == alert_rule.labels.get("severity"):
            # The rule's own label: its 'severity label' check reports it, at the label's line.
            line = alert_rule.label_lines.get("severity", alert_rule.line)
            not_applicable(f"blocked by {alert_rule.file}:{line}: severity {severity!r} is not a level the stack "
                           f"declares ({list(stack.severity_receivers)}); see the rule's 'severity label' check")
        expect(intended, f"{alert_rule.location}: severity {severity!r} is not a level the stack declares "
                         f"({list(stack.severity_receivers)})")
        undefined = validation.undefined_receiver(severity)
        if undefined is not None:
            blocked(undefined)
        try:
            chosen = amtool_route(config, labels)
        except RuntimeError as exc:
            pytest.fail(f"{config}: cannot route {labels}: {exc}", pytrace=False)
        evidence[str(labels)] = {"routed to": chosen, "intended": intended}
        misrouted = validation.misrouted(severity) if chosen != [intended] else None
        if misrouted is not None:  # a route no alert reaches: its severity's finding (test_severity_routes)
            blocked(misrouted)
        expect(chosen == [intended], (
            f"{config}: alert '{alert_rule.name}' ({alert_rule.location}) with labels {labels} is routed to "
            f"{chosen}; the stack intends severity={severity} for [{intended!r}]"))
