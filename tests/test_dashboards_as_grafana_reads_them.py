"""Dashboards that Grafana reads without complaint pass, and the defects it would show fail, on
copies of the reference stack with one more dashboard written for the purpose: statically (no
container) and, once, live."""

from __future__ import annotations

import json

from tests.live_runs import run_suites as run_live

BOARD = "Grafana Reads It"
FILE = "grafana/dashboards/grafana-reads-it.json"
PROMETHEUS = {"type": "prometheus", "uid": "prometheus"}
DATASOURCE_VARIABLE = {"name": "datasource", "type": "datasource", "query": "prometheus"}
RECORDING_RULE = """groups:
  - name: dashboard_recordings
    rules:
      - record: pipeline_name:pipeline_runs:rate5m
        expr: sum by (pipeline_name) (rate(pipeline_runs_total[5m]))
"""


def panel(panel_id: int, title: str, expr: str, datasource=PROMETHEUS, legend: str = "") -> dict:
    return {"id": panel_id, "title": title, "type": "timeseries", "datasource": datasource,
            "targets": [{"refId": "A", "datasource": datasource, "expr": expr, "legendFormat": legend}]}


def with_dashboard(broken_stack, panels: list[dict], variables: list[dict] = (), **extra):
    """A copy of the reference stack with the dashboard added (and a recording rule file, valid
    configuration every case may use)."""
    stack_dir = broken_stack("prometheus/prometheus.yml", '  - "infrastructure_rules.yml"',
                             '  - "infrastructure_rules.yml"\n  - "dashboard_recordings.yml"')
    (stack_dir / "prometheus" / "dashboard_recordings.yml").write_text(RECORDING_RULE)
    model = {"uid": "grafana-reads-it", "title": BOARD, "schemaVersion": 39, "time": {"from": "now-1h", "to": "now"},
             "templating": {"list": list(variables)}, "panels": panels, **extra}
    (stack_dir / FILE).write_text(json.dumps(model, indent=2) + "\n")
    return stack_dir


def check(run, test: str, panel_name: str) -> dict:
    return run.check(f"{test}[{BOARD}/{panel_name}]")


def test_a_datasource_variable_resolves(broken_stack, run_suites):
    stack_dir = with_dashboard(broken_stack, [
        panel(1, "Object form", "up", {"type": "prometheus", "uid": "${datasource}"}),
        panel(2, "String form", "up", "$datasource"),
        panel(3, "Exported", "up", {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}),
    ], [DATASOURCE_VARIABLE, {**DATASOURCE_VARIABLE, "name": "DS_PROMETHEUS"}],
        __inputs=[{"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"}])
    run = run_suites(stack_dir)
    for name in ("Object form", "String form", "Exported"):
        found = check(run, "test_datasource_resolves", name)
        assert found["status"] == "passed", found


def test_an_exported_dashboard_s_inputs_alone_do_not_resolve_under_provisioning(broken_stack, run_suites):
    stack_dir = with_dashboard(broken_stack, [panel(1, "Exported", "up", {"type": "prometheus", "uid": "${DS_PROMETHEUS}"})],
                               __inputs=[{"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"}])
    found = check(run_suites(stack_dir), "test_datasource_resolves", "Exported")
    assert found["status"] == "failed" and "grafana/grafana#10786" in found["message"], found


def test_a_recording_rule_of_the_stack_counts_as_produced(broken_stack, run_suites):
    stack_dir = with_dashboard(broken_stack, [panel(1, "Recorded", "sum(pipeline_name:pipeline_runs:rate5m)")])
    found = check(run_suites(stack_dir), "test_metrics_produced", "Recorded")
    assert found["status"] == "passed", found


def test_panels_sharing_a_title_are_each_checked(broken_stack, run_suites):
    stack_dir = with_dashboard(broken_stack, [panel(7, "Twin", "sum(api_requests_total)"),
                                              panel(8, "Twin", "no_such_metric_total")])
    run = run_suites(stack_dir)
    first, second = check(run, "test_metrics_produced", "Twin (id 7)"), check(run, "test_metrics_produced", "Twin (id 8)")
    assert first["status"] == "passed", first
    assert second["status"] == "failed" and "no_such_metric_total" in second["message"], second


def test_a_variable_the_dashboard_does_not_define_is_a_finding_at_its_query(broken_stack, run_suites):
    stack_dir = with_dashboard(broken_stack, [panel(1, "Undefined", 'up{job=~"$job", env="${env}"}')],
                               [{"name": "job", "type": "custom", "query": "analytics-api,data-pipeline"}])
    found = check(run_suites(stack_dir), "test_variables_defined", "Undefined")
    assert found["status"] == "failed" and "['$env']" in found["message"], found
    written = (stack_dir / FILE).read_text().splitlines()
    location = found["location"]
    assert location["file"].endswith(FILE) and '"expr"' in written[location["line"] - 1], location


def test_live_variables_errors_twins_and_no_data_legends(broken_stack, tmp_path, engine):
    """One live run: an unsaved label_values variable is run, not pasted into PromQL; a refused
    query shows Prometheus's own error; panels sharing a title each run; and the legend check on a
    panel that returned nothing is not applicable."""
    stack_dir = with_dashboard(broken_stack, [
        panel(1, "By pipeline", 'sum(rate(pipeline_runs_total{pipeline_name=~"$pipeline"}[5m]))'),
        panel(2, "Refused", "label_values(up, job)"),
        panel(3, "Twin", "up", legend="{{ job }}"),
        panel(4, "Twin", 'up{job="no-such-job"}', legend="{{ job }}"),
    ], [{"name": "pipeline", "type": "query", "query": "label_values(pipeline_runs_total, pipeline_name)",
         "refresh": 1, "datasource": PROMETHEUS}])
    run = run_live(stack_dir, tmp_path / "report", "-m", "live", "-k", "test_panel_has_data or test_panel_legend")
    checks = {(c["nodeid"].split("::")[1].split("[")[0], c["subject"]): c for c in run.report.get("checks", [])}
    assert checks, run.stdout[-3000:]

    def status(test, name):
        return checks[(test, f"{BOARD}/{name}")]

    by_pipeline = status("test_panel_has_data", "By pipeline")
    assert by_pipeline["status"] == "passed", by_pipeline
    refused = status("test_panel_has_data", "Refused")
    assert refused["status"] == "failed" and 'unknown function with name \\"label_values\\"' in json.dumps(refused["message"]), refused
    assert "Bad Request for url" not in refused["message"], refused
    assert status("test_panel_has_data", "Twin (id 3)")["status"] == "passed"
    assert status("test_panel_has_data", "Twin (id 4)")["status"] == "failed"
    assert status("test_panel_legend", "Twin (id 3)")["status"] == "passed"
    legend = status("test_panel_legend", "Twin (id 4)")
    assert legend["status"] == "not applicable" and "returned no data" in legend["message"], legend
