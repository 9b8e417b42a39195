"""Grafana's documented interpolation rules, against the documentation's own examples."""

import pytest

from fixtures.dashboards.evaluate import bounds_problem, settling_window_s, time_unit_problem, yields_seconds
from fixtures.durations import format_duration
from fixtures.model.interpolation import (
    QueryContext,
    Value,
    interpolate,
    legend,
    legend_labels,
    nice_interval,
    range_seconds,
)

SIX_HOURS = 6 * 3600


def context(**overrides) -> QueryContext:
    values = {"range_s": SIX_HOURS, "end_s": 1_700_000_000.0, "scrape_interval_s": 15.0}
    return QueryContext(**{**values, **overrides})


@pytest.mark.parametrize(("raw", "nice"), [(0.9, 1), (4, 5), (13, 15), (21.6, 20), (40, 30), (100, 120),
                                           (3000, 3600), (50000, 43200)])
def test_raw_intervals_round_to_nice_ones(raw, nice):
    assert nice_interval(raw) == nice


def test_interval_is_the_range_over_max_data_points_never_below_the_scrape_interval():
    assert context().interval_s == 20  # 6h / 1000 points = 21.6s, rounded to 20s
    assert context(range_s=3600).interval_s == 15  # 3.6s would undercut the 15s scrape interval
    assert context(min_interval_s=60).interval_s == 60  # a min step wins over the range


def test_rate_interval_follows_the_documented_formula():
    # Grafana's documentation: max($__interval + scrape interval, 4 * scrape interval).
    assert context(range_s=3600).rate_interval_s == 60  # max(15 + 15, 60)
    assert context(range_s=24 * 3600).interval_s == 60  # 86.4s rounds to 1m
    assert context(range_s=24 * 3600).rate_interval_s == 75  # max(60 + 15, 60)
    # A query's min step replaces the datasource scrape interval (Grafana PR #77234).
    assert context(range_s=3600, min_interval_s=30).rate_interval_s == 120


def test_range_variables_are_the_dashboard_time_range():
    builtins = context().builtins()
    assert (builtins["__range"], builtins["__range_s"], builtins["__range_ms"]) == ("21600s", "21600", "21600000")
    assert builtins["__to"] == "1700000000000"
    assert int(builtins["__to"]) - int(builtins["__from"]) == SIX_HOURS * 1000


def test_interpolation_replaces_every_documented_syntax_and_longest_names_first():
    expr = "rate(x[$__rate_interval]) + y[${__interval}] + z[[[__range]]] + $__interval_ms + on_$env"
    got = interpolate(expr, context(variables=(Value("env", ("prod",)),)))
    assert got == "rate(x[1m]) + y[20s] + z[21600s] + 20000 + on_prod"


def test_multi_value_variables_become_a_regex_alternation_escaped_for_a_promql_string():
    # Grafana's Prometheus data source doubles the backslash: the regex sits in a PromQL string,
    # where a single "\." is an unknown escape sequence.
    job = Value("job", ("api", "pipeline.x"), regex_join=True)
    got = interpolate('up{job=~"$job"}', context(variables=(job,)))
    assert got == r'up{job=~"(api|pipeline\\.x)"}'


def test_relative_time_ranges():
    assert range_seconds("now-6h") == SIX_HOURS
    assert range_seconds("now-7d", "now-1d") == 6 * 86400
    with pytest.raises(ValueError, match="unsupported time expression"):
        range_seconds("2024-01-01")


def test_durations_are_formatted_as_grafana_writes_them():
    assert [format_duration(v) for v in (0.5, 15, 60, 90, 3600, 86400)] == ["500ms", "15s", "1m", "90s", "1h", "1d"]


def test_legend_format():
    assert legend_labels("{{ endpoint }} - {{method}}") == ["endpoint", "method"]
    assert legend("{{ endpoint }} - {{method}}", {"endpoint": "/a", "method": "GET"}) == "/a - GET"
    assert legend("{{ missing }}", {}) == ""  # Grafana renders an absent label as nothing


def test_what_a_query_yields():
    assert yields_seconds("time() - max(pipeline_last_success_timestamp)")
    assert yields_seconds("histogram_quantile(0.95, sum by (le) (rate(api_request_duration_seconds_bucket[5m])))")
    assert not yields_seconds("sum(rate(api_requests_total[1m]))")
    assert not yields_seconds('100 - avg(irate(node_cpu_seconds_total{mode="idle"}[5m])) * 100')
    assert yields_seconds("max(x_timestamp_seconds)")
    # A unit is the name's suffix, not a word inside it: these count samples (kube-prometheus's Prometheus / Overview)
    assert not yields_seconds("rate(prometheus_target_scrapes_sample_duplicate_timestamp_total[5m])")
    assert not yields_seconds("sum(rate(prometheus_target_scrapes_sample_out_of_order_timestamp_total[1m]))")
    assert time_unit_problem("m", "time() - max(x_timestamp)") == (
        "the query yields seconds, but the panel's unit is 'm', a different time unit (seconds: 's')")
    assert time_unit_problem("s", "time() - max(x_timestamp)") is None
    assert bounds_problem("percentunit", [0.5, 1.2]) is not None
    assert bounds_problem("percentunit", [0.0, 1.0]) is None


def test_a_query_settles_once_its_averaging_window_is_full():
    assert settling_window_s("rate(x[5m])") == 300
    assert settling_window_s("irate(x[5m])") == 0  # irate reads the last two samples only
    assert settling_window_s("sum(avg_over_time(x[10m])) / sum(rate(y[1m]))") == 600
