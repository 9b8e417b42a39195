"""fixtures/scenarios/live_placement.py: live, a derived scenario is fed on the target its rule
selects (by name after relabelling, by a regex, with the labels the target gives), held off a
target whose own exporter or another scenario already produces its metric, and a rule about a
target being down is fed by withholding that target."""

from pathlib import Path

from fixtures.feeders.activities import SeriesFeed
from fixtures.feeders.scrape import scrape_targets
from fixtures.feeders.series import Series, Shape
from fixtures.feeders.targets import build_target
from fixtures.model.rules import AlertRule
from fixtures.scenarios.live_feed import LivePlan
from fixtures.scenarios.live_placement import Placer
from fixtures.scenarios.model import ExpectedAlert, Scenario

CONFIG = {"scrape_configs": [
    {"job_name": "node", "static_configs": [{"targets": ["node-exporter:9100"]}]},
    {"job_name": "kubelet-0", "static_configs": [{"targets": ["kubelet:10250"]}],
     "relabel_configs": [{"target_label": "job", "replacement": "kubelet"},
                         {"source_labels": ["__metrics_path__"], "target_label": "metrics_path"}]},
    {"job_name": "kubelet-1", "metrics_path": "/metrics/cadvisor", "static_configs": [{"targets": ["kubelet:10250"]}],
     "relabel_configs": [{"target_label": "job", "replacement": "kubelet"},
                         {"source_labels": ["__metrics_path__"], "target_label": "metrics_path"}]},
    {"job_name": "thanos-query-frontend", "static_configs": [{"targets": ["thanos-query-frontend:10902"]}]},
    {"job_name": "worker", "static_configs": [{"targets": ["worker:8080"]}]},
]}
ROLES = {"node": "node"}


def targets():
    return [build_target(s.job_name, s.address, ROLES.get(s.job_name, "generic"), None, s) for s in scrape_targets(CONFIG)]


def rule(name: str, expr: str) -> AlertRule:
    return AlertRule(name, "g", Path("rules.yml"), len(name), expr, len(name), labels={"severity": "warning"})


def derived_scenario(alert: AlertRule, feeding_job: str, series: dict[str, dict], kind: str = "firing",
                     value: float = 10.0, fires: dict | None = None, isolate_by: tuple = ()) -> Scenario:
    """A derived scenario as fixtures/scenarios/derived.py makes one: series on the feeding job,
    carrying the job (and instance) the rule asked for where it is not the feeding job's."""
    feeds = [SeriesFeed(series=Series.of(metric, "gauge", labels, Shape.constant(value)), isolate_by=isolate_by)
             for metric, labels in series.items()]
    firing = [ExpectedAlert(alert.name, {**(fires or {}), "severity": "warning"})] if kind == "firing" else []
    return Scenario(name=f"{alert.name}-{kind}", path=alert.file, description="derived", kind=kind, rule=alert.name,
                    duration=300.0, feeds={feeding_job: feeds}, firing=firing, source="derived", rule_key=alert.key)


def test_a_regex_job_is_fed_on_a_job_it_accepts_and_the_alert_names_that_job():
    found = targets()
    failing = rule("QueryFailing", 'thanos_query_failures{job=~".*thanos-query.*"} > 5')
    placed = Placer(found, [failing], []).place(derived_scenario(
        failing, "node", {"thanos_query_failures": {"job": "thanos-query", "instance": "node-exporter:9100"}},
        fires={"job": "thanos-query", "instance": "node-exporter:9100"}))
    (target, feed), = placed.feeds
    assert target.job == "thanos-query-frontend" and feed.series.label_dict == {}
    assert placed.expected[0].labels == {"job": "thanos-query-frontend", "instance": "thanos-query-frontend:10902",
                                         "severity": "warning"}


def test_a_relabelled_job_on_a_shared_address_gets_the_series_of_its_path():
    found = targets()
    busy = rule("ContainerBusy", 'container_cpu{job="kubelet", metrics_path="/metrics/cadvisor"} > 5')
    placed = Placer(found, [busy], []).place(derived_scenario(
        busy, "node", {"container_cpu": {"job": "kubelet", "metrics_path": "/metrics/cadvisor"}},
        fires={"job": "kubelet", "metrics_path": "/metrics/cadvisor", "instance": "node-exporter:9100"}))
    (target, feed), = placed.feeds
    assert target.job == "kubelet-1" and feed.series.label_dict == {}
    assert placed.expected[0].labels["instance"] == "kubelet:10250"


def test_an_exporters_own_metric_and_an_unisolated_twin_stay_off_a_shared_target():
    found = targets()
    idle = rule("HostIdle", 'node_cpu_seconds_total{mode="idle"} < 5')
    said = Placer(found, [idle], []).place(derived_scenario(idle, "node", {"node_cpu_seconds_total": {"mode": "idle"}}))
    assert isinstance(said, str) and "exposes node_cpu_seconds_total itself" in said, said
    lag = rule("Lag", 'lag{job="worker"} > 5')
    plan = LivePlan.build([derived_scenario(lag, "worker", {"lag": {}}, kind="silent"),
                           derived_scenario(lag, "worker", {"lag": {}})],
                          lambda job: [t for t in found if job in (t.job, t.job_label)], None, Placer(found, [lag], []))
    assert plan.fed == {"Lag-firing"}, plan.not_fed
    assert any(note.startswith("Lag-silent: ") and "already carries lag for Lag-firing" in note
               for note in plan.not_fed), plan.not_fed


def test_a_rule_about_a_target_being_down_withholds_it_where_nothing_else_is_fed():
    found = targets()
    down = rule("WorkerDown", 'up{job="worker"} == 0')
    busy = rule("WorkerBusy", 'worker_busy{job="worker"} > 5')
    plan = LivePlan.build([derived_scenario(down, "node", {"up": {"job": "worker"}}, value=0.0,
                                            fires={"job": "worker", "instance": "worker:8080"}),
                           derived_scenario(down, "node", {"up": {"job": "worker"}}, kind="silent", value=1.0)],
                          lambda job: [], None, Placer(found, [down], []))
    worker = next(t for t in found if t.job == "worker")
    assert worker.withheld and plan.fed == {"WorkerDown-firing"}, plan.not_fed
    assert "held down live for a rule about it being down" in plan.not_fed[0], plan.not_fed
    assert plan.withheld_alert({"alertname": "TargetDown", "job": "worker", "instance": "worker:8080"})
    plan.end(plan.expected[0][0], 60.0)
    assert not worker.withheld  # the scenario over, the target answers again
    # Where another scenario feeds that target, it is not withheld, and the reason says so.
    found = targets()
    placer = Placer(found, [down, busy], [])
    plan = LivePlan.build([derived_scenario(down, "node", {"up": {"job": "worker"}}, value=0.0),
                           derived_scenario(busy, "node", {"worker_busy": {"job": "worker"}})],
                          lambda job: [], None, placer)
    assert plan.fed == {"WorkerBusy-firing"} and "would also stop the series fed there for WorkerBusy-firing" in \
        plan.not_fed[0], plan.not_fed


# A job of two targets (a pool of workers).
POOL = {"scrape_configs": [{"job_name": "pool", "static_configs": [{"targets": ["w1:8080", "w2:8080"]}]}]}


def pool_targets():
    return [build_target(s.job_name, s.address, "generic", None, s) for s in scrape_targets(POOL)]


def test_a_rule_on_one_target_down_withholds_a_target_of_the_job_nothing_else_is_fed_on():
    found = pool_targets()
    down = rule("PoolMemberDown", 'up{job="pool"} == 0')
    busy = rule("PoolBusy", 'pool_busy{job="pool"} > 5')
    plan = LivePlan.build([derived_scenario(busy, "pool", {"pool_busy": {"job": "pool"}}),
                           derived_scenario(down, "pool", {"up": {"job": "pool"}}, value=0.0,
                                            fires={"job": "pool", "instance": "w1:8080"})],
                          lambda job: [], None, Placer(found, [down, busy], []))
    # PoolBusy's series are on w1: w2, which carries nothing, is the one withheld.
    assert plan.fed == {"PoolBusy-firing", "PoolMemberDown-firing"}, plan.not_fed
    assert [t.address for t in found if t.withheld] == ["w2:8080"]
    assert next(a for s, a in plan.expected if s.name == "PoolMemberDown-firing").labels["instance"] == "w2:8080"


def test_a_rule_on_a_job_being_gone_withholds_every_target_its_selectors_read_or_says_which_it_cannot():
    found = pool_targets()
    gone = rule("PoolIsGone", 'absent(up{job="pool"} == 1)')
    plan = LivePlan.build([derived_scenario(gone, "pool", {"up": {"job": "pool"}}, value=0.0, fires={"job": "pool"})],
                          lambda job: [], None, Placer(found, [gone], []))
    assert plan.fed == {"PoolIsGone-firing"} and all(t.withheld for t in found), plan.not_fed
    # With another scenario's series on one of them, none is withheld, and the reason names them all.
    found = pool_targets()
    busy = rule("PoolBusy", 'pool_busy{job="pool"} > 5')
    plan = LivePlan.build([derived_scenario(busy, "pool", {"pool_busy": {"job": "pool"}}),
                           derived_scenario(gone, "pool", {"up": {"job": "pool"}}, value=0.0, fires={"job": "pool"})],
                          lambda job: [], None, Placer(found, [gone, busy], []))
    assert plan.fed == {"PoolBusy-firing"} and not any(t.withheld for t in found)
    why = next(note for note in plan.not_fed if note.startswith("PoolIsGone-firing"))
    assert "fires only once every target its selectors read is down (job 'pool' at w1:8080/metrics, job 'pool' at " \
           "w2:8080/metrics; a spare target would be one more for it to read)" in why and "for PoolBusy-firing" in why, why


def test_a_series_whose_selector_names_no_job_joins_the_series_its_rule_joins_it_with():
    found = targets()
    joined = rule("SidecarNoPrometheus", 'sidecar_up{job=~".*worker.*"} == 0 and on (pod) replay_seconds != 0')
    placed = Placer(found, [joined], []).place(derived_scenario(
        joined, "node", {"sidecar_up": {"job": "worker", "instance": "node-exporter:9100", "pod": "p"},
                         "replay_seconds": {"pod": "p"}},
        fires={"job": "worker", "instance": "node-exporter:9100", "pod": "p"}))
    assert {target.job for target, _ in placed.feeds} == {"worker"}, placed.feeds
    assert placed.expected[0].labels["instance"] == "worker:8080"


def test_a_rule_reading_the_clock_is_left_to_virtual_time():
    stale = rule("NoEvaluation", 'time() - max(last_evaluation_timestamp_seconds{job="worker"}) > 600')
    said = Placer(targets(), [stale], []).place(derived_scenario(stale, "worker", {"last_evaluation_timestamp_seconds": {}}))
    assert isinstance(said, str) and "reads time()" in said


def test_an_alert_without_a_scenario_marker_is_told_apart_by_the_target_it_came_from():
    found = targets()
    busy = rule("WorkerBusy", 'worker_busy{job="worker"} > 5')
    plan = LivePlan.build([derived_scenario(busy, "node", {"worker_busy": {"job": "worker"}})], lambda job: [], None,
                          Placer(found, [busy], []))
    assert plan.fed_on({"alertname": "WorkerBusyCritical", "job": "worker", "instance": "worker:8080"}) == {
        "WorkerBusy-firing"}
    assert plan.fed_on({"alertname": "Other", "job": "app", "instance": "app:8080"}) == set()
    plan.end(plan.expected[0][0], 60.0)  # the live checks judge after the scenarios ended
    assert plan.fed_on({"alertname": "WorkerBusyCritical", "job": "worker", "instance": "worker:8080"}) == {
        "WorkerBusy-firing"}


def test_metrics_fed_only_as_derived_series_are_told_from_those_fed_with_meant_labels():
    """A panel's selectors and legend are judged live only against series whose labels someone
    meant: a hand-written scenario's, the stack's instrumentation's, a synthetic exporter's; not
    those derivation chose to make an alert rule fire."""
    found = targets()
    busy = rule("WorkerBusy", 'worker_busy{job="worker"} > 5')
    # Derived too, but for metrics a hand-written scenario or the node exporter also gives meant labels.
    deep = rule("QueueDeepish", 'queue_depth{job="thanos-query-frontend"} > 5')
    cpu = rule("FrontendCpu", 'node_cpu_seconds_total{job="thanos-query-frontend"} > 5')
    written = Scenario(name="Queue-firing", path=Path("q.yml"), description="", kind="firing", rule="Queue",
                       duration=300.0, feeds={"worker": [SeriesFeed(series=Series.of(
                           "queue_depth", "gauge", {"queue": "orders"}, Shape.constant(3.0)))]},
                       firing=[ExpectedAlert("Queue", {})])
    plan = LivePlan.build([derived_scenario(busy, "worker", {"worker_busy": {"job": "worker"}}), written,
                           derived_scenario(deep, "worker", {"queue_depth": {"job": "thanos-query-frontend"}}),
                           derived_scenario(cpu, "worker", {"node_cpu_seconds_total": {"job": "thanos-query-frontend"}})],
                          lambda job: [t for t in found if t.job == job], {t.job for t in found},
                          Placer(found, [busy, deep, cpu], []))
    assert plan.fed == {"WorkerBusy-firing", "Queue-firing", "QueueDeepish-firing", "FrontendCpu-firing"}, plan.not_fed
    node_metric = "node_cpu_seconds_total"  # the node exporter's own, on the node target
    assert plan.invented({"worker_busy", "queue_depth", node_metric, "never_fed"}, found) == {"worker_busy"}
