"""Scenarios derived from PromQL: every shape gets a firing and a near-miss input that promtool
proves, rules that cannot fire are findings with their reason, and broken copies move the result.

All rules of this module are derived in one batch (one derive() call, as the harness does), so
the promtool rounds are shared.
"""

import math
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from fixtures.derivation import Derived, Underivable, derive, to_scenario_files
from fixtures.derivation.candidates import Case
from fixtures.derivation.candidates import TestFile as PromtoolTestFile  # not a pytest class
from fixtures.derivation.drivers import between
from fixtures.feeders.series import series_from_spec
from fixtures.model.rules import AlertRule
from fixtures.promtool.notation import notation
from fixtures.promtool.output import FiredAlert

pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")

JOB, INSTANCE = "svc", "svc:8080"
DERIVABLE = {
    "threshold": ("node_filesystem_files_free{mountpoint='/'} < 1000", "5m"),
    "ratio_guarded": ("a_used / a_total * 100 > 90 and a_total > 0", "2m"),
    "error_rate": (('sum by (route) (rate(http_requests_total{code=~"5.."}[5m])) / sum by (route) '
                   "(rate(http_requests_total[5m])) > 0.05"), "1m"),
    "increase": ("increase(restarts_total[10m]) > 3", "0m"),
    "histogram": ("histogram_quantile(0.99, sum(rate(latency_seconds_bucket[5m])) by (le, instance)) > 0.5", "1m"),
    "absent": ('absent(up{job="cert-manager"})', "1m"),
    "up": ("up == 0", "1m"),
    "changes": ("changes(process_start_time_seconds[15m]) > 2", "0m"),
    "resets": ("resets(jobs_total[15m]) > 1", "0m"),
    "predict_linear": ("predict_linear(disk_free_bytes[1h], 4 * 3600) < 0", "5m"),
    "deriv": ("deriv(queue_depth[10m]) > 1", "0m"),
    "time_minus": ("time() - last_backup_timestamp_seconds > 3600", "0m"),
    "over_time": ("max_over_time(temperature_celsius[5m]) > 70", "1m"),
    "topk": ("topk(3, connections) > 100", "0m"),
    "offset_difference": ("restarts - restarts offset 10m >= 1", "0m"),
    "stops_reporting": ("count by (instance) (build_info offset 20m) unless count by (instance) (build_info)", "0m"),
    "or": ("queue_a > 10 or queue_b > 20", "0m"),
    "unless_info": ("temp unless on (instance, device) temp_trip", "0m"),
    "group_left_info": ("pod_ready * on (pod) group_left (node) pod_info == 0", "1m"),
    "templated_labels": ("free_bytes < 10", "0m"),
    "or_vector_zero": ("(sum(rate(errors_total[5m])) or vector(0)) > 5", "1m"),  # the near twin of the constants
    # Several series of worker_up, one of node_info: its copies would be a many-to-many match.
    "copies_beside_group_left": (("(count by (instance) (worker_up) > 1) * on (instance) group_left (node) "
                                  "(node_info > 0)"), "1m"),
}
CANNOT_FIRE = {
    "join_never_matches": ("sum by (zone) (x_total) / on (zone) sum by (region) (y_total) > 1", "on(zone)"),
    "histogram_over_counter": ("histogram_quantile(0.9, rate(node_cpu_seconds_total[5m])) > 1",
                               "node_cpu_seconds_total, which is not a _bucket series"),
    "count_is_never_zero": ("count(service_up) by (service) == 0", "count() is never 0"),
    "and_across_aggregation": ("x > 0 and sum by (job) (y) > 0", "can never have matching label sets"),
    "constant_never_holds": ("vector(0) > 1", "reads no series and its constant value never holds"),
}
# Rules that read no series: no scenario moves them, and the reason says so (not "no input held").
READS_NO_SERIES = {
    "heartbeat": ("vector(1)", "holds whatever is fed: it always fires"),
    "clock_only": ("hour() >= 22", "only the evaluation time (hour)"),
}
BROKEN = {  # copies of "threshold" above: the derived boundary must move with the rule
    "wrong_threshold": ("node_filesystem_files_free{mountpoint='/'} < 100", "5m"),
    "flipped_comparison": ("node_filesystem_files_free{mountpoint='/'} > 1000", "5m"),
    "typo_in_join": ("a_used / a_totl * 100 > 90 and a_total > 0", "2m"),
}


def rule(name: str, expr: str, for_: str) -> AlertRule:
    labels = {"severity": "warning"}
    annotations = {"summary": "{{ $labels.instance }} at {{ $value }}"}
    if name == "templated_labels":
        annotations["description"] = "{{ $labels.device }} on {{ $labels.mountpoint }}"
    return AlertRule(name, "test", Path("derivation_test.yml"), 1, expr, 1, for_=for_, labels=labels,
                     annotations=annotations)


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, Derived | Underivable]:
    rules = [rule(name, expr, for_) for name, (expr, for_) in {**DERIVABLE, **BROKEN}.items()]
    rules += [rule(name, expr, "0m") for name, (expr, _) in {**CANNOT_FIRE, **READS_NO_SERIES}.items()]
    directory = tmp_path_factory.mktemp("derive")
    found = derive(rules, [], scrape_interval_s=15, evaluation_interval_s=15, job=JOB, instance=INSTANCE,
                   directory=directory)
    assert len(found) == len(rules), "every rule gets exactly one result"
    return {result.rule.name: result for result in found}


def derived(results, name) -> Derived:
    result = results[name]
    assert isinstance(result, Derived), f"{name}: {result.reason}"
    return result


@pytest.mark.parametrize("name", list(DERIVABLE))
def test_each_shape_gets_a_proven_firing_and_near_miss(results, name):
    result = derived(results, name)
    assert result.expected_labels, f"{name}: the firing input must fire with labels promtool reported"
    assert all(labels["alertname"] == name and labels["severity"] == "warning" for labels in result.expected_labels)
    assert result.inputs["firing_value"] != result.inputs["near_miss_value"]
    earliest, latest = result.fires_between_s
    assert earliest <= latest <= result.duration_s


@pytest.mark.parametrize("name", ["ratio_guarded", "error_rate", "group_left_info"])
def test_join_labels_are_shared_so_joins_match(results, name):
    labels = [series.label_dict for series in derived(results, name).firing]
    joined = {"ratio_guarded": "instance", "error_rate": "route", "group_left_info": "pod"}[name]
    assert len({item.get(joined) for item in labels}) == 1, labels


def test_boundary_is_found_exactly_at_a_round_threshold(results):
    assert derived(results, "threshold").inputs["near_miss_value"] == 1000.0
    assert derived(results, "wrong_threshold").inputs["near_miss_value"] == 100.0


def test_flipped_comparison_swaps_the_sides(results):
    right, flipped = derived(results, "threshold"), derived(results, "flipped_comparison")
    assert right.inputs["firing_value"] < 1000 < flipped.inputs["firing_value"]


def test_typo_in_one_joined_selector_is_derived_for_the_name_as_written(results):
    # A derived scenario feeds what the rule reads: the typo shows as a metric nobody serves.
    metrics = {series.metric for series in derived(results, "typo_in_join").firing}
    assert "a_totl" in metrics and "a_total" in metrics


def test_selector_types_follow_the_function_that_reads_them(results):
    types = {name: {s.metric: s.type for s in derived(results, name).firing}
             for name in ("error_rate", "histogram", "threshold")}
    assert set(types["error_rate"].values()) == {"counter"}
    assert types["histogram"] == {"latency_seconds": "histogram"}
    assert types["threshold"] == {"node_filesystem_files_free": "gauge"}


def test_absent_fires_without_the_series_and_near_miss_has_it(results):
    result = derived(results, "absent")
    assert result.firing == []
    assert [s.metric for s in result.near_miss] == ["up"]
    assert any("job='cert-manager'" in note for note in result.notes), result.notes


def test_a_series_that_stops_being_reported(results):
    result = derived(results, "stops_reporting")
    assert [math.isfinite(s.until) for s in result.firing] == [True]
    assert all(s.until == math.inf for s in result.near_miss)


def test_blip_shorter_than_for_stays_silent(results):
    result = derived(results, "threshold")
    assert result.blip is not None, result.notes
    assert derived(results, "increase").blip is None  # no 'for': nothing to blip
    assert any("no 'for'" in note for note in derived(results, "increase").notes)


@pytest.mark.parametrize("name", list(CANNOT_FIRE))
def test_rules_that_cannot_fire_are_findings_with_their_reason(results, name):
    result = results[name]
    assert isinstance(result, Underivable) and result.cannot_fire, result
    assert CANNOT_FIRE[name][1] in result.reason


@pytest.mark.parametrize("name", list(READS_NO_SERIES))
def test_a_rule_reading_no_series_is_not_derived_and_says_why(results, name):
    result = results[name]
    assert isinstance(result, Underivable) and not result.cannot_fire, result
    assert READS_NO_SERIES[name][1] in result.reason, result.reason


def test_scenario_files_round_trip_and_promtool_passes_the_pair(results, tmp_path):
    result = derived(results, "error_rate")
    files = to_scenario_files(result)
    firing = files["error_rate.derived-firing.yml"]
    assert firing["kind"] == "firing" and firing["expect"]["firing"][0]["alertname"] == "error_rate"
    for entry in firing["feeds"][JOB]:
        series_from_spec(entry["series"])  # every written series reads back
    rule_file = tmp_path / "derivation_test.yml"
    alert = {"alert": "error_rate", "expr": DERIVABLE["error_rate"][0], "for": "1m", "labels": {"severity": "warning"}}
    rule_file.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [alert]}]}))
    test = files["error_rate.derived.test.yml"]
    test["rule_files"] = [str(rule_file)]
    path = tmp_path / "pair.test.yml"
    path.write_text(yaml.safe_dump(test))
    completed = subprocess.run(["promtool", "test", "rules", str(path)], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_notation_compresses_steady_runs():
    assert notation([1.0, 2.0, 3.0, 4.0, None, 5.0]) == "1.0+1.0x3 _ 5.0"
    assert notation([0.0, -2.0, -4.0]) == "0.0-2.0x2"


def test_notation_writes_out_values_promtool_would_expand_otherwise():
    # promtool expands 0+0.15x3 by adding 0.15 again and again: its last value would be
    # 0.44999999999999996, not the 0.45 a feeder computes (0.01/s x 45 s), so 0.45 is written as it is.
    assert notation([0.0, 0.15, 0.3, 0.45]) == "0.0+0.15x2 0.45"


def test_bisection_points_are_round_numbers():
    assert between(100, 1000) == [200, 300, 400, 500, 600, 700, 800, 900]
    assert between(300, 400)[:2] == [310, 320]
    assert between(-10, -1)[0] == -9


def test_a_rate_exactly_at_its_threshold_is_no_near_miss_where_extrapolation_tips_it_over():
    # Scraped every 10s and evaluated every 15s, rate(x[5m]) of exactly 10/s reads 10.000000000000002
    # where the window starts between two scrapes: the near miss must be found below the boundary.
    rule = AlertRule("EvictionHigh", "g", Path("rules.yml"), 1, "rate(memcached_items_evicted_total[5m]) > 10", 2,
                     "5m", {"severity": "warning"})
    [result] = derive([rule], [], scrape_interval_s=10, evaluation_interval_s=15, job=JOB, instance=INSTANCE)

    assert isinstance(result, Derived), result.reason
    assert 9 < result.inputs["near_miss_value"] < 10, result.inputs


def test_further_candidates_get_only_their_own_alerts():
    """Verification's further candidates, judged in a file without the kept firing0: an alert whose
    case label names no case here is firing0's (as when all candidates shared one entry), one that
    lost the label counts for every case (it can fail a near miss, never prove one)."""
    rest = PromtoolTestFile(Path("r0.verify-rest.test.yml"), [], 15.0, 15.0, 60.0, "job", "host:80",
                    case_label="instance", kept_case="r0.verify.firing0")
    rest.cases = [Case("r0.verify.near1", [], [60.0], ["A"]), Case("r0.verify.near2", [], [60.0], ["A"])]
    fired = [FiredAlert("A", {"instance": "r0.verify.near1"}, {}), FiredAlert("A", {"instance": "host:80"}, {}),
             FiredAlert("A", {}, {})]
    outcomes = rest.outcomes({rest.path.stem: {60.0: fired}})
    assert [a.labels for a in outcomes["r0.verify.near1"].alerts("A", 60.0)] == [{"instance": "r0.verify.near1"}, {}]
    assert [a.labels for a in outcomes["r0.verify.near2"].alerts("A", 60.0)] == [{}]
