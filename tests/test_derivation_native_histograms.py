"""A histogram_quantile over a series that is not a classic histogram's _bucket series can still
fire when that series holds native-histogram samples (they need no 'le'): it is proven unable to
fire only where no series it reads can be one, or where the stack's Prometheus holds none.
The rules are written for these tests."""

import shutil
from pathlib import Path

import pytest

from fixtures.derivation import Underivable, derive
from fixtures.model.rules import AlertRule, RecordingRule
from fixtures.scenarios.derived import ingests_native_histograms

pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")

RECORDING = [RecordingRule("route:checkout_latency_seconds:rate1m", "shop", Path("shop.yml"), 1,
                           "sum by (route) (rate(checkout_latency_seconds[1m]))")]
RULES = {
    # a bare name: a native histogram makes it fire
    "bare_name": "histogram_quantile(0.99, sum by (route) (rate(checkout_latency_seconds[5m]))) > 2",
    # the same through a recorded series
    "recorded": "histogram_quantile(0.99, route:checkout_latency_seconds:rate1m) > 2",
    # a counter's name is reserved for counters: no native histogram has it
    "counter_name": "histogram_quantile(0.9, rate(checkout_requests_total[5m])) > 1",
    # a classic histogram's buckets aggregated without 'le': nothing a native histogram changes
    "buckets_without_le": "histogram_quantile(0.9, sum by (route) (rate(checkout_latency_seconds_bucket[5m]))) > 1",
}


def _derive(tmp_path: Path, native_histograms: bool) -> dict[str, Underivable]:
    rules = [AlertRule(name, "native", Path("native.yml"), n + 1, expr, n + 1, for_="0m",
                       labels={"severity": "warning"}, annotations={}) for n, (name, expr) in enumerate(RULES.items())]
    found = derive(rules, RECORDING, scrape_interval_s=15, evaluation_interval_s=15, job="shop",
                   instance="shop:8080", directory=tmp_path, native_histograms=native_histograms)
    assert all(isinstance(r, Underivable) for r in found), [r.rule.name for r in found if not isinstance(r, Underivable)]
    return {r.rule.name: r for r in found}


def test_a_quantile_over_a_series_that_may_be_native_is_not_proven_where_native_samples_may_exist(tmp_path):
    found = _derive(tmp_path, native_histograms=True)
    for name in ("bare_name", "recorded"):
        assert not found[name].cannot_fire, f"{name}: a wrong proof ({found[name].reason})"
        assert "only native-histogram samples can make it hold" in found[name].reason, found[name].reason
    for name in ("counter_name", "buckets_without_le"):
        assert found[name].cannot_fire, f"{name} is still impossible: {found[name].reason}"


def test_where_the_stack_holds_no_native_histograms_the_quantile_over_a_bare_name_is_proven(tmp_path):
    found = _derive(tmp_path, native_histograms=False)
    assert all(result.cannot_fire for result in found.values()), {n: r.reason for n, r in found.items() if not r.cannot_fire}
    assert "checkout_latency_seconds, which is not a _bucket series" in found["bare_name"].reason


@pytest.mark.parametrize(("config", "command", "native"), [
    ({}, None, False),
    ({}, ["--config.file=/etc/prometheus/prometheus.yml"], False),
    ({}, ["--enable-feature=native-histograms"], True),
    ({}, ["--web.enable-remote-write-receiver"], True),
    ({"global": {"scrape_native_histograms": True}}, None, True),
    ({"scrape_configs": [{"job_name": "shop", "scrape_native_histograms": True}]}, None, True),
    ({"scrape_configs": [{"job_name": "shop", "scrape_native_histograms": False}]}, None, False),
])
def test_the_stack_says_whether_its_prometheus_holds_native_histograms(config, command, native):
    assert ingests_native_histograms(config, command) is native
