"""Several recording rules that record one name, told apart by their labels (a quantile, a window),
as mixins write them: the rule an alert reads is the one whose labels its selector asks for, and
promtool evaluates them all. A series matched one-to-one on an on() list is never fed as several
copies (they would make the join many-to-many). The rules are written for these tests."""

import shutil
from pathlib import Path

import pytest

from fixtures.derivation import Derived, derive
from fixtures.derivation.analysis import analyse
from fixtures.model.rules import AlertRule

pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")

QUANTILES = [{"record": "node_quantile:queue_wait_seconds:histogram_quantile", "labels": {"quantile": q},
              "expr": f"histogram_quantile({q}, sum by (cluster, instance, le) (rate(queue_wait_seconds_bucket[5m])) "
                      "* on (cluster, instance) group_left (node) queue_node_info)"} for q in ("0.99", "0.9", "0.5")]
WINDOWS = [{"record": "job:payment_errors:ratio", "labels": {"window": w},
            "expr": f"sum by (job) (rate(payment_errors_total[{w}])) / sum by (job) (rate(payment_requests_total[{w}]))"}
           for w in ("5m", "1h", "6h")]
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
    analysis = analyse(QUANTILES[0]["expr"], {}, {}, {})
    assert analysis.unique_in_join == {"queue_node_info"}, analysis.unique_in_join
    many = analyse("sum by (instance) (queue_depth) * on (instance) group_left (node) queue_node_info", {}, {}, {})
    assert many.unique_in_join == {"queue_node_info"}, "an aggregated side's inputs may be copied"
    both = analyse("disk_used_bytes / on (instance, device) disk_size_bytes > 0.9", {}, {}, {})
    assert both.unique_in_join == {"disk_used_bytes", "disk_size_bytes"}, both.unique_in_join
