"""The generic synthetic series: samples over time, and the scenario-file form both ways."""

import math
import re

import pytest

from fixtures.feeders.series import DEFAULT_BUCKETS, Series, Shape, series_from_spec, series_to_spec


def values(series: Series, t: float) -> dict[tuple[str, tuple], float]:
    return {(name, tuple(sorted(labels.items()))): value for name, labels, value in series.samples(t)}


def test_gauge_constant_carries_its_labels():
    series = series_from_spec({"metric": "node_filesystem_files_free", "labels": {"mountpoint": "/"}, "value": 100})
    assert series.type == "gauge"
    assert series.samples(42) == [("node_filesystem_files_free", {"mountpoint": "/"}, 100.0)]


def test_ramp_steps_and_toggle_follow_time():
    ramp = series_from_spec({"metric": "m", "ramp": {"from": 5, "per_second": -2}})
    assert [ramp.samples(t)[0][2] for t in (0, 10)] == [5.0, -15.0]
    steps = series_from_spec({"metric": "m", "steps": {"0s": 10, "5m": 500}})
    assert [steps.samples(t)[0][2] for t in (0, 299, 300, 900)] == [10.0, 10.0, 500.0, 500.0]
    toggle = series_from_spec({"metric": "m", "toggle": {"values": [0, 1], "every": "30s"}})
    assert [toggle.samples(t)[0][2] for t in (0, 29, 30, 60, 95)] == [0.0, 0.0, 1.0, 0.0, 1.0]


def test_counter_rate_and_reset():
    counter = series_from_spec({"metric": "jobs_total", "rate": 3})
    assert counter.type == "counter"
    assert counter.samples(60) == [("jobs_total", {}, 180.0)]
    resetting = series_from_spec({"metric": "jobs_total", "rate": {"per_second": 1, "from": 7, "reset_every": "1m"}})
    assert [resetting.samples(t)[0][2] for t in (0, 59, 60, 90)] == [7.0, 66.0, 0.0, 30.0]


def test_histogram_buckets_are_cumulative_and_count_observations():
    series = series_from_spec({"metric": "req_seconds", "labels": {"route": "/"},
                               "observe": {"value": 2.5, "per_second": 2}})
    got = values(series, 10)
    route = (("route", "/"),)
    assert got[("req_seconds_count", route)] == 20.0
    assert got[("req_seconds_sum", route)] == 50.0
    assert got[("req_seconds_bucket", (("le", "1.0"), ("route", "/")))] == 0.0
    assert got[("req_seconds_bucket", (("le", "2.5"), ("route", "/")))] == 20.0
    assert got[("req_seconds_bucket", (("le", "+Inf"), ("route", "/")))] == 20.0
    buckets = [value for (name, labels), value in got.items() if name == "req_seconds_bucket"]
    assert len(buckets) == len(DEFAULT_BUCKETS) + 1


def test_uniform_observations_fill_buckets_in_proportion():
    series = series_from_spec({"metric": "d", "observe": {"low": 0, "high": 10, "per_second": 1}, "buckets": [5, 10]})
    got = values(series, 100)
    assert got[("d_bucket", (("le", "5.0"),))] == 50.0
    assert got[("d_bucket", (("le", "10.0"),))] == 100.0
    assert got[("d_sum", ())] == 500.0


def test_summary_reports_quantiles():
    series = series_from_spec({"metric": "lat", "type": "summary", "observe": {"low": 0, "high": 1, "per_second": 1}})
    got = values(series, 4)
    assert got[("lat", (("quantile", "0.9"),))] == pytest.approx(0.9)
    assert got[("lat_count", ())] == 4.0


def test_series_reported_only_between_start_and_until():
    series = series_from_spec({"metric": "m", "value": 1, "start": "2m", "until": "6m"})
    assert [bool(series.samples(t)) for t in (0, 119, 120, 359, 360)] == [False, False, True, True, False]


@pytest.mark.parametrize("spec", [
    {"metric": "m", "value": 1},
    {"metric": "m", "type": "gauge", "labels": {"a": "b"}, "ramp": {"from": -1, "per_second": 0.5}, "until": "6m"},
    {"metric": "m", "type": "gauge", "steps": {"0s": 10, "5m": 500}, "start": "30s"},
    {"metric": "m_total", "type": "counter", "rate": 3},
    {"metric": "m_total", "type": "counter", "rate": {"per_second": 1, "from": 4, "reset_every": "10m"}},
    {"metric": "m", "type": "gauge", "toggle": {"values": [0, 1], "every": "30s"}},
    {"metric": "h", "type": "histogram", "observe": {"value": 2.5, "per_second": 1}, "buckets": [1, 2]},
    {"metric": "s", "type": "summary", "observe": {"low": 0.1, "high": 3, "per_second": 2}},
])
def test_spec_round_trip(spec):
    series = series_from_spec(spec)
    assert series_from_spec(series_to_spec(series)) == series


@pytest.mark.parametrize("spec, message", [
    ({"value": 1}, "needs a 'metric'"),
    ({"metric": "m"}, "exactly one of"),
    ({"metric": "m", "value": 1, "rate": 2}, "exactly one of"),
    ({"metric": "m", "type": "histogram", "value": 1}, "needs an observe shape"),
    ({"metric": "m", "type": "counter", "observe": {"value": 1, "per_second": 1}}, "not observe"),
    ({"metric": "m", "type": "meter", "value": 1}, "type must be one of"),
    ({"metric": "m", "rate": -1}, "per_second >= 0"),
    ({"metric": "m", "ramp": {"from": 1, "slope": 2}}, "unknown key(s) ['slope']"),
    ({"metric": "m", "observe": {"value": 1, "low": 0, "per_second": 1}}, "either 'value' or"),
    ({"metric": "m", "value": 1, "start": "5m", "until": "1m"}, "must come after start"),
    ({"metric": "m", "toggle": {"values": [0, 1], "every": "0s"}}, "every"),
    ({"metric": "m", "value": "lots"}, "series 'm'"),
    ({"metric": "m", "value": 1, "colour": "red"}, "unknown key(s) ['colour']"),
])
def test_bad_spec_says_what_is_wrong(spec, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        series_from_spec(spec)


def test_shape_constructors_match_spec_form():
    built = Series.of("m", "gauge", {"b": "2", "a": "1"}, Shape.ramp(1, 2), until=60)
    assert built.labels == (("a", "1"), ("b", "2"))
    assert built == series_from_spec({"metric": "m", "labels": {"a": 1, "b": 2}, "ramp": {"from": 1, "per_second": 2},
                                      "until": "1m"})
    assert built.until != math.inf
