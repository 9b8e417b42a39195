"""A team's routing intent that is not a function of severity: kube-prometheus routes InfoInhibitor
to a ``null`` receiver by its name, teams route by a ``team`` label to a receiver of their own and
``continue`` to the severity's. The manifest declares it in ``intended_routes``
(fixtures/model/routing_intent.py); the routing check holds the tree to it, and says per alert on
what basis it judged. Without the declaration the severity decides, and the failure says so."""

from __future__ import annotations

from pathlib import Path

import yaml

from fixtures.model.routing_intent import intent_of
from fixtures.model.stack import Stack
from tests.textfiles import write_text

RULES = """groups:
  - name: g
    rules:
      - alert: InfoInhibitor
        expr: info_alerts{job="node"} > 0
        labels: {severity: none}
        annotations: {summary: inhibits info alerts}
      - alert: DbReplicationLag
        expr: db_replication_lag_seconds{job="db"} > 30
        labels: {severity: critical, team: db}
        annotations: {summary: replication lags}
      - alert: DiskFull
        expr: disk_free_ratio{job="node"} < 0.05
        labels: {severity: critical}
        annotations: {summary: disk full}
"""
ALERTMANAGER = """route:
  receiver: Default
  routes:
    - matchers: ['alertname = InfoInhibitor']
      receiver: 'null'
    - matchers: ['team = db']
      receiver: DbPager
      continue: true
    - matchers: ['severity = critical']
      receiver: Pager
receivers:
  - name: Default
    webhook_configs: [{url: 'http://hooks.example.net/default'}]
  - name: Pager
    webhook_configs: [{url: 'http://hooks.example.net/pager'}]
  - name: DbPager
    webhook_configs: [{url: 'http://hooks.example.net/db'}]
  - name: 'null'
"""
DECLARED = """intended_routes:
  - match: {alertname: InfoInhibitor}
    receiver: "null"
  - match: {team: db}
    receivers: [DbPager]
"""


def routing_stack(folder: Path, intent: str = "") -> Path:
    write_text(folder / "manifest.yml", (
        "prometheus_config: prometheus/prometheus.yml\nalertmanager_config: alertmanager/alertmanager.yml\n"
        "severity_levels: {critical: Pager, warning: Default, none: Default}\n" + intent))
    write_text(folder / "prometheus" / "prometheus.yml", yaml.safe_dump({
        "rule_files": ["rules.yml"],
        "scrape_configs": [{"job_name": job, "static_configs": [{"targets": [f"{job}:9100"]}]} for job in ("node", "db")]}))
    write_text(folder / "prometheus" / "rules.yml", RULES)
    write_text(folder / "alertmanager" / "alertmanager.yml", ALERTMANAGER)
    return folder


def test_the_first_declared_entry_an_alert_matches_decides_else_its_severity(tmp_path):
    stack = Stack.load(routing_stack(tmp_path / "s", DECLARED))
    info = intent_of(stack.manifest, {"alertname": "InfoInhibitor", "severity": "none"})
    assert info.receivers == ("null",) and not info.by_severity and info.line == 5, info
    assert "alertname=InfoInhibitor" in info.basis
    assert intent_of(stack.manifest, {"alertname": "X", "team": "db", "severity": "critical"}).receivers == ("DbPager",)
    disk = intent_of(stack.manifest, {"alertname": "DiskFull", "severity": "critical"})
    assert disk.receivers == ("Pager",) and disk.by_severity and "severity=critical -> Pager" in disk.basis
    assert intent_of(stack.manifest, {"alertname": "X", "severity": "page"}) is None


def test_an_undeclared_alert_name_route_fails_saying_on_what_basis(tmp_path, run_suites):
    run = run_suites(routing_stack(tmp_path / "s"), 600, "-k", "test_routes")
    info = run.check("test_routes[InfoInhibitor]")
    assert info["status"] == "failed", info
    assert "routed to ['null']" in info["message"] and "severity=none -> Default" in info["message"], info["message"]
    assert "intended_routes" in info["message"]
    assert run.check("test_routes[DbReplicationLag]")["status"] == "failed"  # [DbPager, Pager], not [Pager]
    disk = run.check("test_routes[DiskFull]")
    assert disk["status"] == "passed", disk
    assert any("severity=critical -> Pager" in str(v) for v in disk["evidence"].values()), disk["evidence"]


def test_declared_intent_is_held_against_the_tree(tmp_path, run_suites):
    """InfoInhibitor to null as declared passes; the db team's alerts are declared for DbPager
    alone, and the tree's ``continue`` also sends them to Pager: still a failure."""
    run = run_suites(routing_stack(tmp_path / "s", DECLARED), 600, "-k", "test_routes")
    info = run.check("test_routes[InfoInhibitor]")
    assert info["status"] == "passed", info
    assert any("intended_routes entry at manifest.yml:5" in str(v) for v in info["evidence"].values()), info["evidence"]
    lag = run.check("test_routes[DbReplicationLag]")
    assert lag["status"] == "failed" and "['DbPager', 'Pager']" in lag["message"], lag
    assert run.check("test_routes[DiskFull]")["status"] == "passed"
