"""No rule can cost the stack its coverage: each rule's promtool work is bounded before promtool is
called (fixtures/derivation/derive.py, COST_BOUND), its series step and evaluation interval chosen
from its own windows and 'for', so multi-day SLO windows, a week-long 'for' and a day's
``*_over_time`` are derived in seconds; a rule that cannot be derived within its bound is not
derived, alone, with its figures; and a promtool call that outlives its deadline costs only the
file that made it slow (fixtures/promtool/calls.py)."""

import subprocess
from pathlib import Path

import pytest
import yaml

from fixtures import versions
from fixtures.derivation import Derived, Underivable
from fixtures.derivation.candidates import Case, run
from fixtures.derivation.candidates import TestFile as PromtoolTestFile  # not a pytest class
from fixtures.derivation.timescale import COST_BOUND
from fixtures.feeders.series import Series, Shape
from fixtures.model.stack import Stack
from fixtures.model.stackfiles import ConfigError
from fixtures.promtool import calls as promtool_tests
from fixtures.promtool.documents import RuleFile
from fixtures.scenarios.coverage import sources
from fixtures.scenarios.derived import write_scenarios
from fixtures.scenarios.model import load_scenario
from fixtures.scenarios.suite import ScenarioSet, run_virtual
from fixtures.validation import Validation
from tests.textfiles import write_text

WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
# The multi-window, multi-burn-rate SLO alerts of the SRE workbook, over recording rules.
RECORDING = [{"record": f"job:slo_errors:ratio_rate{w}",
              "expr": f'sum by (job) (rate(http_requests_total{{code=~"5.."}}[{w}])) '
                      f"/ sum by (job) (rate(http_requests_total[{w}]))"} for w in WINDOWS]
ALERTS = {
    "SLOBurnFast": ("job:slo_errors:ratio_rate1h > (14.4 * 0.001) and job:slo_errors:ratio_rate5m > (14.4 * 0.001)",
                    "2m"),
    "SLOBurnSlow": ("job:slo_errors:ratio_rate1d > (3 * 0.001) and job:slo_errors:ratio_rate2h > (3 * 0.001)", "1h"),
    "SLOBurnSlowest": ("job:slo_errors:ratio_rate3d > 0.001 and job:slo_errors:ratio_rate6h > 0.001", "3h"),
    "LoadHighAllWeek": ("node_load1 > 100", "1w"),
    "TemperatureHighAllDay": ("avg_over_time(temperature_celsius[24h]) > 30", "5m"),
    # A week's window read with a minute's, every 30 s for a week: no interval its windows and
    # 'for' allow brings it within the bound. The cheap rule beside it in the file is derived.
    "TooCostly": ("rate(jobs_total[1w]) > 1 and rate(jobs_total[1m]) > 0.5", "1m"),
    "Cheap": ("rate(requests_total[5m]) > 1", "5m"),
}


def _stack(tmp_path: Path) -> Path:
    stack_dir = tmp_path / "slo"
    write_text(stack_dir / "manifest.yml", yaml.safe_dump({"name": "slo", "prometheus_config": "prometheus/prometheus.yml"}))
    write_text(stack_dir / "prometheus" / "prometheus.yml", yaml.safe_dump({
        "global": {"scrape_interval": "30s", "evaluation_interval": "30s"}, "rule_files": ["slo.yml"],
        "scrape_configs": [{"job_name": "api", "static_configs": [{"targets": ["api:9000"]}]}]}))
    alerts = [{"alert": name, "expr": expr, "for": hold, "labels": {"severity": "page"}}
              for name, (expr, hold) in ALERTS.items()]
    write_text(stack_dir / "prometheus" / "slo.yml", yaml.safe_dump(
        {"groups": [{"name": "slo-alerts", "rules": alerts}, {"name": "slo-recording", "rules": RECORDING}]},
        sort_keys=False))
    return stack_dir


@pytest.fixture(scope="module")
def slo(tmp_path_factory) -> tuple[Stack, ScenarioSet]:
    stack = Stack.load(_stack(tmp_path_factory.mktemp("cost")))
    return stack, ScenarioSet.load(stack, Validation(stack))


def test_long_windows_and_for_are_derived_within_the_bound_and_the_too_costly_rule_alone_is_not(slo):
    stack, scenarios = slo
    results = {rule.name: scenarios.derivations[rule.key] for rule in stack.alert_rules}
    derived = {name for name, result in results.items() if isinstance(result, Derived)}
    assert derived == set(ALERTS) - {"TooCostly"}, {n: r.reason for n, r in results.items() if n not in derived}
    assert all(0 < result.cost <= COST_BOUND for name, result in results.items() if name != "TooCostly"), {
        name: result.cost for name, result in results.items()}
    too_costly = results["TooCostly"]
    assert isinstance(too_costly, Underivable) and not too_costly.cannot_fire
    assert too_costly.reason.startswith("not derived: too costly (about "), too_costly.reason
    assert "evaluation steps" in too_costly.reason and "windows up to 7d" in too_costly.reason
    assert too_costly.cost > COST_BOUND
    # The slowest SLO pair is derived at coarser intervals, which its notes say; the cheap rule at the stack's.
    slowest = results["SLOBurnSlowest"]
    assert slowest.inputs["evaluation_interval_s"] > 30 and slowest.inputs["scrape_interval_s"] > 30, slowest.inputs
    assert any("chosen for its windows and 'for'" in note for note in slowest.notes), slowest.notes
    assert (results["Cheap"].inputs["scrape_interval_s"], results["Cheap"].inputs["evaluation_interval_s"]) == (30, 30)


def test_coverage_records_the_too_costly_rule_as_untested_with_its_reason(slo):
    stack, scenarios = slo
    coverage = {entry["rule"]: entry for entry in sources(stack, scenarios)}
    assert coverage["TooCostly"]["source"] == "none"
    assert coverage["TooCostly"]["reason"].startswith("not derived: too costly")
    assert {name for name, entry in coverage.items() if entry["source"] == "derived"} == set(ALERTS) - {"TooCostly"}


def test_virtual_time_runs_each_derived_scenario_at_the_intervals_it_was_proven_at(slo, tmp_path):
    stack, scenarios = slo
    timelines = run_virtual(stack, scenarios, tmp_path / "virtual")
    for rule in stack.alert_rules:
        derived = scenarios.derivations[rule.key]
        if not isinstance(derived, Derived):
            continue
        for scenario in scenarios.for_rule(rule, "firing") + scenarios.for_rule(rule, "silent"):
            timeline = timelines[scenario.name]
            assert timeline.error is None, timeline.error
            assert timeline.eval_times[1] == derived.inputs["evaluation_interval_s"], (scenario.name, timeline.eval_times[:3])
            fired = timeline.fired_times(rule.name)
            if scenario.kind == "firing":
                assert fired and fired[-1] == timeline.end, (scenario.name, fired[-3:], timeline.end)
            else:
                assert not fired, (scenario.name, fired[:3])


def _test_file(directory: Path, name: str, expr: str, step_s: float, duration_s: float) -> PromtoolTestFile:
    """One rule's test: a counter sampled and evaluated every ``step_s``."""
    rules = RuleFile.write(directory / f"{name}.rules.yml", [{"name": name, "rules": [{"alert": name, "expr": expr}]}])
    test = PromtoolTestFile(directory / f"{name}.test.yml", [rules], step_s, step_s, duration_s, "job", "host:80",
                            reads=frozenset({name.lower()}), alertnames=frozenset({name}))
    test.cases.append(Case(f"{name}.case", [Series.of(name.lower(), "counter", {}, Shape.rate(1.0))], [duration_s],
                           [name]))
    return test


def test_a_call_that_outlives_its_deadline_costs_only_the_slow_rule(tmp_path, monkeypatch):
    # An hour's window of samples every second, read every second for a day: far more than its
    # stated cost (none), so its deadline is the least one.
    slow = _test_file(tmp_path, "Slow", "rate(slow[1h]) < 0", 1.0, 86400.0)
    quick = _test_file(tmp_path, "Quick", "rate(quick[5m]) > 0.5", 60.0, 600.0)
    calls = []
    monkeypatch.setattr(promtool_tests, "CALL_SECONDS", 8.0)
    monkeypatch.setattr(promtool_tests, "_call", lambda chunk, timeout_s, call=promtool_tests._call: (
        calls.append(sorted(p.name for p in chunk)), call(chunk, timeout_s))[1])
    outcomes, errors = run([slow, quick])
    assert calls == [["Quick.test.yml", "Slow.test.yml"], ["Slow.test.yml"], ["Quick.test.yml"]], calls
    assert list(errors) == [slow.path] and "did not finish within 8 s" in errors[slow.path], errors
    assert outcomes["Quick.case"].fired("Quick") == [600.0]


def test_written_scenarios_keep_the_intervals_they_were_proven_at_and_their_promtool_test_passes(slo, tmp_path):
    stack, scenarios = slo
    [slowest] = [r for r in scenarios.derived_results() if r.rule.name == "SLOBurnSlowest"]
    written = write_scenarios([slowest], tmp_path / "written", stack.rule_files)
    loaded = [load_scenario(path) for path in written if not path.name.endswith(".test.yml")]
    assert {s.kind for s in loaded} == {"firing", "silent"}
    assert {s.intervals for s in loaded} == {(slowest.inputs["scrape_interval_s"], slowest.inputs["evaluation_interval_s"])}
    [test] = [path for path in written if path.name.endswith(".test.yml")]
    assert yaml.safe_load(test.read_text())["group_eval_order"] == ["slo-recording", "slo-alerts"]
    completed = subprocess.run([versions.tool("promtool"), "test", "rules", str(test)], capture_output=True, text=True,
                               check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_a_scenario_file_with_bad_virtual_time_is_an_error_at_its_line(tmp_path):
    path = write_text(tmp_path / "s.yml", "kind: silent\nduration: 1h\nvirtual_time: {scrape: 1m}\n")
    with pytest.raises(ConfigError) as found:
        load_scenario(path)
    assert found.value.line == 3 and "virtual_time has no 'evaluation'" in str(found.value)
