"""The live plan keeps every scenario's own times: a time-stepped scenario sharing a job with
others is fed at its times, and does not move theirs. The feeder is stepped by hand, in scenario
seconds, as the live run steps it by wall time."""

from __future__ import annotations

from pathlib import Path

from fixtures.feeders.activities import HostLoad, build_activity
from fixtures.feeders.targets import build_target
from fixtures.rules import AlertRule
from fixtures.scenarios.derived import blips_held_back
from fixtures.scenarios.live_feed import LiveFeeder, LivePlan
from fixtures.scenarios.model import ExpectedAlert, Scenario


def _scenario(name: str, job: str, *activities, kind: str = "firing") -> Scenario:
    return Scenario(name=name, path=Path(f"{name}.yml"), description=name, kind=kind, rule=name.split("-")[0],
                    duration=600.0, feeds={job: list(activities)},
                    firing=[ExpectedAlert(name.split("-")[0], {"severity": "warning"})] if kind == "firing" else [])


def _plan(scenarios, *targets) -> tuple[LivePlan, LiveFeeder]:
    plan = LivePlan.build(scenarios, lambda job: [t for t in targets if t.job == job], {t.job for t in targets})
    return plan, LiveFeeder(plan)


def test_a_time_stepped_host_scenario_is_fed_at_its_times_and_leaves_the_others_theirs():
    node = build_target("node", "node-exporter:9100", "node", None)
    busy = _scenario("HighCPU-firing", "node", HostLoad(cpu_busy=0.95))
    later = _scenario("HighMemory-firing", "node", HostLoad(memory_used=0.95, start=60.0, until=120.0))
    plan, feeder = _plan([busy, later], node)

    seen = {}
    for t in (10.0, 70.0, 130.0):
        feeder.feed(t - 1, t)
        seen[t] = (node.driver.state.cpu_busy, node.driver.state.memory_used)
        assert plan.current(HostLoad)[0].cpu_busy == node.driver.state.cpu_busy

    default = HostLoad()
    assert seen == {10.0: (0.95, default.memory_used), 70.0: (0.95, 0.95), 130.0: (0.95, default.memory_used)}, seen


def test_a_time_stepped_series_on_a_shared_job_is_fed_at_its_own_times():
    target = build_target("kafka", "kafka-exporter:9308", "generic", None)
    steady = build_activity("series", {"metric": "lag", "labels": {"group": "billing"}, "value": 5,
                                       "isolate_by": ["group"]})
    stepped = build_activity("series", {"metric": "lag", "labels": {"group": "orders"}, "start": "1m",
                                        "steps": {"0s": 1, "90s": 7}, "isolate_by": ["group"]})
    _, feeder = _plan([_scenario("Lag-firing", "kafka", steady), _scenario("Lag-silent", "kafka", stepped,
                                                                               kind="silent")], target)

    def exposed(t: float) -> dict[str, float]:
        feeder.feed(t - 1, t)
        return {labels["group"]: value for family in target.registry.collect() for _, labels, value, *_ in
                family.samples if family.name == "lag"}

    assert exposed(10.0) == {"billing@Lag-firing": 5.0}
    assert exposed(70.0) == {"billing@Lag-firing": 5.0, "orders@Lag-silent": 1.0}
    assert exposed(100.0) == {"billing@Lag-firing": 5.0, "orders@Lag-silent": 7.0}


def test_a_derived_blip_is_held_back_where_the_live_for_is_shorter_than_the_one_it_was_sized_for():
    # for 2m, look-back 1m: live, for is capped to 30s and raised to 1m; a 1-minute blip would fire.
    rule = AlertRule("FailedRequests", "g", Path("rules.yml"), 5, "rate(failed_total[1m]) > 1", 6, "2m")
    short = AlertRule("Quick", "g", Path("rules.yml"), 9, "rate(failed_total[1m]) > 1", 10, "30s")

    def derived(of: AlertRule, suffix: str) -> Scenario:
        return Scenario(name=f"{of.name}-derived-{suffix}", path=of.file, description=suffix, kind="silent",
                        rule=of.name, duration=600.0, feeds={}, source="derived", rule_key=of.key)

    scenarios = [derived(rule, "near-miss"), derived(rule, "blip"), derived(short, "blip")]

    kept, held = blips_held_back(scenarios, [rule, short], [], real_time=False)
    assert [s.name for s in kept] == ["FailedRequests-derived-near-miss", "Quick-derived-blip"]
    assert len(held) == 1 and held[0].startswith("FailedRequests-derived-blip: ") and "(2m)" in held[0], held
    assert "1m it has live" in held[0], held

    kept, held = blips_held_back(scenarios, [rule, short], [], real_time=True)
    assert len(kept) == 3 and not held, held


def test_a_scenario_feeding_only_a_shared_host_is_told_from_one_with_its_own_series():
    """Live, a host's state is merged from every firing scenario that sets part of it: an alert
    on it belongs to no one scenario, unlike one on a series that carries the scenario's name."""
    node = build_target("node", "node-exporter:9100", "node", None)
    app = build_target("app", "app:8000", "generic", None)
    busy = _scenario("HighCPU-firing", "node", HostLoad(cpu_busy=0.95))
    failing = _scenario("PipelineFailing-firing", "app", build_activity(
        "series", {"metric": "jobs_failed", "labels": {"pipeline": "orders"}, "value": 3}))
    plan, _ = _plan([busy, failing], node, app)

    assert plan.whole_target_jobs == {"node"}
    assert plan.feeds_only_whole_targets("HighCPU-firing")
    assert not plan.feeds_only_whole_targets("PipelineFailing-firing")
    assert not plan.feeds_only_whole_targets("not-a-scenario")


def test_a_rule_whose_window_is_beyond_any_preloaded_history_is_left_to_virtual_time():
    from fixtures.scenarios.live_feed import beyond_the_run

    day = AlertRule("NoUploadForADay", "g", Path("r.yml"), 1, "max_over_time(upload_time[1d]) < 1", 1)
    slow = AlertRule("SlowForAnHour", "g", Path("r.yml"), 9, "x > 1", 9, for_="1h")
    scenarios = [_scenario("NoUploadForADay-firing", "app"), _scenario("SlowForAnHour-firing", "app")]
    kept, held = beyond_the_run(scenarios, [day, slow], [], real_time=False)
    assert [s.name for s in kept] == ["SlowForAnHour-firing"]  # its for is shortened live: no wait
    assert len(held) == 1 and held[0].startswith("NoUploadForADay-firing: 'NoUploadForADay' reads 1d back"), held
    assert beyond_the_run(scenarios, [day, slow], [], real_time=True) == (scenarios, [])
