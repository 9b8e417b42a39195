"""fixtures/scenarios/history.py and the look-back it leaves: what is pre-loaded before the live
Prometheus starts, read back from the TSDB blocks promtool wrote."""

import itertools
import re

import pytest

from fixtures.feeders.activities import build_activity
from fixtures.feeders.scrape import scrape_targets
from fixtures.feeders.targets import build_target
from fixtures.model.rules import unfilled_lookback_s
from fixtures.scenarios import history
from fixtures.tools import run_tool


def dumped(blocks) -> dict[str, list[tuple[float, int]]]:
    """Series (as promtool prints its labels) -> [(value, timestamp ms)], from `promtool tsdb dump`."""
    found: dict[str, list[tuple[float, int]]] = {}
    (blocks / "wal").mkdir(exist_ok=True)  # promtool opens the folder as a database
    for line in run_tool("promtool", "tsdb", "dump", str(blocks)).output.splitlines():
        match = re.match(r"(\{.*\}) (\S+) (\d+)$", line)
        if match:
            found.setdefault(match.group(1), []).append((float(match.group(2)), int(match.group(3))))
    return found


def test_a_counter_has_its_rate_over_the_whole_window_before_the_run(tmp_path):
    target = build_target("kafka", "kafka:9308", "generic", None)
    feed = build_activity("series", {"metric": "messages_total", "type": "counter", "labels": {"topic": "a"},
                                     "rate": 2})
    made = history.build([(target, feed)], [target], 300, {"kafka": 15.0}, None, tmp_path / "data")
    assert made.window_s == 300 and made.samples == 21  # one per scrape of the job, both ends included
    (series, points), = dumped(made.blocks).items()
    assert 'job="kafka"' in series and 'instance="kafka:9308"' in series and 'topic="a"' in series
    values = [v for v, _ in sorted(points, key=lambda p: p[1])]
    assert values[0] == -600 and values[-1] == 0  # the live feed goes on from 0 at the same rate
    assert {b - a for a, b in itertools.pairwise(values)} == {30.0}


def test_a_state_that_begins_later_has_no_history(tmp_path):
    target = build_target("kafka", "kafka:9308", "generic", None)
    later = build_activity("series", {"metric": "lag", "value": 5, "start": "2m"})
    made = history.build([(target, later)], [target], 300, {"kafka": 15.0}, None, tmp_path / "data")
    assert made.window_s == 0 and made.blocks is None and "nothing is fed before the run" in made.describe()


def kafka_config(honor_labels: bool) -> dict:
    """A job renamed by relabelling, its static config giving a team, its samples relabelled."""
    return {"scrape_configs": [{
        "job_name": "kafka", "honor_labels": honor_labels,
        "static_configs": [{"targets": ["kafka:9308"], "labels": {"team": "platform"}}],
        "relabel_configs": [{"target_label": "job", "replacement": "kafka-renamed"}],
        "metric_relabel_configs": [{"source_labels": ["__name__"], "regex": "debug_.*", "action": "drop"},
                                   {"source_labels": ["topic"], "target_label": "stream"}]}]}


@pytest.mark.parametrize("honor_labels, team", [
    (True, {"team": "data"}),  # the sample's own label wins
    (False, {"team": "platform", "exported_team": "data"}),  # the target's, the sample's kept beside it
])
def test_relabelled_and_label_honouring_jobs_get_their_history_as_prometheus_stores_it(tmp_path, honor_labels, team):
    """Such jobs are not left without history (where a rule over them would be judged as if its
    window were full): their samples are written as Prometheus stores them."""
    config = kafka_config(honor_labels)
    (scrape,) = scrape_targets(config)
    target = build_target("kafka", scrape.address, "generic", None, scrape)
    feeds = [(target, build_activity("series", {"metric": "messages_total", "type": "counter", "rate": 2,
                                                "labels": {"topic": "a", "team": "data"}})),
             (target, build_activity("series", {"metric": "debug_calls", "value": 1}))]
    made = history.build(feeds, [target], 300, {"kafka": 15.0}, config, tmp_path / "data")
    assert made.window_s == 300 and not made.not_loaded, made.describe()
    (series, points), = dumped(made.blocks).items()  # debug_calls dropped by metric relabelling
    labels = dict(re.findall(r'(\w+)="([^"]*)"', series))
    assert labels == {"__name__": "messages_total", "job": "kafka-renamed", "instance": "kafka:9308", "topic": "a",
                      "stream": "a", **team}, labels
    assert len(points) == 21


def test_the_instrumentation_counts_on_through_the_history(tmp_path):
    target = build_target("node", "node-exporter:9100", "node", None)
    load = build_activity("host", {"cpu_busy": 0.9})
    made = history.build([(target, load)], [target], 120, {"node": 30.0}, None, tmp_path / "data")
    idle = [points for series, points in dumped(made.blocks).items()
            if "node_cpu_seconds_total" in series and 'mode="idle"' in series]
    assert idle, "the node exporter's CPU counters are in the history"
    values = [v for v, _ in sorted(idle[0], key=lambda p: p[1])]
    assert len(values) == 5 and values == sorted(values) and values[-1] > values[0]


@pytest.mark.parametrize(("expr", "history_s", "unfilled"), [
    ("rate(x_total[5m]) > 1", 330, 0),
    ("rate(x_total[5m]) > 1", 0, 300),
    ("rate(x_total[10m]) > 1", 330, 600),  # longer than the history
    ("avg_over_time(job:x:rate1m[5m]) > 1", 3600, 360),  # a window over a recording rule's series
    ("job:x:rate1m > 1", 3600, 0),  # the recording rule reads scraped series, which have history
])
def test_the_look_back_history_leaves_unfilled(expr, history_s, unfilled):
    recorded = {"job:x:rate1m": "sum by (job) (rate(x_total[1m]))"}
    assert unfilled_lookback_s(expr, recorded, history_s) == unfilled


def test_a_hosts_cpu_counters_count_through_the_history_at_its_load_and_go_on_from_there(tmp_path):
    """A 25 % busy host: over the pre-loaded hour its idle seconds grow 0.75 s a second (a rate()
    rule reads 25 %, not a flat counter's 100 %), and the live scrape continues from the last one."""
    target = build_target("node", "node-exporter:9100", "node", None)
    made = history.build([(target, build_activity("host", {"cpu_busy": 0.25}))], [target], 600, {"node": 30.0}, None,
                         tmp_path / "data")
    idle = [points for series, points in dumped(made.blocks).items()
            if "node_cpu_seconds_total" in series and 'mode="idle"' in series and 'cpu="0"' in series]
    values = [v for v, _ in sorted(idle[0], key=lambda p: p[1])]
    assert [round(b - a, 3) for a, b in itertools.pairwise(values)] == [22.5] * (len(values) - 1), values
    live = next(s.value for family in target.registry.collect() for s in family.samples
                if s.name == "node_cpu_seconds_total" and s.labels == {"cpu": "0", "mode": "idle"})
    assert 0 <= live - values[-1] < 5, (values[-1], live)  # seconds of wall time since, not an hour's jump
