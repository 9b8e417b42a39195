"""fixtures/configfiles.py: every parse error names its file, line and text; mappings know their lines."""

import pytest

from fixtures.configfiles import ConfigError, LineMap, load_config, load_json, load_yaml
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
