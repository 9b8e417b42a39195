"""The version matrix (--versions) on a small stack written for the purpose: behaviours that differ
between Prometheus 2.42 and 3.16 and between Alertmanager 0.25 and 0.35 show up as differences in
results.json and the report, with the release notes' reason where an upgrade finding names it; and
the pure parts (option parsing, the matrix, the upgrade detectors) on their own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from fixtures import versions
from fixtures.upgrade import MUST, SHOULD, alertmanager_matcher_findings, prometheus3_rule_findings
from reports.model import CheckResult, RunResults
from reports.versions import UPGRADE_CHECKS, version_matrix
from tests.layout import ROOT
from tests.textfiles import write_text

NEWER = {"prometheus": "3.16.0", "alertmanager": "0.35.0"}
needs_newer = pytest.mark.skipif(
    not all(versions.built_dir(c, v).is_dir() for c, v in NEWER.items()),
    # Built only when asked (`scripts/bootstrap --versions`, about 17 minutes): CI on a fresh machine
    # does not build them for this one test; a machine that has them runs it on them.
    reason="Prometheus 3.16.0 and Alertmanager 0.35.0 are not built on this machine (scripts/bootstrap --versions)")

# One rule file per behaviour, so each difference is its own row of the matrix.
RULES = {
    # Prometheus 3 reads metric names in quotes (UTF-8 names); Prometheus 2 does not parse them.
    "utf8.yml": '{"app.jobs.failed"} > 0',
    # Range selectors are left-open in Prometheus 3: [1m] over 10s samples holds 6, not 7.
    "heartbeat.yml": "count_over_time(heartbeat[1m]) > 6",
    # '.' matches a newline in Prometheus 3's regular expressions.
    "events.yml": 'events{msg=~"disk.full"} > 0',
}
NAMES = {"utf8.yml": "JobsFailing", "heartbeat.yml": "HeartbeatsCounted",
         "events.yml": "DiskFullReported"}

# Alertmanager 0.26 added Microsoft Teams receivers: 0.25's amtool rejects the field, 0.35 reads it.
# The route's matcher: the classic parser reads it, the UTF-8 parser only through its fallback.
ALERTMANAGER = """route:
  receiver: team
  routes:
    - matchers: [team=data platform]
      receiver: team
receivers:
  - name: team
    msteams_configs:
      - webhook_url: http://teams.example.invalid/hook
"""


def _upgrade_stack(tmp_path: Path) -> Path:
    stack_dir = tmp_path / "upgrade"
    write_text(stack_dir / "manifest.yml", yaml.safe_dump({
        "name": "upgrade", "prometheus_config": "prometheus/prometheus.yml",
        "alertmanager_config": "alertmanager/alertmanager.yml", "scenarios": "scenarios"}))
    write_text(stack_dir / "alertmanager" / "alertmanager.yml", ALERTMANAGER)
    write_text(stack_dir / "prometheus" / "prometheus.yml", yaml.safe_dump({
        "global": {"scrape_interval": "10s", "evaluation_interval": "10s"}, "rule_files": sorted(RULES),
        "scrape_configs": [{"job_name": "worker", "static_configs": [{"targets": ["worker:9000"]}]}]}))
    for file, expr in RULES.items():
        write_text(stack_dir / "prometheus" / file, yaml.safe_dump({"groups": [{"name": file.removesuffix(".yml"), "rules": [
            {"alert": NAMES[file], "expr": expr, "labels": {"severity": "warning"},
             "annotations": {"summary": NAMES[file], "description": expr}}]}]}))
    beat = {"worker": [{"series": {"metric": "heartbeat", "value": 1}}]}
    scenarios = {
        "heartbeat-firing": {"rule": "HeartbeatsCounted", "kind": "firing", "duration": "3m", "feeds": beat,
                             "expect": {"firing": [{"alertname": "HeartbeatsCounted", "labels": {
                                 "job": "worker", "instance": "worker:9000", "severity": "warning"}}]}},
        "heartbeat-silent": {"rule": "HeartbeatsCounted", "kind": "silent", "duration": "3m",
                             "feeds": {"worker": [{"series": {"metric": "heartbeat", "value": 1, "until": "30s"}}]}},
    }
    scenarios["events-firing"] = {
        "rule": "DiskFullReported", "kind": "firing", "duration": "2m",
        "feeds": {"worker": [{"series": {"metric": "events", "labels": {"msg": "disk\nfull"}, "value": 1}}]},
        "expect": {"firing": [{"alertname": "DiskFullReported", "labels": {
            "msg": "disk\nfull", "job": "worker", "instance": "worker:9000", "severity": "warning"}}]}}
    for name, scenario in scenarios.items():
        write_text(stack_dir / "scenarios" / f"{name}.yml", yaml.safe_dump({"description": name, **scenario}))
    return stack_dir


@needs_newer
def test_the_matrix_shows_what_each_upgrade_changes(tmp_path, run_suites):
    run = run_suites(_upgrade_stack(tmp_path), 600, "--versions", "prometheus=2.42.0,3.16.0",
                     "alertmanager=0.25.0,0.35.0")

    own, prometheus3, alertmanager035 = "own: prometheus 2.42.0, alertmanager 0.25.0", "prometheus 3.16.0", \
        "alertmanager 0.35.0"
    assert run.report["versions"] == [{"prometheus": "2.42.0", "alertmanager": "0.25.0"},
                                      {"prometheus": "3.16.0", "alertmanager": "0.25.0"},
                                      {"prometheus": "2.42.0", "alertmanager": "0.35.0"}], run.result.stdout.str()
    differing = {(d["check"], d["subject"]): d for d in run.report["version_differences"]}

    def statuses(check: str, subject: str) -> tuple[str, str, str]:
        found = differing.get((check, subject))
        assert found, f"{check}[{subject}] does not differ between versions; differences: {sorted(differing)}"
        return found["statuses"][own], found["statuses"][prometheus3], found["statuses"][alertmanager035]

    # '.' matches newlines: the alert fires on Prometheus 3 only.
    assert statuses("fires (virtual time)", "DiskFullReported") == ("failed", "passed", "failed")
    # UTF-8 names: the other way round.
    assert statuses("promtool check rules", "prometheus/utf8.yml") == ("failed", "passed", "failed")
    # Left-open range: 7 heartbeats in the minute on Prometheus 2, 6 on Prometheus 3.
    assert statuses("fires (virtual time)", "HeartbeatsCounted") == ("passed", "failed", "passed")
    assert any("left-open" in r for r in differing[("fires (virtual time)", "HeartbeatsCounted")]["reasons"])
    # A receiver option Alertmanager 0.25 does not know.
    assert statuses("amtool check-config", "alertmanager.yml") == ("failed", "failed", "passed")
    # Every check carries its versions, in results.json and junit.xml; the report leads with the differences.
    unversioned = [c["nodeid"] for c in run.report["checks"] if not c["versions"] and c["check"] != "part of this stack"]
    assert not unversioned, unversioned  # only the parts the stack leaves out are recorded once, for every version
    junit = (tmp_path / "report" / "junit.xml").read_text()
    assert "on prometheus 3.16.0, alertmanager 0.25.0" in junit
    html = (tmp_path / "report" / "report.html").read_text()
    assert html.index('id="versions"') < html.index('id="failures"')


def test_versions_option_names_the_problem():
    with pytest.raises(versions.VersionsError, match="COMPONENT=VERSION"):
        versions.parse(["grafana=10.0.0"])
    with pytest.raises(versions.VersionsError, match="MAJOR.MINOR.PATCH"):
        versions.parse(["prometheus=latest"])
    with pytest.raises(versions.VersionsError, match=r"`scripts/bootstrap --versions` builds .* about 10 minutes"):
        versions.parse(["prometheus=2.42.0,9.9.9"])


def test_a_discovery_plugin_the_build_left_out_is_named_at_its_line(tmp_path, monkeypatch):
    """The matrix's Prometheus is built with -tags remove_all_sd (file and http discovery kept): a
    configuration that needs another plugin is told which, where, and how to build it in."""
    config = tmp_path / "prometheus.yml"
    write_text(config, """scrape_configs:
  - job_name: pods
    kubernetes_sd_configs: [{role: pod}]
    file_sd_configs: [{files: [targets.json]}]
alerting:
  alertmanagers:
    - ec2_sd_configs: [{region: eu-west-1}]
""")
    monkeypatch.setattr(versions, "built_dir", lambda component, version: tmp_path / f"{component}-{version}")
    write_text(tmp_path / "prometheus-3.16.0" / "sd-plugins", "file\nhttp\n")
    sets = versions.matrix({"prometheus": ["2.42.0", "3.16.0"]})

    problems = versions.discovery_problems(config, sets)
    assert [p.split(": ")[0] for p in problems] == [f"{config}:3", f"{config}:7"], problems
    assert "'kubernetes' discovery plugin" in problems[0] and "MC_PROMETHEUS_SD=kubernetes scripts/bootstrap" \
        in problems[0] and "'aws' discovery plugin" in problems[1], problems
    write_text(tmp_path / "prometheus-3.16.0" / "sd-plugins", "file\nhttp\nkubernetes\naws\n")
    assert versions.discovery_problems(config, sets) == []
    (tmp_path / "prometheus-3.16.0" / "sd-plugins").unlink()  # a full build has them all
    assert versions.discovery_problems(config, sets) == []


def test_the_matrix_changes_one_component_at_a_time():
    sets = versions.matrix({"prometheus": ["2.42.0", "3.16.0"], "alertmanager": ["0.25.0", "0.35.0"]})
    assert [s.as_dict() for s in sets] == [
        {"prometheus": "2.42.0", "alertmanager": "0.25.0"},
        {"prometheus": "3.16.0", "alertmanager": "0.25.0"},
        {"prometheus": "2.42.0", "alertmanager": "0.35.0"}]
    assert sets[1].binary("promtool").endswith("prometheus-3.16.0/promtool")
    assert sets[0].binary("promtool") == "/usr/bin/promtool"


def test_upgrade_detectors_name_file_line_and_reason(tmp_path):
    rules = tmp_path / "rules.yml"
    write_text(rules, """groups:
  - name: g
    rules:
      - alert: Buckets
        expr: sum(rate(request_seconds_bucket{le="1"}[5m])) > 1
      - alert: Dots
        expr: up{instance=~"web.*"} == 0
      - alert: Counted
        expr: changes(flag[1m]) > 2
      - alert: Slow
        expr: rate(requests_total[5m]) > 1
""")
    config = {"global": {"scrape_interval": "15s"}, "scrape_configs": [{"job_name": "web"}]}
    found = {(f.rule, f.level, f.line) for f in prometheus3_rule_findings(rules, config)}
    assert ("Buckets", MUST, 5) in found  # le="1" is scraped as le="1.0"
    assert ("Dots", SHOULD, 7) in found  # '.' matches newlines
    assert ("Counted", SHOULD, 9) in found  # 4 samples in the left-open minute, was 5
    assert not [f for f in found if f[0] == "Slow"], found  # 20 samples: a rate does not hinge on one


def test_alertmanager_matcher_warnings_are_placed_in_the_file(tmp_path):
    config = tmp_path / "alertmanager.yml"
    write_text(config, "route:\n  receiver: x\n  routes:\n    - matchers: [team=a b]\n      receiver: x\n")
    logged = ('time=... level=WARN msg="Alertmanager is moving to a new parser for labels and matchers, and this '
              'input is incompatible." input="team=a b" origin=config err="unexpected b" suggestion="team=\\"a b\\""')
    (finding,) = alertmanager_matcher_findings(config, logged)
    assert finding.line == 4 and 'team="a b"' in finding.reason and finding.level == SHOULD


def test_the_report_puts_differences_first_with_the_upgrade_finding_as_reason():
    from reports.html_writer import render
    from reports.model import CheckResult, RunResults
    from reports.versions import version_matrix

    own, newer = {"prometheus": "2.42.0", "alertmanager": "0.25.0"}, {"prometheus": "3.16.0", "alertmanager": "0.25.0"}

    def check(subject, status, on, module="test_alerts_virtual", **kw):
        return CheckResult(component="alerting", subject=subject, check="fires (virtual time)", status=status,
                           level="MUST", message="" if status == "passed" else "did not fire",
                           nodeid=f"suites/{module}.py::t[{subject}-{on['prometheus']}]", versions=on, **kw)

    run = RunResults(stack="s", stack_name="s", profile="local", started="now", versions=[own, newer], checks=[
        check("Same", "passed", own), check("Same", "passed", newer),
        check("Counted", "passed", own), check("Counted", "failed", newer),
        CheckResult(component="prometheus", subject="rules.yml", check="upgrade", status="failed", level="SHOULD",
                    message="x", nodeid="suites/test_upgrade.py::t", versions=newer,
                    evidence={"findings": [{"file": "rules.yml", "line": 3, "rule": "Counted", "reason": "left-open"}]}),
    ])
    matrix = version_matrix(run)
    assert matrix["columns"] == ["own: prometheus 2.42.0, alertmanager 0.25.0", "prometheus 3.16.0"]
    assert [(r["subject"], r["differs"]) for r in matrix["rows"]] == [("Counted", True), ("Same", False)]
    assert matrix["rows"][0]["reasons"] == ["prometheus 3.16.0: left-open"]
    assert "<h2>Each check against each version (1 differ)</h2>" in render(run)


def test_a_version_set_reaches_other_threads_only_where_it_is_handed_on():
    """The warm-up threads check one set's configuration while checks of another run: the choice
    is the caller's context, not a global another thread could change under it."""
    from concurrent.futures import ThreadPoolExecutor

    newer = versions.VersionSet(prometheus="3.16.0", alertmanager="0.35.0")
    with ThreadPoolExecutor(max_workers=2) as pool, versions.using(newer):
        handed_on = [pool.submit(versions.in_context(versions.active)) for _ in range(2)]
        not_handed_on = pool.submit(versions.active).result()
        assert versions.active() is newer
    assert [future.result() for future in handed_on] == [newer, newer]
    assert not_handed_on is None
    assert versions.active() is None


def test_upgrade_findings_are_known_by_their_declared_ids_and_older_results_by_their_module():
    own, newer = {"prometheus": "2.42.0"}, {"prometheus": "3.16.0"}

    def check(subject, status, on, nodeid, check_id=""):
        return CheckResult(component="prometheus", subject=subject, check="a check", status=status, level="MUST",
                           message="" if status == "passed" else "differs", nodeid=nodeid, versions=on,
                           check_id=check_id, evidence={"findings": [{"file": "r.yml", "rule": subject,
                                                                       "reason": f"{check_id or 'old'} reason"}]})

    run = RunResults(stack="s", stack_name="s", profile="local", started="now", versions=[own, newer], checks=[
        check("R", "passed", own, "suites/test_a.py::t[R]", "test_fires"),
        check("R", "failed", newer, "suites/test_a.py::t[R]", "test_fires"),
        # an upgrade finding moved to another module, and a check of that module that is none
        check("R", "failed", newer, "suites/test_moved.py::u", "test_rules_load_and_select_the_same"),
        check("S", "passed", own, "suites/test_upgrade.py::v[S]", "test_other"),
        check("S", "passed", newer, "suites/test_upgrade.py::v[S]", "test_other"),
        check("R", "failed", newer, "suites/test_upgrade.py::w"),  # written before ids were recorded
    ])
    matrix = version_matrix(run)
    assert [r["subject"] for r in matrix["rows"]] == ["R", "S"], matrix["rows"]
    assert matrix["rows"][0]["reasons"] == ["prometheus 3.16.0: test_rules_load_and_select_the_same reason",
                                            "prometheus 3.16.0: old reason"], matrix["rows"][0]["reasons"]


def test_the_upgrade_findings_listed_are_the_checks_of_the_upgrade_suite():
    suite = ast.parse((ROOT / "suites" / "test_upgrade.py").read_text(encoding="utf-8"))
    declared = {node.name for node in suite.body if isinstance(node, ast.FunctionDef)
                and any("conformance" in ast.unparse(decorator) for decorator in node.decorator_list)}
    assert declared == UPGRADE_CHECKS, declared ^ UPGRADE_CHECKS
