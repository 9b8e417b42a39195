"""Rule shapes the grid alone had no answer for, and proofs that a rule can never fire, each proof
beside a valid near twin that must be derived, not flagged (a wrong proof is worse than none).

The rules are written for these tests. All are derived in one batch, as the harness does.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from fixtures.derivation import Derived, Underivable, derive, solver, to_scenario_files
from fixtures.derivation.shapes import shape_class
from fixtures.model.rules import AlertRule, RecordingRule

pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")

DERIVABLE = {
    # exact values: the firing value is the one the rule names, on no grid
    "exact_value": ("backup_job_status == 3", "1m"),
    # all inputs at once: each alone at its usual value is quiet
    "health_zero_with_guard": ("queue_consumers == 0 and queue_messages_ready > 100", "2m"),
    "two_gauges_compared": ("replica_lag_seconds > replica_lag_budget_seconds and replica_paused == 0", "0m"),
    "guarded_ratio_and_flag": (("volume_used_bytes / volume_size_bytes * 100 > 85 and volume_size_bytes > 0 "
                               "and on (instance, volume) volume_readonly == 0"), "5m"),
    "timestamp_and_flag": (("time() - export_last_success_timestamp_seconds > 120 and export_enabled == 1 "
                           "and export_running == 0"), "0m"),
    "absent_side_and_difference": ("(deploy_spec_hash unless deploy_applied_hash) * (pods_wanted != pods_ready) > 0",
                                   "0m"),
    # label values a regex allows, shared by both sides of a join
    "regex_label_shared": (('sum by (job) (rate(batch_failures_total{job=~".*nightly.*"}[5m])) / sum by (job) '
                           "(rate(batch_runs_total[5m])) > 0.1"), "1m"),
    # a matcher on one side of a one-to-one join: series of another metric with that label pair
    # with it (no proof: http_requests_total may well have a code label)
    "matcher_on_one_side": ('rate(http_errors_total{code=~"5.."}[5m]) / rate(http_requests_total[5m]) > 0.05',
                            "5m"),
    # several series that must differ, or be many
    "versions_differ": ("count(count by (release) (app_build_info)) > 1", "10m"),
    "values_differ_per_group": ("count by (flag) (count by (flag, value) (feature_flag_value)) > 1", "5m"),
    "even_quorum": ("count(raft_peer_up) % 2 == 0", "5m"),
    "generations_disagree": ("max by (cluster) (config_generation) != min by (cluster) (config_generation)", "0m"),
    # inputs that change over time: a step, flips, a trend, a count of increases
    "dropped_to_zero": ("jobs_queued == 0 and on (instance) (jobs_queued offset 1h > 0)", "10m"),
    "dropped_from_high": ("orders_pending == 0 and on (instance) (orders_pending offset 20m > 500)", "5m"),
    "rate_halved": ("rate(orders_created_total[10m]) < 0.5 * rate(orders_created_total[10m] offset 30m)", "5m"),
    "growth_longer_than_its_offset": ("sessions_open - sessions_open offset 10m > 50", "30m"),
    "flips_with_for": ('changes(link_state{port="uplink"}[1m]) > 0', "2m"),
    "trend_reaches_zero": ("predict_linear(battery_charge_ratio[30m], 2 * 3600) <= 0", "5m"),
    "increase_with_for": ("increase(oom_kills_total[15m]) > 3", "10m"),
}
# name: (rule, reason, its valid near twin)
CANNOT_FIRE = {
    "sum_of_zeros_positive": ("sum by (pool) (worker_busy == 0) > 0", "can never hold",
                              "sum by (pool) (worker_busy == 0) >= 0"),
    "series_joined_with_itself": ('cache_bytes - cache_bytes{area=~"hot|warm"} > 0', "can never hold",
                                  'cache_bytes{area="all"} - on (instance) group_right cache_bytes{area=~"hot|warm"} > 0'),
    "contradictory_guards": ("fan_rpm > 5000 and fan_rpm < 3000", "can never hold",
                             "fan_rpm > 5000 and fan_rpm < 8000"),
    "aggregation_against_scraped": ("count(shard_ready) / shards_expected < 1", "can never have matching label sets",
                                    "count(shard_ready) / sum(shards_expected) < 1"),
    "aggregation_against_product": ("sum by (instance) (tx_bytes) / (link_speed * link_duplex) > 0.9",
                                    "can never have matching label sets",
                                    ("sum by (instance) (tx_bytes) / sum by (instance) (link_speed * link_duplex) "
                                    "> 0.9")),
    "and_across_ignoring": ("sum by (job) (errors) > 0 and ignoring (instance) sum by (job, zone) (calls) > 0",
                            "can never have matching label sets",
                            "sum by (job) (errors) > 0 and ignoring (zone) sum by (job, zone) (calls) > 0"),
}


def rule(name: str, expr: str, for_: str = "0m") -> AlertRule:
    return AlertRule(name, "shapes", Path("shapes_test.yml"), 7, expr, 8, for_=for_, labels={"severity": "page"},
                     annotations={"summary": "{{ $labels.instance }}"})


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, Derived | Underivable]:
    rules = [rule(name, expr, for_) for name, (expr, for_) in DERIVABLE.items()]
    rules += [rule(name, expr) for name, (expr, _, _) in CANNOT_FIRE.items()]
    rules += [rule(f"{name}_twin", twin) for name, (_, _, twin) in CANNOT_FIRE.items()]
    found = derive(rules, [], scrape_interval_s=15, evaluation_interval_s=15, job="svc", instance="svc:8080",
                   directory=tmp_path_factory.mktemp("shapes"))
    return {result.rule.name: result for result in found}


@pytest.mark.parametrize("name", list(DERIVABLE))
def test_each_shape_gets_a_verified_firing_and_near_miss(results, name):
    result = results[name]
    assert isinstance(result, Derived), f"{name}: {result.reason}"
    assert result.expected_labels and result.inputs["firing_value"] != result.inputs["near_miss_value"]


def test_each_derived_pair_passes_promtool_alone_against_the_rule_as_written(results, tmp_path):
    """The search packs candidates into shared test entries; the pair written out must still hold
    alone (a label the packing sets must not be one several series of an input differ in)."""
    rules = [{"alert": name, "expr": expr, "for": for_, "labels": {"severity": "page"}}
             for name, (expr, for_) in DERIVABLE.items()]
    rule_file = tmp_path / "shapes_test.yml"
    rule_file.write_text(yaml.safe_dump({"groups": [{"name": "shapes", "rules": rules}]}))
    failed = {}
    for name in DERIVABLE:
        test = to_scenario_files(results[name])[f"{name}.derived.test.yml"]
        test["rule_files"] = [str(rule_file)]
        path = tmp_path / f"{name}.test.yml"
        path.write_text(yaml.safe_dump(test))
        run = subprocess.run(["promtool", "test", "rules", str(path)], capture_output=True, text=True, check=False)
        if run.returncode:
            failed[name] = run.stdout[-600:] + run.stderr[-300:]
    assert not failed, failed


def test_an_exact_value_fires_only_at_that_value(results):
    assert results["exact_value"].inputs["firing_value"] == 3.0


def test_series_that_must_differ_are_fed_as_several_series_and_the_near_miss_as_one(results):
    result = results["versions_differ"]
    releases = {s.label_dict.get("release") for s in result.firing}
    assert len(result.firing) == 2 and len(releases) == 2, result.firing
    assert len(result.near_miss) == 1
    values = {s.shape.value for s in results["generations_disagree"].firing}
    assert len(values) == 2, results["generations_disagree"].firing


def test_a_value_compared_with_itself_earlier_steps_late_enough(results):
    result = results["dropped_to_zero"]
    [series] = result.firing
    assert series.shape.kind == "steps" and series.shape.steps[-1][1] == 0.0, series
    [near] = result.near_miss
    assert near.shape.steps[-1][1] != 0.0, near


def test_a_regex_matched_label_is_shared_by_both_sides(results):
    jobs = {s.label_dict["job"] for s in results["regex_label_shared"].firing}
    assert len(jobs) == 1 and "nightly" in jobs.pop(), results["regex_label_shared"].firing


@pytest.mark.parametrize("name", list(CANNOT_FIRE))
def test_a_rule_that_cannot_fire_is_a_finding_with_its_reason(results, name):
    result = results[name]
    assert isinstance(result, Underivable) and result.cannot_fire, result
    assert CANNOT_FIRE[name][1] in result.reason, result.reason


@pytest.mark.parametrize("name", list(CANNOT_FIRE))
def test_the_valid_near_twin_of_each_proof_is_derived(results, name):
    twin = results[f"{name}_twin"]
    assert isinstance(twin, Derived), f"{name}_twin is flagged or missed: {twin.reason}"


@pytest.mark.parametrize(("expr", "proved"), [
    ("x > 5 and x < 3", True),
    ("x > 5 and on (job) x < 3", False),  # two series of x with one job may differ
    ("max by (name) (x) != min by (name) (x)", False),  # two elements, not one
    ("100 / x * x < 20", False),  # x / 0 may be any value to the proof: it claims less than it could
    # 100 / x * x is 100 but where 100 / x overflows to +Inf (x below 5.6e-307): Inf * x is Inf, which
    # the proof does not follow (an overflow may give any value), so it claims nothing
    ("100 / x * x < 20 and x > 0", False),
    ("100 / x * x > 100 and x > 0", False),  # 100 / 3 * 3 is 100.00000000000001 in floats
    ("(x + y) - x == 0 and y > 1", False),  # 1e20 + 2 - 1e20 is 0 in floats
    ("x * 2 == x * 3 and x > 0", False),  # both +Inf past 9e307
    ("x * 2 > 5 and x < 2 and x > -10", True),  # no overflow within these bounds
    ("rate(r[5m]) < 0", True),
    ("delta(r[5m]) < 0", False),
    ("count(x) < 1", True),
    ("sum(x == 2) == 3", True),  # n series at 2 sum to 2n
    ("sum(x == 2) == 4", False),
])
def test_proofs_are_sound_on_their_near_twins(expr, proved):
    assert (solver.unreachable(expr, {}) is not None) is proved


@pytest.mark.parametrize(("expr", "shape"), [
    ("printer_state == 3", "exact value"),
    ('absent(up{job="spooler"})', "absent"),
    ("count(count by (release) (app_build_info)) > 1", "several series"),
    ("max by (cluster) (generation) != min by (cluster) (generation)", "several series"),
    ("time() - last_sync_timestamp > 600", "relative to evaluation time"),
    ("tasks == 0 and on (instance) (tasks offset 1h > 0)", "changes over time"),
    ("histogram_quantile(0.9, rate(wait_seconds_bucket[5m])) > 2", "histogram"),
    ("used / size * 100 > 80 and size > 0", "join with guard"),
    ("used / size > 0.8", "ratio or join"),
    ("increase(crashes_total[1h]) > 3", "counter rate"),
    ("temperature > 80", "threshold"),
])
def test_coverage_names_the_shape_class_of_each_rule(expr, shape):
    assert shape_class(expr) == shape


def test_a_recorded_series_read_at_another_time_is_not_the_series_now():
    recording = {"x_negated": RecordingRule("x_negated", "g", Path("rules.yml"), 1, "-x")}
    assert solver.unreachable("x_negated > 5 and x > -2", recording)  # one x series behind both
    assert solver.unreachable("x_negated > 5 and x_negated offset 1h < -6", recording) is None
