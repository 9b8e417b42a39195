"""fixtures/configfiles.py: every parse error names its file, line and text; mappings know their lines."""

import contextlib
import os
import threading

import pytest

from benchmarks.generate_stack import write_stack
from fixtures.model.configfiles import LineMap, dump_yaml, load_config, load_json, load_yaml
from fixtures.model.stack import Stack
from fixtures.model.stackfiles import ConfigError, SourceLine, confine
from tests.textfiles import line_containing, write_text

RULES = """\
groups:
  - name: pipeline_alerts
    rules:
      - alert: PipelineFailureRate
        expr: |
          rate(pipeline_runs_total[5m]) > 0.1
        labels:
          severity: critical
"""


def test_yaml_error_names_path_line_and_text(tmp_path):
    path = write_text(tmp_path / "rules.yml", RULES.replace("severity: critical", "severity: critical: yes"))
    with pytest.raises(ConfigError) as caught:
        load_yaml(path)
    error = caught.value
    line = line_containing(path, "critical: yes")
    assert (error.path, error.line) == (path, line), f"expected {path}:{line}, got {error.location}"
    assert error.problem.startswith("invalid YAML: mapping values are not allowed"), error.problem
    assert error.text.strip() == "severity: critical: yes", f"offending text shown: {error.text!r}"
    assert str(error).startswith(f"{path}:{line}: invalid YAML"), str(error)


def test_yaml_unclosed_quote_names_the_line_the_quote_opens(tmp_path):
    path = write_text(tmp_path / "alertmanager.yml", 'route:\n  receiver: "web.hook\nreceivers: []\n')
    with pytest.raises(ConfigError) as caught:
        load_yaml(path)
    assert caught.value.line == 2, f"expected line 2 (the opening quote), got {caught.value.location}"
    assert '"web.hook' in caught.value.text, f"offending text shown: {caught.value.text!r}"


def test_json_error_names_its_line(tmp_path):
    path = write_text(tmp_path / "dashboard.json", '{\n  "title": "Ops",\n  "panels": [1, 2,]\n}\n')
    with pytest.raises(ConfigError) as caught:
        load_json(path)
    assert caught.value.line == 3, f"expected line 3 (the trailing comma), got {caught.value.location}"
    assert caught.value.problem.startswith("invalid JSON"), caught.value.problem
    assert '"panels": [1, 2,]' in caught.value.text, caught.value.text


@pytest.mark.parametrize(("name", "old", "new", "at", "named"), [
    ("rules.yml", "        labels:\n", "<<<<<<< HEAD\n        labels:\n=======\n        labels: {}\n>>>>>>> main\n",
     "<<<<<<< HEAD", "merge conflict marker '<<<<<<< HEAD'"),
    ("rules.yml", "        labels:\n", "      \u00a0\u00a0labels:\n", "labels:", "non-breaking space (U+00A0) in the indentation"),
    ("rules.yml", "        labels:\n", "  \u200b      labels:\n", "labels:", "zero-width space (U+200B)"),
    ("dashboard.json", '  "panels": [1, 2]', '  "panels":\u00a0[1, 2]', '"panels"', "non-breaking space (U+00A0) at column"),
])
def test_a_parse_error_is_named_by_its_cause_at_its_line(tmp_path, name, old, new, at, named):
    """What the parser does not name (a merge conflict left in, an invisible character) is the
    finding, at its own line; the parser's words follow."""
    text = RULES if name.endswith(".yml") else '{\n  "title": "Ops",\n  "panels": [1, 2]\n}\n'
    path = write_text(tmp_path / name, text.replace(old, new))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert named in caught.value.problem and "(the parser: " in caught.value.problem, caught.value.problem
    assert caught.value.line == line_containing(path, at), caught.value.location


def test_an_invisible_character_in_a_file_that_parses_is_not_an_error(tmp_path):
    path = write_text(tmp_path / "rules.yml", RULES.replace("severity: critical", 'severity: "crit\u00a0ical"'))
    assert load_yaml(path)["groups"][0]["rules"][0]["labels"]["severity"] == "crit\u00a0ical"


def test_unreadable_file_is_a_config_error_without_line(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "absent.yml")
    assert caught.value.line is None and "cannot be read" in caught.value.problem, str(caught.value)


def test_load_config_picks_the_parser_by_extension(tmp_path):
    # The same text is valid YAML but invalid JSON: the extension alone decides.
    text = "title: Ops\n"
    assert load_config(write_text(tmp_path / "a.yml", text)) == {"title": "Ops"}
    with pytest.raises(ConfigError, match="invalid JSON"):
        load_config(write_text(tmp_path / "a.json", text))


def test_mappings_know_their_lines(tmp_path):
    path = write_text(tmp_path / "rules.yml", RULES)
    rule = load_yaml(path)["groups"][0]["rules"][0]
    assert isinstance(rule, LineMap), type(rule)
    assert rule.line == line_containing(path, "alert: PipelineFailureRate")
    assert rule.line_of("expr") == line_containing(path, "expr: |")
    assert rule.line_of("labels") == line_containing(path, "severity: critical")
    # A key the mapping lacks points at the mapping itself.
    assert rule.line_of("annotations") == rule.line


def test_line_of_item_points_at_each_list_entry(tmp_path):
    path = write_text(tmp_path / "prometheus.yml", 'rule_files:\n  - "a.yml"\n\n  - "b.yml"\n')
    config = load_yaml(path)
    assert [config.line_of_item("rule_files", i) for i in (0, 1)] == [2, 4]
    # Past the end of the list: the line of the list itself, never an IndexError.
    assert config.line_of_item("rule_files", 5) == config.line_of("rule_files") == 2


def test_a_key_written_twice_is_refused_at_its_second_line(tmp_path):
    path = write_text(tmp_path / "rules.yml", RULES.replace("        labels:\n", "        for: 5m\n        for: 1m\n"
                                                                             "        labels:\n"))
    with pytest.raises(ConfigError) as caught:
        load_yaml(path)
    assert caught.value.line == line_containing(path, "for: 1m"), caught.value.location
    assert "duplicate key 'for'" in caught.value.problem and f"line {line_containing(path, 'for: 5m')}" in \
        caught.value.problem, caught.value.problem


def test_a_merge_key_is_not_a_duplicate(tmp_path):
    path = write_text(tmp_path / "a.yml", "base: &b {x: 1}\nuse:\n  <<: *b\n  x: 2\n")
    assert load_yaml(path)["use"] == {"x": 2}


def test_a_json_key_written_twice_in_one_object_is_refused_there_not_in_another(tmp_path):
    path = write_text(tmp_path / "d.json", '{\n "panels": [{"type": "a"},\n  {"type": "b"}],\n "title": "x",\n'
                                           ' "uid": "u",\n "title": "y"\n}\n')
    with pytest.raises(ConfigError) as caught:
        load_json(path)
    assert (caught.value.line, caught.value.text.strip()) == (6, '"title": "y"'), str(caught.value)
    assert "duplicate key 'title' (first at line 4)" in caught.value.problem


def test_an_alias_bomb_is_refused_before_anything_walks_it(tmp_path):
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    path = write_text(tmp_path / "bomb.yml", "\n".join(lines) + "\n")
    with pytest.raises(ConfigError, match="through its aliases") as caught:
        load_yaml(path)
    assert caught.value.line is not None and caught.value.line <= len(lines), caught.value.location


def test_nesting_and_size_are_bounded(tmp_path, monkeypatch):
    deep = "[" * 5000 + "]" * 5000 + "\n"
    for name in ("deep.yml", "deep.json"):
        with pytest.raises(ConfigError, match="nests deeper than"):
            load_config(write_text(tmp_path / name, deep))
    monkeypatch.setattr("fixtures.model.stackfiles.MAX_BYTES", 10)
    with pytest.raises(ConfigError, match="expected at most 10"):
        load_yaml(write_text(tmp_path / "big.yml", "title: eleven bytes and more\n"))


def test_too_deep_and_refused_characters_are_found_at_their_line(tmp_path):
    yaml_deep = write_text(tmp_path / "deep.yml", "a: 1\nb: 2\nnest: " + "[" * 100_000 + "]" * 100_000 + "\n")
    json_deep = write_text(tmp_path / "deep.json", '{\n "a": "[[[[",\n "nest": ' + '{"a": ' * 150 + "1" + "}" * 150 + "\n}\n")
    nul = write_text(tmp_path / "nul.yml", "# one\n# two \x00\na: 1\n")
    for path, line, problem in ((yaml_deep, 3, "nests deeper than"), (json_deep, 3, "nests deeper than"),
                                (nul, 2, r"character U\+0000 at column 7")):
        with pytest.raises(ConfigError, match=problem) as caught:
            load_config(path)
        assert caught.value.line == line, f"{path.name}: expected line {line}, got {caught.value.location}"


def test_a_named_pipe_is_refused_unopened(tmp_path):
    """Opening a FIFO for reading blocks until a writer comes: a reader must refuse it without opening."""
    import os

    from fixtures.model.rules import _refusal

    fifo = tmp_path / "rules.yml"
    os.mkfifo(fifo)
    # A reader that opens the pipe blocks until a writer comes: one comes after a while, so that a
    # broken reader ends (reading nothing) and this test fails rather than hangs.
    writer = threading.Timer(3, _open_for_writing, (fifo,))
    writer.start()
    try:
        with pytest.raises(ConfigError, match=r"is a named pipe \(FIFO\), not a regular file"):
            load_yaml(fifo)
    finally:
        writer.cancel()
    stack = type("Stack", (), {"inside": staticmethod(lambda path: True)})()
    assert "named pipe" in (_refusal(stack, fifo) or ""), "rule_files matching a FIFO must refuse it"


def _open_for_writing(fifo) -> None:
    import os

    with contextlib.suppress(OSError):  # no reader waiting: nothing to unblock
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


def test_a_file_reached_through_a_stack_folder_that_leaves_it_is_not_read(tmp_path):
    outside = write_text(tmp_path / "outside" / "secret.yml", "password: hunter2\n")
    (tmp_path / "stack").mkdir()
    (tmp_path / "stack" / "link.yml").symlink_to(outside)
    confine(tmp_path / "stack")
    for path in (tmp_path / "stack" / "link.yml", tmp_path / "stack" / ".." / "outside" / "secret.yml"):
        with pytest.raises(ConfigError, match="leaves the stack folder") as caught:
            load_yaml(path)
        assert "hunter2" not in str(caught.value)
    assert load_yaml(outside) == {"password": "hunter2"}, "a file not reached through a stack folder is read"


def test_messages_quote_a_bounded_excerpt(tmp_path):
    path = write_text(tmp_path / "a.yml", "label: " + "x" * 1_000_000 + ": y\n")
    with pytest.raises(ConfigError) as caught:
        load_yaml(path)
    assert len(str(caught.value)) < 3000 and "more characters]" in caught.value.text, len(str(caught.value))


def test_a_failing_check_quotes_a_megabyte_label_value_as_a_bounded_excerpt(tmp_path):
    from fixtures.checks import at, fail

    value = "v" * 1_048_576
    with pytest.raises(pytest.fail.Exception) as caught:
        fail(f"alert 'A': label team={value!r} names no receiver", at(tmp_path / "r.yml", 3, f"team: {value}"))
    assert len(str(caught.value)) < 5000 and "more characters]" in str(caught.value), len(str(caught.value))
    assert len(caught.value.location["text"]) < 5000, len(caught.value.location["text"])


def test_a_mapping_read_from_the_stack_is_written_back_as_plain_yaml(tmp_path):
    """Recording rules read from a stack are written into the harness's promtool files: their
    nested mappings (a rule's labels) are line-tracking mappings, which a YAML dumper must write as
    the mappings they are (the derivation benchmark died on every corpus with labelled recordings)."""
    rules = load_yaml(write_text(tmp_path / "rules.yml", RULES))
    labels = rules["groups"][0]["rules"][0]["labels"]
    assert isinstance(labels, LineMap), "the loader no longer tracks lines: this test guards nothing"
    written = dump_yaml({"rule": dict(rules["groups"][0]["rules"][0])}, sort_keys=False)
    assert "labels:\n    severity: critical" in written, written


SCENARIO = """\
rule: HighCPUUsage
kind: firing
duration: 8m
feeds:
  node-exporter:
    - host: {cpu_busy: 0.9}
  data-pipeline:
    - pipeline_runs: {pipeline_name: p, every: 10s}
expect:
  firing:
    - alertname: HighCPUUsage
"""


@pytest.mark.parametrize(("old", "new", "at", "problem"), [
    (("feeds:\n  node-exporter:\n    - host: {cpu_busy: 0.9}\n  data-pipeline:\n"
     "    - pipeline_runs: {pipeline_name: p, every: 10s}\n"), "feeds: node-exporter\n",
     "feeds:", "feeds: 'node-exporter' is not of type"),
    ("{cpu_busy: 0.9}", "{cpu_busy: {value: 0.9}}", "cpu_busy", "cpu_busy: {'value': 0.9} is not of type 'number'"),
    ("every: 10s", "every: 0s", "every:", "every: '0s' must be more than 0s"),
    ("every: 10s", "every: 1ms", "every:", "places 480,000 events"),
    ("duration: 8m", "duration: 100000000h", "duration:", "is longer than 31d"),
    ("duration: 8m", "duraton: 8m", "duraton:", "unknown field 'duraton'"),
    ("    - host: {cpu_busy: 0.9}", "    - hots: {cpu_busy: 0.9}", "hots:", "unknown field 'hots'"),
])
def test_a_scenario_file_is_read_against_its_schema(tmp_path, monkeypatch, old, new, at, problem):
    """Every value of a scenario file is typed and bounded: one ConfigError at its line, never an
    exception from the engine (a str's .items(), a division by zero, a run that never ends)."""
    from fixtures.scenarios.model import load_scenario

    monkeypatch.setattr("fixtures.scenarios.model.MAX_EVENTS", 100_000)
    path = write_text(tmp_path / "s.yml", SCENARIO.replace(old, new))
    with pytest.raises(ConfigError) as caught:
        load_scenario(path)
    assert problem in caught.value.problem, caught.value.problem
    assert caught.value.line == line_containing(path, at), f"expected the line of {at!r}, got {caught.value.location}"


def test_a_valid_scenario_file_reads(tmp_path):
    from fixtures.scenarios.model import load_scenario

    scenario = load_scenario(write_text(tmp_path / "s.yml", SCENARIO.replace("duration: 8m", "duration: 480")))
    assert scenario.duration == 480 and [a.every for a in scenario.feeds["data-pipeline"]] == [10.0]


def test_two_stacks_read_in_one_process_each_see_their_own_files(tmp_path):
    """Stacks with the same relative file names read one after the other in one process (the
    self-tests build many): each sees its own rules and lines, though the second's rule file is the
    first's inode rewritten in place, same size, same modification time, as a file system that
    reuses an inode within one tick of its clock leaves it. What was read of a stack is its own
    (fixtures/model/stackfiles.StackFiles), never a process-wide memo keyed by a file's version."""
    first = Stack.load(write_stack(2, tmp_path / "one"))
    rule = first.alert_rules[0]
    line = SourceLine(rule.file, rule.line).text
    assert rule.name in line, (rule.name, line)
    stat = rule.file.stat()
    (tmp_path / "one").rename(tmp_path / "two")
    relative = rule.file.relative_to(tmp_path / "one")
    path = tmp_path / "two" / relative
    with path.open("r+", encoding="utf-8") as same_inode:
        text = same_inode.read()
        same_inode.seek(0)
        same_inode.write(text.replace(rule.name, rule.name.swapcase()))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (path.stat().st_ino, path.stat().st_mtime_ns, path.stat().st_size) == (
        stat.st_ino, stat.st_mtime_ns, stat.st_size)

    second = Stack.load(tmp_path / "two")
    names = [r.name for r in second.alert_rules]
    assert rule.name.swapcase() in names and rule.name not in names, names
    own = next(r for r in second.alert_rules if r.name == rule.name.swapcase())
    assert rule.name.swapcase() in SourceLine(own.file, own.line).text, SourceLine(own.file, own.line).text
