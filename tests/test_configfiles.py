"""fixtures/configfiles.py: every parse error names its file, line and text; mappings know their lines."""

import pytest

from fixtures.configfiles import ConfigError, LineMap, confine, dump_yaml, load_config, load_json, load_yaml
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
    monkeypatch.setattr("fixtures.configfiles.MAX_BYTES", 10)
    with pytest.raises(ConfigError, match="expected at most 10"):
        load_yaml(write_text(tmp_path / "big.yml", "title: eleven bytes and more\n"))


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
