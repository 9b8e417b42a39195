"""The report's pictures: each alert rule's timeline from virtual time (the values promtool
computes for the compared side of its expression, the bands the run saw, the windows its
scenario and ``for`` set) and each valued panel against its truth, inline SVG a large run draws
for failing rules only."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest

from fixtures.model.rules import AlertRule
from fixtures.rule_pictures import add_values, compared
from reports import html_writer, write_html
from reports.model import CheckResult, RunResults
from reports.pictures import panel_values, rule_timeline

PICTURE = {"scenario": "Low-firing", "end": 300.0, "step": 15.0, "for_s": 60.0, "held": [[60.0, 300.0]],
           "fired": [[120.0, 300.0]], "expected": [60.0, 180.0], "threshold": 0.8, "op": "<", "value_of": "q",
           "series": {'{table="a"}': [[0.0, 0.95], [60.0, 0.7], [300.0, 0.7]]}}


def _rule(expr: str) -> AlertRule:
    return AlertRule("Low", "g", SimpleNamespace(name="r.yml"), 3, expr, 4)


@pytest.mark.parametrize(("expr", "expected"), [
    ("data_quality_score < 0.8", ("data_quality_score{}", "<", 0.8)),
    ("0.8 > data_quality_score", ("data_quality_score{}", "<", 0.8)),
    ("(1 - a / b) * 100 > 85", ("(1 - a{} / b{}) * 100", ">", 85.0)),
    ("a > b", ("a{}", ">", None)),
    ("(a > 1) and on (x) b > 2", ("a{}", ">", 1.0)),
    ("((a < 1)) unless b", ("a{}", "<", 1.0)),
    ("a and b", None),
    ("absent(up == 1)", None),
])
def test_the_compared_side_and_threshold_of_an_expression(expr, expected):
    assert compared(_rule(expr)) == expected


def test_promtool_gives_the_compared_sides_values_at_each_evaluation(tmp_path):
    rules = tmp_path / "rules.yml"
    rules.write_text("groups: [{name: g, rules: [{alert: Low, expr: 'quality < 0.8'}]}]\n")
    test = tmp_path / "Low-firing.test.yml"
    test.write_text(f"rule_files: [{rules}]\nevaluation_interval: 1m\ntests:\n"
                    "  - name: Low-firing\n    interval: 1m\n"
                    "    input_series: [{series: 'quality{table=\"a\"}', values: '0.9 0.9 0.5 0.5'}]\n"
                    "    alert_rule_test: [{eval_time: 3m, alertname: Low}]\n")
    empty = tmp_path / "Quiet-firing.test.yml"  # a scenario whose compared side is empty: no failure printed
    empty.write_text(test.read_text().replace("Low-firing", "Quiet-firing").replace("quality{", "other{"))
    timeline = SimpleNamespace(test_file=test, eval_times=[0.0, 60.0, 120.0, 180.0])
    pictures = [{**PICTURE, "value_of": "quality", "series": None},
                {**PICTURE, "scenario": "Quiet-firing", "value_of": "quality", "series": None},
                {**PICTURE, "value_of": "quality * 2", "series": None}]

    add_values([(pictures[0], timeline), (pictures[1], SimpleNamespace(test_file=empty, eval_times=[0.0, 60.0])),
                (pictures[2], timeline)])

    assert pictures[0]["series"] == {'{table="a"}': [[0.0, 0.9], [60.0, 0.9], [120.0, 0.5], [180.0, 0.5]]}
    assert pictures[1]["series"] == {}, "another file's values were taken for this one"
    assert pictures[2]["series"] == {'{table="a"}': [[0.0, 1.8], [60.0, 1.8], [120.0, 1.0], [180.0, 1.0]]}


def test_a_timeline_draws_values_threshold_bands_and_windows_where_they_are():
    svg = ET.fromstring(rule_timeline("Low", PICTURE, live_fired_s=150.0))
    titles = {t.text for t in svg.iter("title")}

    assert {"threshold < 0.8", '{table="a"}', "firing: 2m to 5m", "condition held (pending): 1m to 5m",
            "expected to fire first between 1m and 3m", "fired live after 2m30s of feed",
            "for: 60 s from the condition holding"} <= titles, titles
    threshold = next(line for line in svg.iter("line") if line.get("stroke") == "#a4161a")
    line = next(svg.iter("polyline")).get("points").split()
    y_of = {float(p.split(",")[1]) for p in line}
    assert min(y_of) < float(threshold.get("y1")) < max(y_of), "the threshold is not between the values"
    firing = next(r for r in svg.iter("rect") if r.find("title").text.startswith("firing"))
    assert float(firing.get("x")) + float(firing.get("width")) <= 760, "a band runs past the scenario's end"


def test_a_panel_value_is_drawn_against_its_expected_range():
    svg = ET.fromstring(panel_values("p A", [{"labels": {"job": "api"}, "last": 42.5}], "within [40, 45]"))
    assert {t.text for t in svg.iter("title")} >= {"job=api: 42.5", "expected within [40, 45]"}
    assert panel_values("p A", [], "within [40, 45]") == ""
    tolerated = ET.fromstring(panel_values("p A", [{"labels": {}, "last": 0.9585}], "0.956 ±0.03 (ratio)"))
    band = next(r for r in tolerated.iter("rect"))
    dot = next(tolerated.iter("circle"))
    assert float(band.get("x")) < float(dot.get("cx")) < float(band.get("x")) + float(band.get("width")), \
        "the value within the tolerance is not drawn inside the expected band"


def _rule_check(name: str, status: str, line: int) -> CheckResult:
    return CheckResult("alerting", name, "fires (virtual time)", status, "MUST", "", f"s.py::t[{name}]",
                       location={"file": "r.yml", "line": line, "text": ""}, subject_kind="alert_rule", phase="virtual")


def test_a_large_run_draws_the_timelines_of_failing_rules_only_and_a_bounded_number(tmp_path, monkeypatch):
    run = RunResults(stack="s", stack_name="s", profile="local", started="t")
    run.behaviour = {"subjects": {f"alert rule g/R{n}": {"kind": "alert rule", "name": f"R{n}", "file": "r.yml",
                                                         "line": n, "timeline": PICTURE} for n in range(6)}}
    run.checks = [_rule_check(f"R{n}", "failed" if n % 2 else "passed", n) for n in range(6)]

    run.checks.append(CheckResult("alerting", "R0", "fires (live)", "passed", "MUST", "", "l.py::t[R0]",
                                  location={"file": "r.yml", "line": 0, "text": ""}, subject_kind="alert_rule",
                                  evidence={"Low-firing.yml": {"fired after (s of feed)": 150.0}}))
    run.transforms = [{"file": "r.yml", "location": "R0.for", "change": "2m -> 30s", "reason": "shortened"}]
    html = write_html(run, tmp_path).read_text(encoding="utf-8")
    assert html.count('<svg class="timeline"') == 6 and "http" not in html.split('id="timelines"')[1][:20000]
    assert html.count("fired live after 2m30s of feed (for 30s live)") == 1, "the live firing is not drawn on its rule"
    monkeypatch.setattr(html_writer, "COMPACT_FROM_CHECKS", 1)
    monkeypatch.setattr(html_writer, "PICTURES_OF_A_LARGE_RUN", 4)
    html = write_html(run, tmp_path).read_text(encoding="utf-8")
    assert html.count('<svg class="timeline"') == 3 and all(f"R{n}</a>" in html for n in (1, 3, 5)), \
        "a large run draws failing rules' timelines only"
    monkeypatch.setattr(html_writer, "PICTURES_OF_A_LARGE_RUN", 2)
    assert write_html(run, tmp_path).read_text(encoding="utf-8").count('<svg class="timeline"') == 2, "unbounded"
