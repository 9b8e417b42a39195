"""Predicting what a notification shows, from the annotations Prometheus rendered live: exact
where the receiver's template only reads fields the alert has, never a literal ``<no value>``."""

from __future__ import annotations

from types import SimpleNamespace

from fixtures.scenarios.alert_watch import Observed
from fixtures.scenarios.model import ExpectedAlert
from fixtures.scenarios.notifications import Integration, slack_expectations, slack_matches, template_errors

ALERT = ExpectedAlert("HostBusy", {"host": "db1@HostBusy-firing", "severity": "warning"})
SLACK = Integration("team", "slack", 0, {"title": "{{ .CommonAnnotations.summary }}",
                                         "text": "{{ .CommonAnnotations.description }}"})


def _poll(observed: Observed, summary: str) -> None:
    observed.record([{"state": "firing", "labels": ALERT.full_labels(),
                      "annotations": {"summary": summary, "description": "idle CPU is low"}},
                     {"state": "pending", "labels": {"alertname": "Other"}, "annotations": {"summary": "x"}}], 1.0)


def _message(title: str, text: str):
    return SimpleNamespace(path=SLACK.path, body={"attachments": [{"title": title, "text": text}]})


def test_a_templated_summary_is_expected_as_prometheus_rendered_it_at_any_evaluation():
    observed = Observed()
    _poll(observed, "db1@HostBusy-firing is 90% busy")
    _poll(observed, "db1@HostBusy-firing is 90.01% busy")  # $value moved at the next evaluation
    _poll(observed, "db1@HostBusy-firing is 90% busy")

    expected = slack_expectations(SLACK, ALERT, observed.rendered(ALERT.full_labels()))

    assert expected == {"title": ["db1@HostBusy-firing is 90% busy", "db1@HostBusy-firing is 90.01% busy"],
                        "text": ["idle CPU is low"]}
    assert slack_matches([_message("db1@HostBusy-firing is 90.01% busy", "idle CPU is low")], SLACK, expected)
    assert not slack_matches([_message("<no value>", "idle CPU is low")], SLACK, expected)
    assert not slack_matches([_message("db1@HostBusy-firing is 80% busy", "idle CPU is low")], SLACK, expected)


def test_a_field_the_alert_lacks_is_never_expected_as_no_value():
    expected = slack_expectations(SLACK, ALERT, [{"description": "idle CPU is low"}])  # no summary

    assert expected["title"] is None  # judged for template errors only: '<no value>' fails
    assert not slack_matches([_message("<no value>", "idle CPU is low")], SLACK, expected)


def test_a_template_error_is_one_the_rules_own_text_does_not_hold():
    rule = {"summary": "lag of {{ $labels.no_such_label }}", "description": "say <no value> literally"}
    rendered = {"summary": "lag of <no value>", "description": "say <no value> literally"}

    assert template_errors(rule, rendered) == ["summary: 'lag of <no value>'"]


def test_an_alert_about_a_series_being_gone_is_not_waited_for_to_resolve_when_its_feed_stops():
    from fixtures.scenarios.alert_watch import resolves_when_its_feed_stops

    def rule(expr: str):
        return SimpleNamespace(expr=expr)

    assert not resolves_when_its_feed_stops(rule('absent(heartbeat_timestamp_seconds{service="a"})'))
    assert not resolves_when_its_feed_stops(rule("absent_over_time(up[5m]) == 1"))
    assert resolves_when_its_feed_stops(rule("sum by (instance) (queue_depth) > 10"))
    assert resolves_when_its_feed_stops(rule("queue_depth >"))  # not loaded: nothing fires, nothing waits


def test_an_inhibited_alert_is_told_by_the_stacks_inhibit_rules_and_what_fired():
    from fixtures.scenarios.alert_watch import inhibiting_rule

    config = {"inhibit_rules": [
        {"source_matchers": ['severity="critical"'], "target_matchers": ['severity=~"warning|info"'],
         "equal": ["namespace", "alertname"]},
        {"source_match": {"alertname": "WorkerDown"}, "target_match_re": {"alertname": "Query.*"}},
    ]}
    warning = {"alertname": "Disk", "severity": "warning", "namespace": "a"}
    critical = {"alertname": "Disk", "severity": "critical", "namespace": "a"}
    assert inhibiting_rule(config, warning, [warning, critical]) == (config["inhibit_rules"][0], critical)
    assert inhibiting_rule(config, warning, [warning, {**critical, "namespace": "b"}]) is None  # equal differs
    assert inhibiting_rule(config, critical, [warning, critical]) is None
    query = {"alertname": "QueryFailing", "severity": "info"}
    assert inhibiting_rule(config, query, [{"alertname": "WorkerDown"}])[0] is config["inhibit_rules"][1]
    assert inhibiting_rule(config, query, []) is None
    observed = Observed()
    observed.record_inhibited([{"labels": query, "status": {"state": "suppressed", "inhibitedBy": ["f1"]}},
                               {"labels": warning, "status": {"state": "active", "inhibitedBy": []}}], 12.0)
    assert list(observed.inhibited.values()) == [12.0] and len(observed.inhibited) == 1
