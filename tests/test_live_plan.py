"""The live plan keeps every scenario's own times: a time-stepped scenario sharing a job with
others is fed at its times, and does not move theirs. The feeder is stepped by hand, in scenario
seconds, as the live run steps it by wall time."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from fixtures.feeders.activities import HostLoad, build_activity
from fixtures.feeders.targets import build_target
from fixtures.model.rules import AlertRule
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
    assert len(held) == 1 and held[0].startswith("NoUploadForADay-firing: 'NoUploadForADay' (r.yml:1) reads 1d back"), held
    assert beyond_the_run(scenarios, [day, slow], [], real_time=True) == (scenarios, [])


# An error-budget burn alert as kube-prometheus writes it: one name, four rules, from a 1h/5m pair
# to a 3d/6h one (issue 22: the watch waited 72h for the 3d one while only the 1h one was fed).
BURN = "sum(rate(errors_total[{long}])) > 1 and sum(rate(errors_total[{short}])) > 1"


def _burn_rules() -> list[AlertRule]:
    windows = [("1h", "5m", "2m", "critical"), ("6h", "30m", "15m", "critical"), ("1d", "2h", "1h", "warning"),
               ("3d", "6h", "3h", "warning")]
    return [AlertRule("ErrorBudgetBurn", "g", Path("burn.yml"), 10 * i, BURN.format(long=long, short=short), 10 * i,
                      for_=for_, labels={"severity": severity, "long": long})
            for i, (long, short, for_, severity) in enumerate(windows, 1)]


def _burn_scenario(long: str, *, job: str = "api") -> Scenario:
    rules = {r.labels["long"]: r for r in _burn_rules()}
    series = build_activity("series", {"metric": "errors_total", "labels": {"window": long}, "rate": 5})
    return Scenario(name=f"ErrorBudgetBurn-{long}-firing", path=Path("s.yml"), description="", kind="firing",
                    rule="ErrorBudgetBurn", duration=600.0, feeds={job: [series]},
                    firing=[ExpectedAlert("ErrorBudgetBurn", dict(rules[long].labels))], rule_labels={"long": long})


def test_a_rule_sharing_its_name_with_slower_windows_is_waited_for_alone():
    from fixtures.scenarios.alert_watch import extra_wait_s
    from fixtures.scenarios.live_feed import LIVE_WAIT_CAP_S, beyond_the_run, owners

    rules = _burn_rules()
    fast, slow = _burn_scenario("1h"), _burn_scenario("3d")
    kept, held = beyond_the_run([fast, slow], rules, [], real_time=False)
    assert [s.name for s in kept] == [fast.name]
    assert len(held) == 1 and held[0].startswith(f"{slow.name}: 'ErrorBudgetBurn' (burn.yml:40) reads 3d back"), held
    # The fed alert is the 1h rule's alone: its labels tell it from its three twins.
    assert [r.line for r in owners(fast, fast.firing[0], rules)] == [10]
    # An alert stating only its severity may come from either critical rule: both are waited on.
    vague = ExpectedAlert("ErrorBudgetBurn", {"severity": "critical"})
    assert [r.line for r in owners(fast, vague, rules)] == [10, 20]
    # A derived scenario's alert is its own rule's, whatever twins share the name.
    derived = Scenario(name="d", path=Path("d.yml"), description="", kind="firing", rule="ErrorBudgetBurn",
                       duration=600.0, feeds={}, firing=[vague], source="derived", rule_key=rules[3].key)
    assert owners(derived, vague, rules) == [rules[3]]
    # An hour of history covers the 1h window: the watch waits no longer than for a for of FOR_CAP.
    assert extra_wait_s([(fast, fast.firing[0])], rules, [], False, history_s=3660.0) == 0.0
    assert extra_wait_s([(s, a) for s in kept for a in s.firing], rules, [], False, history_s=3660.0) <= LIVE_WAIT_CAP_S


def test_a_scenario_the_history_actually_loaded_cannot_serve_is_not_fed_nor_awaited():
    """The plan is made for an hour of history; where less was written (none: promtool missing),
    a rule over a 1h window would wait an hour live: its scenario is held before the feed starts."""
    from fixtures.scenarios.alert_watch import extra_wait_s

    rules, target = _burn_rules(), build_target("api", "api:9000", "generic", None)
    fast = _burn_scenario("1h")
    quiet = dataclasses.replace(fast, name="ErrorBudgetBurn-1h-silent", kind="silent", firing=[])
    plan, _ = _plan([fast, quiet], target)
    assert plan.hold_late(rules, [], False, history_s=3660.0) == [] and plan.expected and plan.fed == {fast.name,
                                                                                                       quiet.name}
    held = plan.hold_late(rules, [], False, history_s=0.0)
    assert [note.split(":")[0] for note in held] == [fast.name, quiet.name], held
    assert held[0].startswith(f"{fast.name}: 'ErrorBudgetBurn' (burn.yml:10) reads 1h back"), held
    # Neither is fed: the silent one would pass on a rule that could not have fired.
    assert plan.expected == [] and plan.fed == set() and not plan.feeds
    assert extra_wait_s(plan.expected, rules, [], False, history_s=0.0) == 0.0
