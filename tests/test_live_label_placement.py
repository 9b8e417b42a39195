"""A derived series carrying a label its target gives every series (a static config's ``pod``,
``service``, ``namespace``) is fed live with the target's value where the rule's selectors cannot
tell the two apart, on the target of its job whose labels agree; with its own value where the job
has ``honor_labels``; and otherwise not fed, saying why (fixtures/scenarios/live_placement.py).
kube-prometheus's rules over a job whose targets carry Kubernetes' labels were almost all left to
virtual time for that."""

from pathlib import Path

from fixtures.feeders.activities import SeriesFeed
from fixtures.feeders.scrape import scrape_targets
from fixtures.feeders.series import Series, Shape
from fixtures.feeders.targets import build_target
from fixtures.model.rules import AlertRule
from fixtures.scenarios.live_feed import LivePlan
from fixtures.scenarios.live_placement import Placer
from fixtures.scenarios.model import ExpectedAlert, Scenario

SELF = {"namespace": "monitoring", "service": "prometheus-k8s", "pod": "prometheus-k8s-0"}
CONFIG = {"scrape_configs": [
    {"job_name": "prometheus-k8s", "static_configs": [
        {"targets": ["localhost:9090"], "labels": {**SELF, "container": "prometheus"}},
        {"targets": ["reloader:8080"], "labels": {**SELF, "container": "config-reloader"}}]},
    {"job_name": "federate", "honor_labels": True, "static_configs": [
        {"targets": ["upstream:9090"], "labels": {"pod": "federation-0"}}]},
]}


def targets():
    return [build_target(s.job_name, s.address, "generic", None, s) for s in scrape_targets(CONFIG)]


def rule(name: str, expr: str) -> AlertRule:
    return AlertRule(name, "g", Path("rules.yml"), len(name), expr, len(name), labels={"severity": "warning"})


def scenario(alert: AlertRule, metric: str, labels: dict, fires: dict, value: float = 0.0) -> Scenario:
    feed = SeriesFeed(series=Series.of(metric, "gauge", labels, Shape.constant(value)))
    return Scenario(name=f"{alert.name}-firing", path=alert.file, description="derived", kind="firing",
                    rule=alert.name, duration=300.0, feeds={labels.get("job", "prometheus-k8s"): [feed]},
                    firing=[ExpectedAlert(alert.name, {**fires, "severity": "warning"})], source="derived",
                    rule_key=alert.key)


def test_a_derived_pod_takes_the_targets_pod_in_the_series_and_the_alert():
    """PrometheusBadConfig keeps namespace and pod; the derivation's pod="pod-1" is the target's
    pod="prometheus-k8s-0" live, which the alert then carries."""
    bad_config = rule("PrometheusBadConfig", 'max_over_time(prometheus_config_last_reload_successful'
                                             '{job="prometheus-k8s", namespace="monitoring"}[5m]) == 0')
    found = targets()
    plan = LivePlan.build([scenario(bad_config, "prometheus_config_last_reload_successful",
                                    {"job": "prometheus-k8s", "namespace": "monitoring", "pod": "pod-1"},
                                    {"job": "prometheus-k8s", "namespace": "monitoring", "pod": "pod-1",
                                     "instance": "localhost:9090"})],
                          lambda job: [], None, Placer(found, [bad_config], []))
    assert plan.fed == {"PrometheusBadConfig-firing"}, plan.not_fed
    ((target, feed),) = plan.feeds
    assert target.address == "localhost:9090"
    assert "pod" not in feed.series.label_dict and "namespace" not in feed.series.label_dict  # the target gives them
    ((_, alert),) = plan.expected
    assert alert.labels == {"job": "prometheus-k8s", "instance": "localhost:9090", "namespace": "monitoring",
                            "pod": "prometheus-k8s-0", "service": "prometheus-k8s", "container": "prometheus",
                            "severity": "warning"}


def test_the_target_whose_labels_agree_is_chosen_and_the_others_revalued():
    """A second case: the reloader's rule selects container="config-reloader", which only the job's
    second target gives; its derived namespace and pod take that target's values."""
    reloader = rule("ConfigReloaderSidecarErrors", 'max_over_time(reloader_last_reload_successful'
                                                   '{job="prometheus-k8s", container="config-reloader"}[5m]) == 0')
    placed = Placer(targets(), [reloader], []).place(scenario(
        reloader, "reloader_last_reload_successful",
        {"job": "prometheus-k8s", "container": "config-reloader", "namespace": "namespace-1", "pod": "pod-1"},
        {"job": "prometheus-k8s", "container": "config-reloader", "namespace": "namespace-1", "pod": "pod-1",
         "instance": "localhost:9090"}))
    assert not isinstance(placed, str), placed
    ((target, _),) = placed.feeds
    assert target.address == "reloader:8080"
    (alert,) = placed.expected
    assert alert.labels == {"job": "prometheus-k8s", "instance": "reloader:8080", "container": "config-reloader",
                            "namespace": "monitoring", "pod": "prometheus-k8s-0", "service": "prometheus-k8s",
                            "severity": "warning"}


def test_a_value_the_rule_tells_apart_is_not_fed_and_says_why():
    """The rule reads pod="pod-1" alone: on a target that gives every series another pod it would
    never fire; not fed, with the labels that disagree named."""
    pinned = rule("OnePod", 'prometheus_rule_evaluation_failures_total{job="prometheus-k8s", pod="pod-1"} > 0')
    said = Placer(targets(), [pinned], []).place(scenario(
        pinned, "prometheus_rule_evaluation_failures_total", {"job": "prometheus-k8s", "pod": "pod-1"},
        {"job": "prometheus-k8s", "pod": "pod-1"}, value=3.0))
    assert isinstance(said, str), said
    assert "pod='prometheus-k8s-0'" in said and "pod='pod-1'" in said and "honor_labels" in said, said


def test_under_honor_labels_the_series_keeps_its_own_value():
    """The federating job honours the series' labels: its pod stays the derived one, in the series
    fed and in the alert expected."""
    pinned = rule("FederatedPod", 'up_ratio{job="federate", pod="pod-1"} < 0.5')
    placed = Placer(targets(), [pinned], []).place(scenario(
        pinned, "up_ratio", {"job": "federate", "pod": "pod-1"}, {"job": "federate", "pod": "pod-1"}))
    assert not isinstance(placed, str), placed
    ((_, feed),) = placed.feeds
    assert feed.series.label_dict == {"pod": "pod-1"}
    (alert,) = placed.expected
    assert alert.labels["pod"] == "pod-1"


def test_up_is_not_fed_with_labels_its_target_cannot_give():
    """Prometheus writes up with the target's labels alone: a derived up carrying a cluster no
    target gives is not fed live (its alert would lack it), and says so."""
    down = rule("TargetDown", '100 * (count by (cluster, job, namespace, service) (up == 0) / count by '
                              '(cluster, job, namespace, service) (up)) > 10')
    said = Placer(targets(), [down], []).place(scenario(
        down, "up", {"job": "prometheus-k8s", "cluster": "cluster-1", "namespace": "namespace-1",
                     "service": "service-1"},
        {"job": "prometheus-k8s", "cluster": "cluster-1", "namespace": "namespace-1", "service": "service-1"}))
    assert isinstance(said, str) and "['cluster']" in said and "Prometheus writes up" in said, said


def test_an_aggregation_over_a_job_the_stacks_own_service_answers_in_is_not_fed():
    """Alertmanager is scraped as it is in its job (fixtures/live.py): a rule counting the job's
    members across its targets would count the real Alertmanager's series with the fed one, and
    fire on the real one (kube-prometheus's AlertmanagerMembersInconsistent did, live). Not fed,
    saying why; a rule per target is fed on the job's synthetic target as before."""
    config = {"scrape_configs": [{"job_name": "alertmanager-main", "static_configs": [
        {"targets": ["alertmanager-config-reloader:8080"], "labels": {"namespace": "monitoring", "pod": "am-0"}}]}]}
    found = [build_target(s.job_name, s.address, "generic", None, s) for s in scrape_targets(config)]
    answered = {"alertmanager-main": "alertmanager:9093 (the stack's alertmanager service)"}
    members = rule("AlertmanagerMembersInconsistent",
                   'max_over_time(alertmanager_cluster_members{job="alertmanager-main"}[5m]) < on (namespace) '
                   'group_left count by (namespace) (max_over_time(alertmanager_cluster_members'
                   '{job="alertmanager-main"}[5m]))')
    reload = rule("AlertmanagerFailedReload",
                  'max_over_time(alertmanager_config_last_reload_successful{job="alertmanager-main"}[5m]) == 0')
    placer = Placer(found, [members, reload], [], answered)
    said = placer.place(scenario(members, "alertmanager_cluster_members",
                                 {"job": "alertmanager-main", "namespace": "monitoring"},
                                 {"job": "alertmanager-main", "namespace": "monitoring"}, value=1.0))
    assert isinstance(said, str) and "also scrapes alertmanager:9093" in said, said
    placed = placer.place(scenario(reload, "alertmanager_config_last_reload_successful",
                                   {"job": "alertmanager-main", "pod": "pod-1"}, {"job": "alertmanager-main"}))
    assert not isinstance(placed, str), placed


def test_an_alert_instance_of_a_target_not_fed_is_the_fed_targets():
    """Derivation gives the alert the instance of the job's first target in prometheus.yml; where
    the run feeds another target of the job (the first is Prometheus itself, or the stack's own
    service), the alert expected carries the instance of the target fed."""
    found = [t for t in targets() if t.address != "localhost:9090"]  # answered by Prometheus itself
    bad_config = rule("PrometheusBadConfig", 'max_over_time(prometheus_config_last_reload_successful'
                                             '{job="prometheus-k8s", namespace="monitoring"}[5m]) == 0')
    placed = Placer(found, [bad_config], [], {"prometheus-k8s": "localhost:9090 (Prometheus itself)"}).place(scenario(
        bad_config, "prometheus_config_last_reload_successful", {"job": "prometheus-k8s", "pod": "pod-1"},
        {"job": "prometheus-k8s", "pod": "pod-1", "instance": "localhost:9090"}))
    assert not isinstance(placed, str), placed
    (alert,) = placed.expected
    assert alert.labels["instance"] == "reloader:8080" and alert.labels["pod"] == "prometheus-k8s-0", alert.labels


def test_a_marker_the_rule_ignores_in_its_match_tells_no_twin_apart():
    """kube-prometheus's PrometheusRemoteWriteBehind matches ``ignoring(remote_name, url)``: its
    firing and near-miss scenarios, told apart by markers on remote_name and url, would fall in one
    match group on a shared target (Prometheus: many-to-many matching not allowed). The second is
    not fed, saying why."""
    behind = rule("PrometheusRemoteWriteBehind",
                  '(max_over_time(prometheus_remote_storage_highest_timestamp_in_seconds{job="prometheus-k8s"}[5m]) '
                  '- ignoring(remote_name, url) group_right max_over_time(prometheus_remote_storage_queue_highest_sent_'
                  'timestamp_seconds{job="prometheus-k8s"}[5m])) > 120')

    def twin(kind: str) -> Scenario:
        feeds = [SeriesFeed(series=Series.of(metric, "gauge", {"job": "prometheus-k8s", "remote_name": "r", "url": "u"},
                                             Shape.constant(value)), isolate_by=("remote_name", "url"))
                 for metric, value in (("prometheus_remote_storage_highest_timestamp_in_seconds", 1000.0),
                                       ("prometheus_remote_storage_queue_highest_sent_timestamp_seconds", 100.0))]
        return Scenario(name=f"Behind-{kind}", path=behind.file, description="derived", kind=kind, rule=behind.name,
                        duration=300.0, feeds={"prometheus-k8s": feeds}, source="derived", rule_key=behind.key,
                        firing=[ExpectedAlert(behind.name, {"job": "prometheus-k8s", "remote_name": "r", "url": "u",
                                                            "severity": "warning"})] if kind == "firing" else [])

    found = [t for t in targets() if t.address == "reloader:8080"]
    plan = LivePlan.build([twin("firing"), twin("near-miss")], lambda job: [], None, Placer(found, [behind], []))
    assert plan.fed == {"Behind-firing"}, plan.not_fed
    (why,) = plan.not_fed
    assert "no label of the alert tells the two apart" in why, why
