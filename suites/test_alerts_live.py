"""Every alert rule end to end on the live stack: the real Prometheus scrapes the synthetic
targets, evaluates the real rules and fires the expected alerts; the real Alertmanager notifies
the receiver the stack intends, and the notification arrives at that receiver's sinks; silent
and healthy scenarios raise nothing during the whole run."""

import pytest

from fixtures.checks import expect, not_applicable, require_running
from fixtures.scenarios import alert_watch as d
from fixtures.scenarios import notifications
from fixtures.scenarios.alert_watch import AlertWatch, key
from fixtures.scenarios.live_feed import tagged_by
from fixtures.scenarios.model import ExpectedAlert

pytestmark = [pytest.mark.live, pytest.mark.stack_section("services", "prometheus_config", "alertmanager_config", "severity_levels", what="alerts end to end, live")]


@pytest.fixture(scope="session")
def alert_watch(live_stack, stack):
    return AlertWatch(live_stack, stack).watch()


def _expected_for(alert_watch, rule):
    found = [(s, a) for s, a in alert_watch.expected
             if a.belongs_to(rule, alert_watch.has_twins(rule)) and (s.rule is None or s.is_about(rule))]
    if not found:
        unfed = [note for note in alert_watch.live.plan.not_fed if note.startswith(f"{rule.name}-")]
        not_applicable(f"no firing scenario of '{rule.name}' was fed live"
                       + (f": {'; '.join(unfed)}" if unfed else " (see 'has firing and silent scenarios')"))
    return found


@pytest.mark.conformance(component="alerting", check="fires (live)", phase="live", subject_kind="alert_rule",
                         inputs=("behaviour", "production"))
def test_fires_live(alert_rule, live_stack, alert_watch, evidence):
    require_running(live_stack, "prometheus")
    evidence["expression"] = alert_rule.expr.strip()
    evidence["watched up to (s)"] = round(d.DEADLINE_S + alert_watch.extra_wait_s)
    evidence["window made honest"] = d.window_made_honest(alert_rule, alert_watch.stack.recording_rules,
                                                          alert_watch.live.real_time, alert_watch.live.history)
    for scenario, alert in _expected_for(alert_watch, alert_rule):
        labels = alert.full_labels()
        seen = [lab for _, lab in alert_watch.observed.firing if lab.get("alertname") == alert_rule.name]
        evidence[scenario.path.name] = {"expected labels": labels,
                                        "fired after (s of feed)": alert_watch.observed.first_firing(labels),
                                        "firing label sets of this rule seen": len(seen)}
        expect(alert_watch.observed.first_firing(labels) is not None, (
            f"{alert_rule.location}: '{alert_rule.name}' did not fire live within "
            f"{d.DEADLINE_S + alert_watch.extra_wait_s:.0f}s of feeding "
            f"{scenario.path.name}; expected labels {labels}; firing alerts of this rule seen: {seen or 'none'}"))


@pytest.mark.conformance(component="alertmanager", check="notification delivered (live)",
                         phase="live", subject_kind="alert_rule", inputs=("behaviour", "production"))
def test_notified(alert_rule, live_stack, alert_watch, evidence):
    require_running(live_stack, "prometheus", "alertmanager")
    for scenario, alert in _expected_for(alert_watch, alert_rule):
        if alert_watch.inhibited(alert):
            _expect_inhibited(alert_rule, alert, alert_watch, evidence)
            continue
        intent = alert_watch.intent(alert)
        found = alert_watch.intended_integrations(alert)
        if intent is not None and not intent.by_severity and not found:
            evidence["intended"] = {"receivers": list(intent.receivers), "judged by": intent.basis}
            not_applicable(f"'{alert_rule.name}' ({scenario.path.name}) is meant for {list(intent.receivers)} by the "
                           f"{intent.basis}, which have no integration: Alertmanager sends nothing to await (its "
                           "'routes to the intended receiver' check judges where the tree sends it)")
        received = evidence.setdefault("notifications received", {})
        rendered = alert_watch.rendered(alert)
        evidence.setdefault("annotations as Prometheus rendered them", {})[scenario.path.name] = rendered
        errors = sorted({e for annotations in rendered for e in notifications.template_errors(alert_rule.annotations, annotations)})
        expect(not errors, (
            f"{alert_rule.location}: '{alert_rule.name}' ({scenario.path.name}): Prometheus rendered its annotations "
            f"with a template error, so every notification shows it: {'; '.join(errors)}; the rule's templates: "
            f"{dict(alert_rule.annotations)}"))
        expect(found, f"{alert_watch.stack.alertmanager_config_path}: receiver(s) "
                      f"{list(intent.receivers) if intent else None} intended for '{alert_rule.name}' (by the "
                      f"{intent.basis if intent else 'manifest'}) have no webhook, Slack or e-mail integration")
        for integration in found:
            arrived = alert_watch.deliveries(integration, alert)
            received[f"{integration.receiver} {integration.kind} ({scenario.path.name})"] = (
                _payload(arrived[-1]) if arrived else None)
            expect(arrived, (
                f"'{alert_rule.name}' ({scenario.path.name}) with labels {alert.full_labels()}: no {integration.kind} "
                f"notification reached receiver '{integration.receiver}' (sink {integration.path}); "
                f"{_what_arrived(alert_watch, integration, alert)}"))
            _check_content(alert_rule, alert, integration, arrived, rendered)


def _expect_inhibited(rule, alert, alert_watch, evidence):
    """An alert Alertmanager suppressed: its notification is not awaited, but the suppression must
    be one the stack's inhibit rules make, given the alerts that fired live."""
    inhibition = alert_watch.inhibition(alert)
    evidence["inhibited"] = {"labels": alert.full_labels(),
                             "by inhibit rule": inhibition[0] if inhibition else None,
                             "while firing": inhibition[1] if inhibition else None}
    expect(inhibition, (
        f"'{rule.name}' with labels {alert.full_labels()}: Alertmanager reported it inhibited, but no inhibit rule "
        f"of {alert_watch.stack.alertmanager_config_path} suppresses it given the alerts that fired live"))


def _payload(notification) -> dict:
    """What a sink received, as evidence: the webhook or Slack body, or the mail's envelope and text."""
    if hasattr(notification, "subject"):
        return {"to": list(notification.recipients), "subject": notification.subject, "text": notification.body}
    return {"path": notification.path, "body": notification.body}


def _what_arrived(alert_watch, integration, alert) -> str:
    if integration.kind == "email":
        mails = alert_watch.live.sinks.smtp.snapshot()
        return f"mails received: {[(m.recipients, m.subject) for m in mails] or 'none'}"
    sink = alert_watch.live.sinks.webhook if integration.kind == "webhook" else alert_watch.live.sinks.slack
    here = [r.body for r in sink.snapshot() if r.path == integration.path]
    wanted = ""
    if integration.kind == "slack":
        wanted = f"expected fields {notifications.slack_expectations(integration, alert, alert_watch.rendered(alert))}; "
    return f"{wanted}received at {integration.path}: {here[-3:] or 'nothing'}"


def _check_content(rule, alert, integration, arrived, rendered):
    """What the notifications show of the alert: its annotations exactly as Prometheus rendered
    them (any of the sets it rendered while the alert fired; where they print ``$value``, which
    moves with every evaluation, equal but for their numbers)."""
    group = {"alertname": alert.alertname}
    moves = notifications.reads_value(rule.annotations)  # then numbers are the value of whichever evaluation sent it
    if integration.kind == "webhook":
        body = arrived[-1].body
        expect(body.get("receiver") == integration.receiver and body.get("status") == "firing", (
            f"webhook payload for '{rule.name}': expected receiver {integration.receiver!r}, status 'firing'; "
            f"got receiver {body.get('receiver')!r}, status {body.get('status')!r}"))
        sent = notifications.sent_annotations(arrived, alert.full_labels())
        expect(any(notifications.same_rendering(a, r, moves) for a in sent for r in rendered), (
            f"webhook payload for '{rule.name}' at {integration.path}: annotations {sent[-1] if sent else None}, "
            f"but Prometheus rendered {rendered or 'none (the alert was not seen firing)'}"))
    elif integration.kind == "email":
        subject_template = (integration.settings.get("headers") or {}).get("Subject")
        subjects = [m.subject for m in arrived]
        if subject_template:
            wants = [notifications.render_simple(str(subject_template), group, alert.full_labels(), annotations)
                     for annotations in rendered or [{}]]
            ok = any(notifications.same_rendering(s, want, moves) for want in wants for s in subjects) if None not in wants else all(
                not any(e in s for e in notifications.TEMPLATE_ERRORS) for s in subjects)
            expect(ok, f"e-mail to {integration.settings.get('to')} for '{rule.name}': subject expected "
                       f"{wants if None not in wants else 'free of template errors'}, got {subjects}")
        shown = notifications.value_free if moves else str
        bodies = [shown(_words(m.body)) for m in arrived]
        for name in notifications.shown_annotations(str(integration.settings.get("text", ""))):
            texts = [annotations[name] for annotations in rendered if name in annotations]
            expect(any(shown(_words(text)) in body for text in texts for body in bodies), (
                f"e-mail to {integration.settings.get('to')} for '{rule.name}': its text template shows annotation "
                f"'{name}', "
                + (f"rendered by Prometheus as {texts}, but no mail shows it" if texts else
                   "which the rule does not have (Alertmanager writes '<no value>')")
                + f"; mail text received: {arrived[-1].body[:300]!r}"))


def _words(text: str) -> str:
    """Text with its whitespace runs made one space: mail transports rewrap and re-end lines."""
    return " ".join(text.split())


@pytest.mark.conformance(component="alerting", check="silent below threshold (live)",
                         phase="live", subject_kind="alert_rule", inputs=("scenarios", "behaviour", "production"))
def test_silent_live(alert_rule, live_stack, alert_watch, scenario_set, evidence):
    require_running(live_stack, "prometheus")
    _expect_untouched(alert_rule, alert_watch, scenario_set, evidence, kind="silent")


@pytest.mark.conformance(component="alerting", check="silent on a healthy day (live)",
                         phase="live", subject_kind="alert_rule", inputs=("scenarios", "behaviour", "production"))
def test_healthy_quiet_live(alert_rule, live_stack, alert_watch, scenario_set, evidence):
    require_running(live_stack, "prometheus")
    _expect_untouched(alert_rule, alert_watch, scenario_set, evidence, kind="healthy")


def _expect_untouched(rule, alert_watch, scenario_set, evidence, kind):
    """No alert of the rule carrying a marker of a scenario of this kind. Judged only where the
    rule's alerts carry scenario markers at all: whole-target alerts (one host's CPU) do not, and
    are judged by 'fires only where a scenario expects it (live)'."""
    names = [s.name for s in scenario_set.of_kind(kind)
             if (kind == "healthy" or s.is_about(rule)) and s.name in alert_watch.live.plan.fed]
    if not names:
        not_applicable(f"no {kind} scenario of '{rule.name}' was fed live")
    if not any("@" in value for _, alert in alert_watch.expected if alert.alertname == rule.name
               for value in alert.labels.values()):
        not_applicable(f"'{rule.name}' keeps no label that names the scenario feeding it (whole-target state), so "
                       f"its silence cannot be told apart per scenario; see 'fires only where a scenario expects it (live)'")
    evidence["window made honest"] = d.window_made_honest(rule, alert_watch.stack.recording_rules, alert_watch.live.real_time,
                                                          alert_watch.live.history)
    fired = [(t, labels) for t, labels in alert_watch.observed.firing if _rules(labels, rule, alert_watch)
             and tagged_by(labels, names)]
    expect(not fired, (
        f"{rule.location}: '{rule.name}' fired live for {kind} scenario(s) {names}: "
        + "; ".join(f"at {t:.0f}s {labels}" for t, labels in fired[:3])))


@pytest.mark.conformance(component="alerting", check="fires only where a scenario expects it (live)",
                         phase="live", subject_kind="alert_rule", inputs=("scenarios", "behaviour", "production"))
def test_no_unexpected_alert_live(alert_rule, live_stack, alert_watch, scenario_set, evidence):
    require_running(live_stack, "prometheus")
    if not any(s.is_about(alert_rule) or s.kind == "healthy" for s in scenario_set.scenarios
               if s.name in alert_watch.live.plan.fed):
        not_applicable(f"no scenario feeding '{alert_rule.name}' was fed live: nothing could have fired it")
    plan = alert_watch.live.plan
    about = [s.name for s in scenario_set.scenarios if s.is_about(alert_rule) and s.name in plan.fed]
    if about and all(plan.feeds_only_whole_targets(name) for name in about):
        not_applicable(f"the scenarios about '{alert_rule.name}' ({', '.join(about)}) feed only whole-host state, "
                       "which live merges from several scenarios: an alert on it belongs to no one of them. "
                       "Virtual time feeds each scenario's host alone and judges its unexpected alerts "
                       "('fires only where a scenario expects it (virtual time)')")
    expected = {key(alert.full_labels()) for _, alert in alert_watch.expected
                if alert.belongs_to(alert_rule, scenario_set.has_twins(alert_rule))}
    others = [(t, labels) for t, labels in alert_watch.observed.firing
              if _rules(labels, alert_rule, alert_watch) and key(labels) not in expected]
    # Inputs derived for another rule over the same metrics (a critical threshold above a warning
    # one) may rightly fire this rule too: derived scenarios state only their own rule's alert.
    derived_elsewhere = {s.name for s in scenario_set.scenarios if s.source == "derived" and not s.is_about(alert_rule)}
    # A target the run withholds (for a rule about a target being down) is down for every rule.
    on_derived = [(t, labels) for t, labels in others
                  if tagged_by(labels, derived_elsewhere) or plan.fed_on(labels) & derived_elsewhere
                  or plan.withheld_alert(labels)]
    # A whole host's state is merged live from every firing scenario that sets part of it (and
    # falls back to the default as they end): an alert on it belongs to no one scenario, and what
    # it fires depends on how long each part lasts, i.e. on the machine's speed. Virtual time feeds
    # each scenario's host alone and judges those alerts there.
    on_whole_target = [(t, labels) for t, labels in others if (t, labels) not in on_derived
                       and labels.get("job") in plan.whole_target_jobs
                       and not tagged_by(labels, plan.fed)]
    unexpected = [found for found in others if found not in on_derived and found not in on_whole_target]
    evidence["expected label sets"] = len(expected)
    evidence["also fired on other rules' derived inputs or withheld targets"] = [labels for _, labels in on_derived[:10]]
    if on_whole_target:
        evidence["fired on a host state merged from several scenarios (judged in virtual time)"] = [
            {"at (s of feed)": round(t), "labels": labels} for t, labels in on_whole_target[:10]]
    evidence["unexpected"] = [{"at (s of feed)": round(t), "labels": labels} for t, labels in unexpected[:10]]
    expect(not unexpected, (
        f"{alert_rule.location}: '{alert_rule.name}' fired live with label set(s) no scenario expects, while "
        f"scenarios {sorted(alert_watch.live.plan.fed)} were fed: "
        + "; ".join(f"at {t:.0f}s {labels}" for t, labels in unexpected[:3])))


def _rules(labels: dict, rule, alert_watch) -> bool:
    """Whether a live alert is the rule's: its name, and where rules share it (a warning/critical
    pair), the rule's own labels."""
    return ExpectedAlert(labels.get("alertname"), labels).belongs_to(rule, alert_watch.has_twins(rule))


def _resolutions_for(alert_rule, alert_watch):
    found = _expected_for(alert_watch, alert_rule)
    why = d.unresolvable_in_run(alert_rule, alert_watch.live.real_time, alert_watch.recording)
    if why:
        pytest.skip(why)
    if not d.resolves_when_its_feed_stops(alert_rule):
        not_applicable(f"'{alert_rule.name}' fires on a series being gone (absent): ending its scenario stops a feed "
                       "and leaves the series gone, so no live run can see it resolve that way")
    return [(scenario, alert, alert_watch.resolutions.get(key(alert.full_labels()))) for scenario, alert in found]


@pytest.mark.conformance(component="alerting", check="resolves when its scenario ends (live)",
                         phase="live", subject_kind="alert_rule", inputs=("behaviour", "production"))
def test_resolves_live(alert_rule, live_stack, alert_watch):
    require_running(live_stack, "prometheus")
    for scenario, alert, resolution in _resolutions_for(alert_rule, alert_watch):
        expect(resolution, f"'{alert_rule.name}' never fired live in {scenario.path.name}: its resolution "
                           "cannot be judged")
        expect(resolution.resolved_at is not None, (
            f"{alert_rule.location}: '{alert_rule.name}' still fired {alert_watch.resolve_deadline_s:.0f}s after "
            f"{scenario.path.name} ended at {resolution.ended_at:.0f}s; labels {alert.full_labels()}"))


@pytest.mark.conformance(component="alertmanager", check="resolved notification as send_resolved says (live)",
                         phase="live", subject_kind="alert_rule", inputs=("behaviour", "production"))
def test_resolved_notification(alert_rule, live_stack, alert_watch):
    require_running(live_stack, "prometheus", "alertmanager")
    for scenario, alert, resolution in _resolutions_for(alert_rule, alert_watch):
        if alert_watch.inhibited(alert):
            not_applicable(f"'{alert_rule.name}' was inhibited by the stack's inhibit rules while it fired: "
                           "whether its resolution is notified depends on what was sent before")
        expect(resolution and resolution.resolved_at is not None,
               f"'{alert_rule.name}' did not resolve live in {scenario.path.name}: no resolved notification to judge")
        for integration in alert_watch.intended_integrations(alert):
            receiver = integration.receiver
            after = alert_watch.after_end(integration, alert)
            if notifications.sends_resolved(integration):
                expect(after, (
                    f"'{alert_rule.name}' resolved at {resolution.resolved_at:.0f}s, but receiver '{receiver}' "
                    f"{integration.kind} (send_resolved: true) got no resolved notification at {integration.path}"))
            else:
                expect(not after, (
                    f"'{alert_rule.name}' resolved, and receiver '{receiver}' {integration.kind} has send_resolved "
                    f"false, yet {len(after)} notification(s) for it arrived after its scenario ended"))
