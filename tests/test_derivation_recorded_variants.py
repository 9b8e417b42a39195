"""Several recording rules that record one name, told apart by their labels (a quantile, a window),
as mixins write them: the rule an alert reads is the one whose labels its selector asks for, and
promtool evaluates them all. A series matched one-to-one on an on() list is never fed as several
copies (they would make the join many-to-many). The rules are written for these tests."""

import shutil
from pathlib import Path

import pytest
import yaml

from fixtures.derivation import Derived, derive
from fixtures.derivation.analysis import analyse
from fixtures.model.rules import AlertRule, RecordingRule, recordings_read

pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")

QUANTILES = [RecordingRule("node_quantile:queue_wait_seconds:histogram_quantile", "variants", Path("variants.yml"), n,
                           f"histogram_quantile({q}, sum by (cluster, instance, le) (rate(queue_wait_seconds_bucket[5m])) "
                           "* on (cluster, instance) group_left (node) queue_node_info)", {"quantile": q})
             for n, q in enumerate(("0.99", "0.9", "0.5"), 10)]
WINDOWS = [RecordingRule("job:payment_errors:ratio", "variants", Path("variants.yml"), n,
                         f"sum by (job) (rate(payment_errors_total[{w}])) / sum by (job) (rate(payment_requests_total[{w}]))",
                         {"window": w}) for n, w in enumerate(("5m", "1h", "6h"), 20)]
RULES = {
    "QueueWaitHigh": 'node_quantile:queue_wait_seconds:histogram_quantile{quantile="0.99"} >= 10',
    "PaymentErrorsBurning": 'job:payment_errors:ratio{window="1h"} > 0.05',
}


def test_the_recording_rule_an_alert_reads_is_the_one_its_selector_asks_for(tmp_path):
    rules = [AlertRule(name, "variants", Path("variants.yml"), n + 1, expr, n + 1, for_="5m",
                       labels={"severity": "warning"}, annotations={}) for n, (name, expr) in enumerate(RULES.items())]
    found = derive(rules, QUANTILES + WINDOWS, scrape_interval_s=15, evaluation_interval_s=15, job="queue",
                   instance="queue:9000", directory=tmp_path)
    assert all(isinstance(r, Derived) for r in found), [(r.rule.name, r.reason) for r in found
                                                         if not isinstance(r, Derived)]


def test_a_series_on_the_one_side_of_an_on_join_is_never_copied():
    analysis = analyse(QUANTILES[0].expr, {}, {}, {})
    assert analysis.unique_in_join == {"queue_node_info"}, analysis.unique_in_join
    many = analyse("sum by (instance) (queue_depth) * on (instance) group_left (node) queue_node_info", {}, {}, {})
    assert many.unique_in_join == {"queue_node_info"}, "an aggregated side's inputs may be copied"
    both = analyse("disk_used_bytes / on (instance, device) disk_size_bytes > 0.9", {}, {}, {})
    assert both.unique_in_join == {"disk_used_bytes", "disk_size_bytes"}, both.unique_in_join


def test_the_recording_rules_a_rule_reads_are_found_by_its_selectors_not_by_its_text(tmp_path):
    """A recorded name that is only part of a metric's name, or written in a label value, is not
    read; every rule recording a name read is, with what each of them reads (a 5m and a 1h variant
    of one ratio read recorded series of their own windows)."""
    def recorded(name: str, expr: str, line: int, **labels) -> RecordingRule:
        return RecordingRule(name, "slo", Path("slo.yml"), line, expr, labels)

    recording = [recorded("job:errors:rate5m", "sum by (job) (rate(errors_total[5m]))", 1),
                 recorded("job:errors:rate1h", "sum by (job) (rate(errors_total[1h]))", 2),
                 recorded("job:requests:rate5m", "sum by (job) (rate(requests_total[5m]))", 3),
                 recorded("job:requests:rate1h", "sum by (job) (rate(requests_total[1h]))", 4),
                 recorded("slo:ratio", "job:errors:rate5m / job:requests:rate5m", 5, window="5m"),
                 recorded("slo:ratio", "job:errors:rate1h / job:requests:rate1h", 6, window="1h"),
                 recorded("app_requests", "sum(app_requests_total)", 7)]
    assert [r.line for r in recordings_read(['slo:ratio{window="5m"} > 0.1'], recording)] == [1, 2, 3, 4, 5, 6]
    reads_none = 'rate(app_requests_total{source="app_requests"}[5m]) > 1'
    assert recordings_read([reads_none], recording) == []
    rules = [AlertRule("AppRequests", "app", Path("app.yml"), 1, reads_none, 1, labels={}, annotations={})]
    derive(rules, recording, scrape_interval_s=15, evaluation_interval_s=15, job="app", instance="app:80",
           directory=tmp_path)
    groups = yaml.safe_load((tmp_path / "r0.rules.yml").read_text())["groups"]
    assert [rule for group in groups for rule in group["rules"] if "record" in rule] == [], groups
