"""Every alert a scenario expects is routed by Alertmanager's own routing tree (amtool) to the
receivers the stack intends for it: those its manifest's ``intended_routes`` declares for alerts
of its labels (an alert name's, a team's, a null receiver), else its severity's
(fixtures/model/routing_intent.py). The expectation is the manifest's, never the tree's answer."""

import pytest

from fixtures.checks import at, expect, not_applicable
from fixtures.model.alertmanager import receivers
from fixtures.model.configfiles import shared_config
from fixtures.model.routing_intent import ROUTES_KEY, intent_of
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
        intent = intent_of(stack.manifest, labels, stack.manifest_path.name)
        if intent is None and severity == alert_rule.labels.get("severity"):
            # The rule's own label: its 'severity label' check reports it, at the label's line.
            line = alert_rule.label_lines.get("severity", alert_rule.line)
            not_applicable(f"blocked by {alert_rule.file}:{line}: severity {severity!r} is not a level the stack "
                           f"declares ({list(stack.severity_receivers)}); see the rule's 'severity label' check")
        expect(intent, f"{alert_rule.location}: severity {severity!r} is not a level the stack declares "
                       f"({list(stack.severity_receivers)}), and no {ROUTES_KEY} entry of the manifest matches {labels}")
        if intent.by_severity:
            undefined = validation.undefined_receiver(severity)
            if undefined is not None:
                blocked(undefined)
        else:
            defined = [str(r.name) for r in receivers(shared_config(config))]
            unknown = [r for r in intent.receivers if r not in defined]
            expect(not unknown, f"{stack.manifest_path}:{intent.line}: the {intent.basis} names receiver(s) {unknown}, "
                                f"which {config.name} does not define (its receivers: {defined})",
                   at(stack.manifest_path, intent.line))
        try:
            chosen = amtool_route(config, labels)
        except RuntimeError as exc:
            pytest.fail(f"{config}: cannot route {labels}: {exc}", pytrace=False)
        evidence[str(labels)] = {"routed to": chosen, "intended": list(intent.receivers), "judged by": intent.basis}
        routed = sorted(chosen) == sorted(intent.receivers)
        misrouted = validation.misrouted(severity) if intent.by_severity and not routed else None
        if misrouted is not None:  # a route no alert reaches: its severity's finding (test_severity_routes)
            blocked(misrouted)
        hint = (f"; if that is the team's intent (a route by alert name or team label, a null receiver), declare "
                f"it in the manifest's {ROUTES_KEY}" if intent.by_severity else "")
        expect(routed, (
            f"{config}: alert '{alert_rule.name}' ({alert_rule.location}) with labels {labels} is routed to "
            f"{chosen}; the stack intends {list(intent.receivers)}, judged by the {intent.basis}{hint}"))
