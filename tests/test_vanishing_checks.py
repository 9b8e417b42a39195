"""Every name the stack declares resolves, and every input the collection needed was read: a rule
file that is a folder or cannot be read, a role for a job prometheus.yml does not scrape, a truth
for a panel no dashboard has, a severity meant for a receiver alertmanager.yml does not define:
each is a finding at its file and line, never a check that quietly disappears. Controls beside
each defect must pass."""

from __future__ import annotations

import json
import shutil

import yaml

from tests.layout import REFERENCE_STACK
from tests.test_produced_jobs import _declared_stack
from tests.textfiles import line_containing, write_text


def test_names_that_resolve_to_nothing_are_findings_at_their_line(tmp_path, run_suites):
    stack_dir = _declared_stack(tmp_path)
    prometheus = stack_dir / "prometheus"
    write_text(prometheus / "more" / "extra.yml", (prometheus / "rules.yml").read_text())  # a folder, not a file
    (prometheus / "gone.yml").symlink_to(prometheus / "never-written.yml")  # a file that cannot be read
    config = yaml.safe_load((prometheus / "prometheus.yml").read_text())
    config["rule_files"] += ["more", "gone.yml"]
    write_text(prometheus / "prometheus.yml", yaml.safe_dump(config))
    shutil.copytree(REFERENCE_STACK / "alertmanager", stack_dir / "alertmanager")
    manifest = yaml.safe_load((stack_dir / "manifest.yml").read_text())
    manifest["scrape_targets"]["nodes"] = "node"  # prometheus.yml's job is 'node'
    manifest["alertmanager_config"] = "alertmanager/alertmanager.yml"
    manifest["severity_levels"] = {"critical": "critical-alerts", "warning": "warning-alert"}  # its receiver: warning-alerts
    manifest["grafana"]["datasources"] = "grafana/provisioning/datasource"  # the folder is datasources
    manifest["panel_truths"] = {"Hosts/Bussy": {"A": {"fact": "cpu_percent"}},
                                "Hosts/Busy": {"A": {"fact": "cpu_percent"}, "B": {"fact": "memory_percent"}}}
    write_text(stack_dir / "manifest.yml", yaml.safe_dump(manifest, sort_keys=False))

    run = run_suites(stack_dir, 300, "-k", "rule_file_exists or scrape_target or panel_truth or severity_routes or "
                                           "declared_path")

    checks = {(c["check"], c["subject"]): c for c in run.report["checks"]}
    manifest_path = stack_dir / "manifest.yml"
    expected = {
        ("rule file exists", "more"): (prometheus / "prometheus.yml", "- more", "a folder"),
        ("rule file exists", "gone.yml"): (prometheus / "prometheus.yml", "- gone.yml", "cannot be read"),
        ("names a scrape job of prometheus.yml", "nodes"): (manifest_path, "nodes: node", "no scrape job 'nodes'"),
        ("names a panel and its queries", "Hosts/Bussy"): (manifest_path, "Hosts/Bussy", "did you mean ['Hosts/Busy'"),
        # at the truth for the query the panel lacks, not at its panel's entry
        ("names a panel and its queries", "Hosts/Busy"): (manifest_path, "fact: memory_percent", "query ['B']"),
        ("names a file or folder of the stack", "grafana.datasources"): (
            manifest_path, "datasources: grafana/provisioning/datasource", "which the stack folder does not have"),
        ("severity routes to an existing receiver", "warning"): (manifest_path, "warning: warning-alert",
                                                                 "'warning-alert', which alertmanager.yml does not define"),
    }
    for key, (path, text, said) in expected.items():
        found = checks[key]
        assert found["status"] == "failed" and said in found["message"], found
        line = line_containing(path, text) - (text == "fact: memory_percent")  # its 'B:' stands on the line before
        assert found["location"]["line"] == line, (key, found["location"])
    for key in (("rule file exists", "rules.yml"), ("names a scrape job of prometheus.yml", "node"),
                ("names a file or folder of the stack", "grafana.dashboards"),
                ("severity routes to an existing receiver", "critical")):
        assert checks[key]["status"] == "passed", checks[key]
    assert run.result.ret == 1


def test_panels_of_the_schema_before_grafana_5_are_read_as_grafana_migrates_them(tmp_path):
    from fixtures.model.dashboards import load_dashboard

    graph = {"id": 1, "title": "Latency", "type": "graph", "yaxes": [{"format": "s"}, {"format": "short"}],
             "targets": [{"refId": "A", "expr": "histogram_quantile(0.9, rate(x_bucket[5m]))"}]}
    table = {"id": 2, "title": "Uploaded", "type": "table", "yaxes": [{"format": "short"}],
             "styles": [{"pattern": "Time", "type": "hidden"}, {"pattern": "Value", "type": "number", "unit": "s"}],
             "targets": [{"refId": "A", "expr": "time() - last_upload_time"}]}
    text = {"id": 3, "title": "Notes", "type": "text", "content": "read me"}
    board = {"title": "Old", "uid": "old", "schemaVersion": 14,
             "rows": [{"title": "Requests", "panels": [graph, text]}, {"title": "Uploads", "panels": [table]}]}
    path = write_text(tmp_path / "old.json", json.dumps(board, indent=2))

    panels = {panel.title: panel for panel in load_dashboard(path).panels}

    assert set(panels) == {"Latency", "Uploaded", "Notes"}, panels
    assert (panels["Latency"].unit, panels["Uploaded"].unit, panels["Notes"].targets) == ("s", "s", ())
    assert panels["Latency"].line == line_containing(path, '"title": "Latency"')
