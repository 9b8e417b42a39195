"""Rules that share no metric share promtool's test entries (fixtures/promtool/packing.py): what they share
is decided conservatively, and a merged run gives every rule exactly what its own run gives."""

import json

import pytest

from benchmarks.generate_stack import write_stack
from fixtures.derivation import derive
from fixtures.model.stack import Stack
from fixtures.promtool import packing
from fixtures.promtool.documents import RuleFile, merged_entry, unit_test_document
from fixtures.scenarios.model import Scenario
from fixtures.scenarios.suite import ScenarioSet, run_virtual
from fixtures.scenarios.virtual import Compiled, VirtualRuns
from fixtures.validation import Validation


def _member(name: str, footprint, key="k", alertnames=None) -> packing.Member:
    return packing.Member(name, key, footprint, frozenset(alertnames or {name}))


def test_a_footprint_names_every_metric_selected_and_gives_up_on_what_may_read_anything():
    assert packing.footprint(['rate(a_total{x="1"}[5m]) / on (i) b', 'c > 1'], ["recorded"]) == {
        "a_total", "b", "c", "recorded"}
    assert packing.footprint(['{__name__="a"} > 1']) == {"a"}
    for reads_anything in ('{job="x"} > 1', '{__name__=~"a.*"}', 'ALERTS{alertstate="firing"}', "not promql ((("):
        assert packing.footprint(["ok_metric", reads_anything]) is None, reads_anything


def test_rules_share_an_entry_only_with_one_key_disjoint_metrics_and_names_of_their_own():
    members = [
        _member("a", frozenset({"m1"})),
        _member("b", frozenset({"m2"})),  # joins a
        _member("c", frozenset({"m1", "m3"})),  # reads a's metric: a pack of its own
        _member("d", frozenset({"m4"}), alertnames={"a"}),  # a's alert name: not with a
        _member("e", frozenset({"m5"}), key="other"),  # another scrape step or length
        _member("f", None),  # may read anything: alone
        _member("g", frozenset({"m6"})),  # joins a and b
    ]
    assert packing.pack(members) == [["a", "b", "g"], ["c", "d"], ["e"], ["f"]]
    assert packing.pack([_member(str(n), frozenset({f"m{n}"})) for n in range(5)], limit=2) == [
        ["0", "1"], ["2", "3"], ["4"]]


def test_a_merged_entry_holds_every_series_and_question_and_each_member_gets_its_own_alerts():
    entries = [{"name": "a", "interval": "15s", "input_series": [{"series": "m1", "values": "1"}],
                "alert_rule_test": [{"eval_time": "0s", "alertname": "A"}]},
               {"name": "b", "interval": "15s", "input_series": [{"series": "m2", "values": "2"}],
                "alert_rule_test": [{"eval_time": "0s", "alertname": "B"}]}]
    merged = merged_entry("both", entries)
    assert [s["series"] for s in merged["input_series"]] == ["m1", "m2"]
    assert [a["alertname"] for a in merged["alert_rule_test"]] == ["A", "B"]

    class Fired:
        def __init__(self, alertname):
            self.alertname = alertname

    firing = {0.0: [Fired("A"), Fired("B")], 15.0: [Fired("B")]}
    assert {t: [a.alertname for a in alerts] for t, alerts in packing.alerts_named(firing, {"A"}).items()} == {
        0.0: ["A"]}


def _results(results) -> list:
    """What derivation concluded per rule, comparable across runs."""
    out = []
    for result in results:
        if hasattr(result, "firing"):
            out.append((result.rule.name, "derived", result.inputs["firing_value"], result.inputs["near_miss_value"],
                        result.inputs["boundary"], result.expected_labels, result.blip is not None, result.notes))
        else:
            out.append((result.rule.name, "underivable", result.reason))
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Stack:
    return Stack.load(write_stack(21, tmp_path_factory.mktemp("packing") / "stack"))


def test_derivation_concludes_the_same_with_rules_packed_as_each_alone(generated, tmp_path, monkeypatch):
    rules = generated.alert_rules
    settings = {"scrape_interval_s": 15.0, "evaluation_interval_s": 15.0, "job": "services",
                "instance": "services-exporter:9100"}
    packed = _results(derive(rules, [], **settings, directory=tmp_path / "packed"))
    assert list((tmp_path / "packed").glob("conformance-merged-*.test.yml"))
    monkeypatch.setattr(packing, "MAX_PER_ENTRY", 1)
    alone = _results(derive(rules, [], **settings, directory=tmp_path / "alone"))
    assert not list((tmp_path / "alone").glob("conformance-merged-*.test.yml"))
    assert packed == alone
    assert sum(r[1] == "derived" for r in packed) >= 15, packed  # the comparison is about derived rules


def test_virtual_time_gives_each_scenario_the_same_timeline_packed_as_alone(generated, tmp_path, monkeypatch):
    scenarios = ScenarioSet.load(generated, Validation(generated))
    packed = run_virtual(generated, scenarios, tmp_path / "packed")
    assert any(p.name.startswith("conformance-merged-") for p in (tmp_path / "packed").iterdir())
    monkeypatch.setattr(packing, "MAX_PER_ENTRY", 1)
    alone = run_virtual(generated, scenarios, tmp_path / "alone")
    assert not any(p.name.startswith("conformance-merged-") for p in (tmp_path / "alone").iterdir())

    def seen(timelines):
        return {name: (t.error, {at: sorted((a.alertname, sorted(a.labels.items()), sorted(a.annotations.items()))
                                            for a in alerts) for at, alerts in t.firing.items()})
                for name, t in timelines.items()}

    assert seen(packed) == seen(alone)
    assert sum(bool(t.firing) for t in packed.values()) >= 15  # firing scenarios fired: alerts were compared


def test_a_merged_test_promtool_refuses_is_run_again_test_by_test(tmp_path):
    """One broken rule file in a merged test costs the others nothing: each is run alone, and
    only the broken one's timeline has the error, naming its own file."""
    compiled = []
    for name, expr in (("Good", "vector(1) > 0"), ("Broken", "vector(1) >")):
        rules = RuleFile.write(tmp_path / f"{name}.rules.yml", [{"name": name, "rules": [{"alert": name, "expr": expr}]}])
        document = unit_test_document([rules], "15s", [{"name": name, "interval": "15s", "input_series": [],
                                                        "alert_rule_test": [{"eval_time": "15s", "alertname": name}]}])
        path = tmp_path / f"{name}.test.yml"
        path.write_text(json.dumps(document))
        scenario = Scenario(name, path, "", "firing", name, 15.0, {})
        compiled.append(Compiled(scenario, path, document, [0.0, 15.0], frozenset(), {}, frozenset({name}),
                                 frozenset({name})))
    with VirtualRuns(tmp_path, workers=2) as runs:
        runs.add(compiled)
        timelines = runs.timelines()
    assert any(p.name.startswith("conformance-merged-") for p in tmp_path.iterdir())  # they were merged first
    assert timelines["Good"].error is None and timelines["Good"].fired_times("Good") == [15.0]
    assert timelines["Broken"].error and "Broken.test.yml" in timelines["Broken"].error, timelines["Broken"].error

