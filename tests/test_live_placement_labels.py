"""The labels an alert carries live are predicted from its rule's output labels: a label the
scrape target gives its series (relabelling, a static config's labels) is expected where the
rule's expression keeps it, and never where a ``by (...)``, ``without``, an ``on (...)`` match or
a recording rule drops it (fixtures/scenarios/label_flow.py keeps_label)."""

from pathlib import Path

import promql_parser
import pytest

from fixtures.feeders.activities import SeriesFeed
from fixtures.feeders.scrape import scrape_targets
from fixtures.feeders.series import Series, Shape
from fixtures.feeders.targets import build_target
from fixtures.model.rules import AlertRule, RecordingRule
from fixtures.scenarios.label_flow import keeps_label
from fixtures.scenarios.live_feed import LivePlan
from fixtures.scenarios.live_placement import Placer
from fixtures.scenarios.model import ExpectedAlert, Scenario

# kubelet as the Prometheus Operator scrapes it: its Service's namespace and name, and its node,
# given every series by relabelling; a worker pool whose static config gives a zone.
CONFIG = {"scrape_configs": [
    {"job_name": "serviceMonitor/kube-system/kubelet/0", "static_configs": [{"targets": ["kubelet:10250"]}],
     "relabel_configs": [{"target_label": "job", "replacement": "kubelet"},
                         {"target_label": "namespace", "replacement": "kube-system"},
                         {"target_label": "service", "replacement": "kubelet"},
                         {"target_label": "node", "replacement": "node-1"},
                         {"source_labels": ["__metrics_path__"], "target_label": "metrics_path"}]},
    {"job_name": "worker", "static_configs": [{"targets": ["worker:8080"], "labels": {"zone": "z1"}}]},
]}


def targets():
    return [build_target(s.job_name, s.address, "generic", None, s) for s in scrape_targets(CONFIG)]


def rule(name: str, expr: str) -> AlertRule:
    return AlertRule(name, "g", Path("rules.yml"), len(name), expr, len(name), labels={"severity": "warning"})


def placed_alert(alert: AlertRule, series: dict[str, dict], fires: dict, recording=()) -> dict:
    """The labels the live run expects of the derived firing scenario's alert (series carrying the
    labels derivation gave them, ``fires``: the alert's labels as promtool reported them)."""
    feeds = [SeriesFeed(series=Series.of(metric, "gauge", labels, Shape.constant(100.0))) for metric, labels in series.items()]
    scenario = Scenario(name=f"{alert.name}-firing", path=alert.file, description="derived", kind="firing",
                        rule=alert.name, duration=300.0, feeds={"worker": feeds},
                        firing=[ExpectedAlert(alert.name, {**fires, "severity": "warning"})], source="derived",
                        rule_key=alert.key)
    placed = Placer(targets(), [alert], list(recording)).place(scenario)
    assert not isinstance(placed, str), placed
    (expected,) = placed.expected
    return expected.labels


def test_target_labels_a_by_clause_drops_are_not_expected_and_a_group_left_label_is():
    """kube-prometheus's KubeletPodStartUpLatencyHigh on an Operator-scraped kubelet: live, its alert
    has cluster, instance and node (the join's), not the namespace and service kubelet's target
    gives every series."""
    latency = rule("KubeletPodStartUpLatencyHigh",
                   'histogram_quantile(0.99, sum(rate(kubelet_pod_worker_duration_seconds_bucket{job="kubelet", '
                   'metrics_path="/metrics"}[5m])) by (cluster, instance, le)) * on(cluster, instance) '
                   'group_left(node) kubelet_node_name{job="kubelet", metrics_path="/metrics"} > 60')
    labels = placed_alert(latency, {
        "kubelet_pod_worker_duration_seconds_bucket": {"job": "kubelet", "metrics_path": "/metrics", "le": "+Inf",
                                                       "cluster": "c"},
        "kubelet_node_name": {"job": "kubelet", "metrics_path": "/metrics", "cluster": "c", "node": "node-1"}},
        {"cluster": "c", "instance": "kubelet:10250", "node": "node-1"})
    assert labels == {"cluster": "c", "instance": "kubelet:10250", "node": "node-1", "severity": "warning"}


def test_a_label_the_target_gives_carries_no_scenario_marker_live():
    """Scenarios on a shared target are told apart by a marker on the values of the labels their
    alert keeps; the node kubelet's target gives every series has the target's value live, so the
    alert is expected with that value, the cluster (the series' own) with the marker."""
    latency = rule("KubeletPodStartUpLatencyHigh",
                   'histogram_quantile(0.99, sum(rate(kubelet_pod_worker_duration_seconds_bucket{job="kubelet"}[5m])) '
                   'by (cluster, instance, le)) * on(cluster, instance) group_left(node) kubelet_node_name{job="kubelet"} > 60')
    feeds = [SeriesFeed(series=Series.of(metric, "gauge", labels, Shape.constant(100.0)), isolate_by=("cluster", "node"))
             for metric, labels in {"kubelet_pod_worker_duration_seconds_bucket": {"job": "kubelet", "le": "+Inf",
                                                                                  "cluster": "c"},
                                    "kubelet_node_name": {"job": "kubelet", "cluster": "c", "node": "node-1"}}.items()]
    scenario = Scenario(name="Latency-firing", path=latency.file, description="derived", kind="firing",
                        rule=latency.name, duration=300.0, feeds={"worker": feeds}, source="derived",
                        firing=[ExpectedAlert(latency.name, {"cluster": "c", "instance": "kubelet:10250",
                                                             "node": "node-1", "severity": "warning"})],
                        rule_key=latency.key)
    found = targets()
    plan = LivePlan.build([scenario], lambda job: [], None, Placer(found, [latency], []))
    assert plan.fed == {"Latency-firing"}, plan.not_fed
    ((_, alert),) = plan.expected
    assert alert.labels == {"cluster": "c@Latency-firing", "instance": "kubelet:10250", "node": "node-1",
                            "severity": "warning"}


def test_target_labels_a_without_clause_keeps_are_expected_and_those_it_names_are_not():
    """A second case of the class: ``sum without (instance)`` keeps the zone the worker's static
    config gives (the derivation's alert, fed without it, has none) and drops the instance."""
    errors = rule("WorkerErrors", 'sum without (instance) (rate(worker_errors_total{job="worker"}[5m])) > 5')
    labels = placed_alert(errors, {"worker_errors_total": {"job": "worker"}}, {"job": "worker"})
    assert labels == {"job": "worker", "zone": "z1", "severity": "warning"}
    by_job = rule("WorkerErrorsByJob", 'sum by (job) (rate(worker_errors_total{job="worker"}[5m])) > 5')
    assert placed_alert(by_job, {"worker_errors_total": {"job": "worker"}}, {"job": "worker"}) == {
        "job": "worker", "severity": "warning"}


@pytest.mark.parametrize("expr, kept", [
    ("x > 1", True),
    ("sum by (zone) (x) > 1", True),
    ("sum by (job) (x) > 1", False),
    ("sum without (zone) (x) > 1", False),
    ("sum without (instance) (x) > 1", True),
    ("sum(x) > 1", False),
    ("topk(3, x) > 1", True),
    ('count_values by (zone) ("zone", x)', False),
    ("x > on (job) y", False),
    ("x > on (job, zone) y", True),
    ("x > ignoring (zone) y", False),
    ("x * on (job) group_left (zone) sum by (job) (y)", False),  # taken from the side that has none
    ("sum by (job) (x) * on (job) group_left (zone) y", True),
    ("sum by (job) (x) * on (job) group_left y", False),
    ("sum by (job) (y) * on (job) group_right x", True),
    ("x and on (job) sum by (job) (y)", True),
    ("x or sum by (job) (y)", False),
    ('label_replace(x, "zone", "$1", "pool", "(.*)") > 1', False),
    ('label_replace(x, "area", "$1", "zone", "(.*)") > 1', True),
    ("histogram_quantile(0.9, sum by (le, zone) (rate(x_bucket[5m]))) > 1", True),
    ("histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m]))) > 1", False),
    ('absent(x{job="worker"})', False),
    ("2 * x > 1", True),
    ("job:x:rate5m > 1", False),  # its recording rule sums by job
    ("zone:x:rate5m > 1", True),
    ("relabelled:x > 1", False),  # its recording rule sets zone itself
])
def test_keeps_label_follows_prometheus_evaluation(expr, kept):
    recording = {r.record: r for r in [
        RecordingRule("job:x:rate5m", "g", Path("r.yml"), 1, "sum by (job) (rate(x[5m]))"),
        RecordingRule("zone:x:rate5m", "g", Path("r.yml"), 2, "sum by (job, zone) (rate(x[5m]))"),
        RecordingRule("relabelled:x", "g", Path("r.yml"), 3, "x", {"zone": "fixed"})]}
    assert keeps_label(promql_parser.parse(expr), "zone", recording) is kept
