"""A rule about one target being down (``up{job="x"} == 0``) on a job whose target also carries
other scenarios' series is fed live by withholding a spare target the live run adds to that job
(fixtures/scenarios/live_placement.py spare_targets); where a spare would change what another
rule sees, or the job's relabelling gives it other labels, none is added and the reason says so."""

from pathlib import Path

from fixtures.feeders.activities import SeriesFeed
from fixtures.feeders.scrape import scrape_targets, with_spare_targets
from fixtures.feeders.series import Series, Shape
from fixtures.feeders.targets import build_target
from fixtures.model.rules import AlertRule
from fixtures.scenarios.live_feed import LivePlan
from fixtures.scenarios.live_placement import Placer, spare_targets
from fixtures.scenarios.model import ExpectedAlert, Scenario
from fixtures.transforms import spare_targets_added

CONFIG = {"scrape_configs": [
    {"job_name": "node", "static_configs": [{"targets": ["node-exporter:9100"], "labels": {"zone": "z1"}}]},
    {"job_name": "pool", "static_configs": [{"targets": ["w1:8080"]}],
     "relabel_configs": [{"source_labels": ["__address__"], "regex": "w1:8080", "action": "keep"}]},
    {"job_name": "counted", "static_configs": [{"targets": ["c1:8080"]}]},
]}
ROLES = {"node": "node"}


def rule(name: str, expr: str) -> AlertRule:
    return AlertRule(name, "g", Path("rules.yml"), len(name), expr, len(name), labels={"severity": "warning"})


def scenario(alert: AlertRule, job: str, metric: str, value: float, fires: dict, labels=None) -> Scenario:
    feed = SeriesFeed(series=Series.of(metric, "gauge", {"job": job, **(labels or {})}, Shape.constant(value)))
    return Scenario(name=f"{alert.name}-firing", path=alert.file, description="derived", kind="firing",
                    rule=alert.name, duration=300.0, feeds={job: [feed]},
                    firing=[ExpectedAlert(alert.name, {**fires, "severity": "warning"})], source="derived",
                    rule_key=alert.key)


DOWN = rule("NodeDown", 'up{job="node"} == 0')
BUSY = rule("NodeQueueDeep", 'node_queue_depth{job="node"} > 5')
RULES = [DOWN, BUSY, rule("PoolDown", 'up{job="pool"} == 0'), rule("CountedDown", 'up{job="counted"} == 0'),
         rule("TooFewCounted", 'count(up{job="counted"} == 1) < 1')]


def live_targets(spares):
    return [build_target(s.job_name, s.address, ROLES.get(s.job_name, "generic"), None, s)
            for s in scrape_targets(with_spare_targets(CONFIG, spares))]


def test_a_job_read_by_a_rule_about_one_target_down_gets_a_spare_unless_it_would_change_another_rule():
    spares, notes = spare_targets(CONFIG, RULES, [])
    assert spares == {"node": "node-exporter-mc-spare:9100"}, notes
    assert any(note.startswith("job 'counted': ") and "'TooFewCounted' reads the series Prometheus writes" in note
               for note in notes), notes
    assert any(note.startswith("job 'pool': ") and "relabel_configs drop a second target w1-mc-spare:8080" in note
               for note in notes), notes
    # As prometheus.yml's copy gets it: a static config of its own, with the job's labels.
    config = {"scrape_configs": [dict(job, static_configs=[dict(s) for s in job["static_configs"]])
                                 for job in CONFIG["scrape_configs"]]}
    (change,) = spare_targets_added(config, "prometheus/prometheus.yml", spares)
    assert change.location == "scrape_configs[node].static_configs" and change.change == "+ node-exporter-mc-spare:9100"
    assert config["scrape_configs"][0]["static_configs"][1] == {"targets": ["node-exporter-mc-spare:9100"],
                                                                "labels": {"zone": "z1"}}


def test_the_spare_is_withheld_while_the_jobs_own_target_serves_the_other_scenarios_series():
    spares, _ = spare_targets(CONFIG, RULES, [])
    found = live_targets(spares)
    spare = next(t for t in found if t.spare)
    assert spare.role == "generic" and spare.labels == {"job": "node", "instance": "node-exporter-mc-spare:9100",
                                                        "zone": "z1"}
    written = Scenario(name="Handwritten-firing", path=Path("s.yml"), description="", kind="firing", rule="X",
                       duration=300.0, feeds={"node": [SeriesFeed(series=Series.of(
                           "node_queue_length", "gauge", {"queue": "q"}, Shape.constant(3.0)))]},
                       firing=[])
    plan = LivePlan.build(
        [written, scenario(BUSY, "node", "node_queue_depth", 10.0, {"job": "node", "instance": "node-exporter:9100"}),
         scenario(DOWN, "node", "up", 0.0, {"job": "node", "instance": "node-exporter:9100"})],
        lambda job: [t for t in found if job in (t.job, t.job_label)], {"node"}, Placer(found, RULES, []))
    assert plan.fed == {"Handwritten-firing", "NodeQueueDeep-firing", "NodeDown-firing"}, plan.not_fed
    assert [t for t in found if t.withheld] == [spare]
    assert {t.address for t, _ in plan.feeds} == {"node-exporter:9100"}  # the spare serves nothing
    down = next(a for s, a in plan.expected if s.name == "NodeDown-firing")
    assert down.labels == {"job": "node", "instance": "node-exporter-mc-spare:9100", "zone": "z1",
                           "severity": "warning"}


def test_without_a_spare_the_rule_about_the_shared_target_says_why_it_is_not_fed():
    found = live_targets({})
    plan = LivePlan.build(
        [scenario(BUSY, "node", "node_queue_depth", 10.0, {"job": "node", "instance": "node-exporter:9100"}),
         scenario(DOWN, "node", "up", 0.0, {"job": "node", "instance": "node-exporter:9100"})],
        lambda job: [t for t in found if job in (t.job, t.job_label)], {"node"}, Placer(found, RULES, []))
    assert plan.fed == {"NodeQueueDeep-firing"} and not any(t.withheld for t in found)
    assert "would also stop the series fed there for NodeQueueDeep-firing" in plan.not_fed[0], plan.not_fed


def test_the_spare_is_the_target_withheld_even_where_the_jobs_own_carries_nothing():
    """The job's own target keeps answering: a hand-written scenario or the exporter may be read there."""
    spares, _ = spare_targets(CONFIG, RULES, [])
    found = live_targets(spares)
    plan = LivePlan.build([scenario(DOWN, "node", "up", 0.0, {"job": "node", "instance": "node-exporter:9100"})],
                          lambda job: [t for t in found if job in (t.job, t.job_label)], {"node"},
                          Placer(found, RULES, []))
    assert plan.fed == {"NodeDown-firing"} and [t.address for t in found if t.withheld] == [
        "node-exporter-mc-spare:9100"], plan.not_fed
