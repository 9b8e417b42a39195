"""The checks that need produced metrics work from what the stack declares, with no hand-written
scenario: the jobs its scrape configs produce after relabelling, the roles of its targets, its
recording rules (judged through their inputs). Pure parts first, then small stacks run as a user
runs them, each with controls that must pass."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from fixtures.model.scrape_jobs import produced_jobs, relabel
from tests.layout import REFERENCE_STACK
from tests.textfiles import line_containing, write_text


def _jobs(*scrape_configs: dict):
    return produced_jobs({"scrape_configs": list(scrape_configs)})


def test_a_static_job_is_its_job_name_or_its_target_group_s_job_label():
    found = _jobs({"job_name": "api", "static_configs": [{"targets": ["api:80"]}]},
                  {"job_name": "b", "static_configs": [{"targets": ["b:80"], "labels": {"job": "batch"}}]},
                  {"job_name": "idle", "static_configs": [{"targets": []}]})
    assert found.jobs == {"api": "api", "batch": "b"} and not found.open
    assert found.empty and "'idle'" in found.empty[0]


def test_relabelling_renames_and_drops_as_prometheus_does():
    found = _jobs(
        {"job_name": "components", "static_configs": [{"targets": ["thanos-query-0:10902", "thanos-store-1:10902"]}],
         "relabel_configs": [{"source_labels": ["__address__"], "regex": r"(thanos-[a-z]+)-\d+:.*",
                              "target_label": "job", "replacement": "${1}"}]},
        {"job_name": "gone", "static_configs": [{"targets": ["x:1"]}],
         "relabel_configs": [{"source_labels": ["__address__"], "regex": "y:.*", "action": "keep"}]},
        {"job_name": "shout", "static_configs": [{"targets": ["x:2"]}],
         "relabel_configs": [{"source_labels": ["job"], "target_label": "job", "action": "uppercase"}]})
    assert found.jobs == {"thanos-query": "components", "thanos-store": "components", "SHOUT": "shout"}
    assert found.empty and "'gone'" in found.empty[0]


def test_a_job_whose_label_is_known_only_when_prometheus_runs_is_open_with_the_reason():
    found = _jobs(
        {"job_name": "pods", "kubernetes_sd_configs": [{"role": "pod"}],
         "relabel_configs": [{"source_labels": ["__meta_kubernetes_pod_label_app"], "target_label": "job"}]},
        {"job_name": "federate", "honor_labels": True, "static_configs": [{"targets": ["p:9090"]}]},
        {"job_name": "svc", "kubernetes_sd_configs": [{"role": "service"}],
         "relabel_configs": [{"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"}]})
    # A discovered label that does not reach job leaves job_name as it is.
    assert found.jobs == {"svc": "svc"}
    assert any("'pods'" in reason and "service discovery" in reason for reason in found.open), found.open
    assert any("'federate'" in reason and "honor_labels" in reason for reason in found.open), found.open
    included = produced_jobs({"scrape_config_files": ["jobs/*.yml"], "scrape_configs": []})
    assert any("scrape_config_files" in reason for reason in included.open), included.open


def test_relabel_expands_references_as_go_does():
    labels = {"__address__": "host:9100", "job": "node"}
    rules = [{"source_labels": ["__address__"], "regex": "(?P<host>[^:]+):(.*)", "target_label": "instance",
              "replacement": "$host/${2}-$2x"}]
    assert relabel(labels, rules)["instance"] == "host/9100-"  # $2x names the group "2x": none, empty


def test_a_target_label_naming_groups_is_the_label_they_name():
    """Prometheus expands ``target_label`` too: on a known target the label written is known, for the
    produced jobs and the live targets alike (one relabelling engine); only an unknown value leaves it open."""
    labels = {"__address__": "db-7:9187", "job": "postgres"}
    rules = [{"source_labels": ["__address__"], "regex": "([a-z]+)-(\\d+):.*", "target_label": "${1}_shard",
              "replacement": "$2"}, {"target_label": "job", "regex": None, "replacement": "pg"}]
    assert relabel(labels, rules) == {"__address__": "db-7:9187", "job": "pg", "db_shard": "7"}
    assert produced_jobs({"scrape_configs": [{"job_name": "pg", "static_configs": [{"targets": ["db-7:9187"]}],
                                               "relabel_configs": [{"source_labels": ["__address__"],
                                                                    "regex": "([a-z]+)-.*", "target_label": "${1}",
                                                                    "replacement": "x"}]}]}).jobs == {"pg": "pg"}


# A stack with no hand-written scenario: one node exporter (its families declared by the synthetic
# exporter), two generic jobs (one relabelled), rules over jobs it has and one it does not.
RULES = """groups:
  - name: hosts
    rules:
      - record: job:node_cpu:rate5m
        expr: sum by (job) (rate(node_cpu_seconds_total{job="node"}[5m]))
      - record: ghost:requests:rate5m
        expr: sum(rate(requests_total{job="ghost"}[5m]))
      - alert: HostBusy
        expr: job:node_cpu:rate5m > 0.9
        labels: {severity: warning}
      - alert: HostCpuTypo
        expr: rate(node_cpu_secnds_total{job="node"}[5m]) > 0.9
        labels: {severity: warning}
      - alert: HostLoadHigh
        expr: node_load1{job="node"} > 8
        labels: {severity: warning}
      - alert: HostTooManyOpenFiles
        expr: node_filefd_allocated{job="node"} / node_filefd_maximum{job="node"} > 0.8
        labels: {severity: warning}
      - alert: HostAppTypo
        expr: app_requests_totl{job="node"} > 1
        labels: {severity: warning}
      - alert: QueryDown
        expr: absent(up{job=~".*thanos-query.*"})
        labels: {severity: critical}
      - alert: GhostDown
        expr: absent(up{job="ghost"} == 1)
        labels: {severity: critical}
      - alert: GhostSlow
        expr: ghost:requests:rate5m < 1
        labels: {severity: warning}
      - alert: StoreErrors
        expr: rate(store_errors_total{job="thanos-store"}[5m]) > 0
        labels: {severity: warning}
"""


def _declared_stack(tmp_path: Path) -> Path:
    stack_dir = tmp_path / "declared"
    write_text(stack_dir / "manifest.yml", yaml.safe_dump({
        "name": "declared", "prometheus_config": "prometheus/prometheus.yml",
        "scrape_targets": {"node": "node", "thanos": "generic"},
        "grafana": {"dashboards": "grafana/dashboards", "datasources": "grafana/provisioning/datasources"}}))
    write_text(stack_dir / "prometheus" / "prometheus.yml", yaml.safe_dump({
        "global": {"scrape_interval": "15s", "evaluation_interval": "15s"}, "rule_files": ["rules.yml"],
        "scrape_configs": [
            {"job_name": "node", "static_configs": [{"targets": ["node:9100"]}]},
            {"job_name": "thanos", "static_configs": [{"targets": ["thanos-query-0:10902", "thanos-store-0:10902"]}],
             "relabel_configs": [{"source_labels": ["__address__"], "regex": r"(thanos-[a-z]+)-\d+:.*",
                                  "target_label": "job"}]}]}))
    write_text(stack_dir / "prometheus" / "rules.yml", RULES)
    shutil.copytree(REFERENCE_STACK / "grafana" / "provisioning", stack_dir / "grafana" / "provisioning")
    source = {"type": "prometheus", "uid": "prometheus"}
    board = {"uid": "hosts", "title": "Hosts", "schemaVersion": 39, "panels": [
        {"id": 1, "title": "Notes", "type": "text", "options": {"content": "read me"}},
        {"id": 2, "title": "Section", "type": "row", "panels": []},
        {"id": 3, "title": "Busy", "type": "timeseries", "datasource": source,
         "targets": [{"refId": "A", "expr": "job:node_cpu:rate5m"}]},
        {"id": 4, "title": "Ghost", "type": "timeseries", "datasource": source,
         "targets": [{"refId": "A", "expr": "ghost:requests:rate5m"}]},
        {"id": 5, "title": "Query", "type": "timeseries", "datasource": source,
         "targets": [{"refId": "A", "expr": 'sum(rate(http_requests_total{job=~"$job"}[5m]))'}]},
        {"id": 6, "title": "Ghost job", "type": "timeseries", "datasource": source,
         "targets": [{"refId": "A", "expr": 'up{job=~"$ghost"}'}]}],
        "templating": {"list": [
            {"name": "job", "type": "query", "datasource": source, "refresh": 1,
             "query": 'label_values(up{job=~".*thanos-query.*"}, job)'},
            {"name": "ghost", "type": "query", "datasource": source, "refresh": 1,
             "query": 'label_values(up{job="ghost-exporter"}, job)'}]}}
    write_text(stack_dir / "grafana" / "dashboards" / "hosts.json", json.dumps(board, indent=2))
    return stack_dir


@pytest.fixture
def declared_run(tmp_path, run_suites):
    stack_dir = _declared_stack(tmp_path)
    run = run_suites(stack_dir, 300, "-k", "produced or jobs_scraped or datasource or variables or time_unit")
    checks = {(c["check"], c["subject"]): c for c in run.report["checks"]}
    return stack_dir, checks, run


def test_a_rule_over_a_job_no_scrape_config_produces_is_a_must_finding_at_its_line(declared_run):
    stack_dir, checks, run = declared_run
    rules = stack_dir / "prometheus" / "rules.yml"
    jobs = "selects only jobs the stack scrapes"
    for subject, text in (("GhostDown", 'absent(up{job="ghost"} == 1)'),
                          ("ghost:requests:rate5m", "record: ghost:requests:rate5m")):
        found = checks[(jobs, subject)]
        assert found["status"] == "failed" and found["level"] == "MUST", found
        assert 'job="ghost"' in found["message"] and "no scrape config" in found["message"], found
        assert found["location"]["line"] == line_containing(rules, text), found["location"]
    # Read through the recording rule, the alert and the panel are judged by its inputs.
    assert checks[(jobs, "GhostSlow")]["status"] == "failed", checks[(jobs, "GhostSlow")]
    assert "ghost:requests:rate5m" in checks[(jobs, "GhostSlow")]["message"]
    assert checks[(jobs, "Hosts/Ghost")]["status"] == "failed", checks[(jobs, "Hosts/Ghost")]
    # A panel's job variable offers the jobs its query selects: none is a panel that shows nothing.
    ghost_variable = checks[(jobs, "Hosts/Ghost job")]
    assert ghost_variable["status"] == "failed" and "$ghost" in ghost_variable["message"], ghost_variable
    assert 'job="ghost-exporter"' in ghost_variable["message"], ghost_variable
    # Controls: the job by name, a regex matched against the relabelled jobs, through a recording rule.
    for subject in ("HostBusy", "QueryDown", "StoreErrors", "HostCpuTypo", "job:node_cpu:rate5m", "Hosts/Busy",
                    "Hosts/Query"):
        assert checks[(jobs, subject)]["status"] == "passed", checks[(jobs, subject)]
    assert run.result.ret == 1
    run.result.stdout.fnmatch_lines(["conformance verdict: does not conform: * MUST check(s) fail; tested: *"])


def test_metric_names_are_judged_where_a_role_declares_them_and_not_where_nothing_does(declared_run):
    _, checks, _ = declared_run
    reads = "reads only metrics the stack produces"
    typo = checks[(reads, "HostCpuTypo")]
    assert typo["status"] == "failed" and "node_cpu_secnds_total" in typo["message"], typo
    for subject in ("HostBusy", "job:node_cpu:rate5m"):
        assert checks[(reads, subject)]["status"] == "passed", checks[(reads, subject)]
    # Families of the real node exporter its synthetic twin does not serve are unknown, not missing:
    # valid rules over a real exporter never fail. A name a letter from a served one is a typo, and
    # one outside the exporter's namespace cannot come from it.
    for subject, name in (("HostLoadHigh", "node_load1"), ("HostTooManyOpenFiles", "node_filefd_allocated")):
        found = checks[(reads, subject)]
        assert found["status"] == "not applicable" and name in found["message"], found
        assert "synthetic twin serves only in part" in found["message"], found
    outside = checks[(reads, "HostAppTypo")]
    assert outside["status"] == "failed" and "app_requests_totl" in outside["message"], outside
    # A generic target no scenario feeds: its metric names are unknown, so the check cannot fail there.
    store = checks[(reads, "StoreErrors")]
    assert store["status"] == "not applicable" and "thanos-store" in store["message"], store
    assert checks[(reads, "QueryDown")]["status"] == "not applicable", checks[(reads, "QueryDown")]
    panel = checks[("metrics produced by the stack", "Hosts/Busy")]
    assert panel["status"] == "passed", panel


def test_a_panel_over_a_recording_rule_is_judged_through_its_inputs(tmp_path, run_suites):
    stack_dir = _declared_stack(tmp_path)
    rules = stack_dir / "prometheus" / "rules.yml"
    rules.write_text(rules.read_text().replace('rate(node_cpu_seconds_total{job="node"}[5m])',
                                               'rate(node_cpu_secs_total{job="node"}[5m])'))
    run = run_suites(stack_dir, 300, "-k", "metrics_produced")
    panel = next(c for c in run.report["checks"] if c["subject"] == "Hosts/Busy")
    assert panel["status"] == "failed", panel
    assert "node_cpu_secs_total" in panel["message"] and "through recording rule 'job:node_cpu:rate5m'" in panel["message"]


def test_panels_without_queries_are_not_applicable_never_failures(declared_run):
    _, checks, _ = declared_run
    panel_checks = {check for check, subject in checks if subject == "Hosts/Notes"}
    assert {"metrics produced by the stack", "selects only jobs the stack scrapes", "datasource resolves",
            "template variables defined", "unit matches what the query yields"} <= panel_checks, panel_checks
    for check in panel_checks:
        found = checks[(check, "Hosts/Notes")]
        assert found["status"] == "not applicable" and "has no query" in found["message"], found
    assert not any(subject == "Hosts/Section" for _, subject in checks)  # a row is a layout, not a panel
