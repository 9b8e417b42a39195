"""Bounded cost on large stacks (issue 13 item 6, issue 16 item 3): what a check reads is read once
per run, and what a rule is looked up by is found without scanning every rule or scenario. The
times themselves are measured by benchmarks/scale.py, never asserted here."""

from pathlib import Path

import pytest

from benchmarks.generate_stack import write_stack
from fixtures import tools
from fixtures.model import configfiles
from fixtures.model.stack import Stack
from fixtures.model.stackfiles import ConfigError, confine
from fixtures.scenarios.model import Scenario
from fixtures.scenarios.suite import ScenarioSet
from fixtures.validation import Validation
from tests.layout import REFERENCE_STACK


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Stack:
    return Stack.load(write_stack(60, tmp_path_factory.mktemp("scale") / "stack", routing=True))


def test_the_generator_writes_every_shape_over_several_files_and_groups(generated):
    rules = generated.alert_rules
    assert len(rules) == 60 and len(generated.rule_files) == 6, (len(rules), generated.rule_files)
    exprs = " ".join(rule.expr for rule in rules)
    for shape in ("rate(", "group_left", "absent(", "histogram_quantile(", ") > "):
        assert shape in exprs, shape
    assert {rule.for_ for rule in rules} >= {None, "15m"}, {rule.for_ for rule in rules}
    assert len({rule.group for rule in rules}) == 6 and len({rule.labels["team"] for rule in rules}) == 6


def test_each_rule_file_is_parsed_once_however_many_checks_read_it(generated):
    validation = Validation(generated)
    for rule, _ in generated.named_alert_rules:  # what each check of each rule reads
        assert validation.of_rule(rule) is None, validation.of_rule(rule)
        assert rule in generated.alert_rules and isinstance(generated.prometheus_config, dict)
    parsed = {path: generated.files.parses[path.resolve()] for path in generated.rule_files}
    assert set(parsed.values()) == {1}, parsed
    assert generated.files.parses[generated.prometheus_config_path.resolve()] == 1


def test_an_edited_file_is_parsed_again_and_its_defect_named(tmp_path):
    files = confine(tmp_path)
    path = tmp_path / "rules.yml"
    path.write_text("groups: []\n")
    assert configfiles.shared_config(path) == {"groups": []}
    path.write_text("groups: [\n  - name: x\n")
    with pytest.raises(ConfigError) as raised:
        configfiles.shared_config(path)
    assert raised.value.path == path and raised.value.line is not None, raised.value
    with pytest.raises(ConfigError):  # a defect is kept as one, not parsed again
        configfiles.shared_config(path)
    assert files.parses[path.resolve()] == 2


def test_the_fast_parser_gives_the_same_lines_as_the_python_one():
    import yaml

    for path in sorted(REFERENCE_STACK.rglob("*.yml")):
        slow = yaml.load(path.read_text(), Loader=configfiles._LineLoader)
        fast = configfiles.load_yaml(path)
        assert fast == slow, path
        if isinstance(fast, configfiles.LineMap):
            assert (fast.line, fast.key_lines, fast.item_lines) == (slow.line, slow.key_lines, slow.item_lines), path


def test_scenarios_are_found_by_rule_as_a_scan_would_find_them(generated):
    rules = generated.alert_rules
    found = ScenarioSet(scenarios=[
        Scenario(name=f"{rule.name}-{kind}", path=Path(f"{rule.name}-{kind}.yml"), description="", kind=kind,
                 rule=rule.name, duration=60.0, feeds={})
        for rule in rules[:10] for kind in ("firing", "silent")])
    for rule in rules[:12]:
        for kind in ("firing", "silent"):
            scan = [s for s in found.scenarios if s.kind == kind and s.is_about(rule)]
            assert found.for_rule(rule, kind) == scan, rule.name
    late = Scenario(name="late", path=Path("late.yml"), description="", kind="healthy", rule=None, duration=60.0,
                    feeds={})
    found.scenarios.append(late)  # added after a look-up: the index follows
    assert found.of_kind("healthy") == [late]


def test_label_sets_alike_for_the_routing_tree_are_routed_by_one_amtool_call(generated, monkeypatch):
    config = generated.alertmanager_config_path
    calls = []
    real = tools._amtool_route
    monkeypatch.setattr(tools, "_amtool_route", lambda *args: calls.append(args) or real(*args))
    generated.files.memo("amtool routes").clear()
    first = tools.amtool_route(config, {"alertname": "Rate2", "severity": "critical", "team": "billing"})
    again = tools.amtool_route(config, {"alertname": "Ratio4", "severity": "critical", "team": "search"})
    other = tools.amtool_route(config, {"alertname": "Rate2", "severity": "warning", "team": "billing"})
    assert first == again == ["critical-hook"] and other == ["warning-hook"], (first, again, other)
    assert len(calls) == 2, calls  # severity is all the tree reads


def test_a_matcher_the_cache_cannot_read_routes_every_label_set_on_its_own(tmp_path):
    config = tmp_path / "alertmanager.yml"
    config.write_text('route:\n  receiver: a\n  routes:\n    - matchers: [\'team="x", severity="y"\']\n'
                      '      receiver: b\nreceivers: [{name: a}, {name: b}]\n')
    assert tools._routing_key(config, {"team": "x"}) is None


def test_the_scenarios_that_watched_a_rule_are_found_as_a_scan_would_find_them(generated):
    from fixtures.scenarios.virtual import Timeline

    rules = generated.alert_rules
    scenarios = [Scenario(name=f"s{n}", path=Path(f"s{n}.yml"), description="", kind="firing", rule=rules[n].name,
                          duration=60.0, feeds={}) for n in range(6)]
    # s0 watches rules 1 and 2, s3 watches rule 1, s5 did not run; the others watch nothing.
    watched = {0: [rules[1], rules[2]], 3: [rules[1]]}
    timelines = {s.name: Timeline(s, [0.0], s.path, watched={f"w{k}": rule for k, rule in enumerate(watched.get(n, []))})
                 for n, s in enumerate(scenarios) if n != 5}
    found = ScenarioSet(scenarios=scenarios)
    for rule in rules[:4]:
        scan = [s for s in scenarios if s.name in timelines and rule in timelines[s.name].watched.values()]
        assert found.watching(rule, timelines) == scan, rule.name
    assert [s.name for s in found.watching(rules[1], timelines)] == ["s0", "s3"]
    assert found.watching(rules[1], {}) == []  # another version set's timelines: an index of their own


def test_promtool_keeps_its_test_databases_in_a_run_folder_in_memory(tmp_path, monkeypatch):
    from fixtures import workdirs
    from fixtures.promtool import calls as promtool_tests

    monkeypatch.setattr(promtool_tests, "_SCRATCH", [])
    folder = Path(promtool_tests._environment()["TMPDIR"])
    assert folder.is_dir() and folder.name.startswith("mc-promtool-"), folder
    if workdirs.MEMORY.is_dir():
        assert folder.parent == workdirs.MEMORY, folder
    # A killed run's folder there is removed by the next run, as one in the temporary folder is.
    monkeypatch.setattr(workdirs, "MEMORY", tmp_path)
    stale = tmp_path / "mc-promtool-999999999-x"
    stale.mkdir()
    assert f"folder {stale}" in workdirs.remove_stale_workdirs() and not stale.exists()
    promtool_tests._SCRATCH[0].cleanup()
