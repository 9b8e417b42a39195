"""Upgrade findings: what a newer version of a component reads differently in the stack's files,
each with its file, line and the release notes' reason (fixtures/upgrade.py). What it rejects,
its own promtool and amtool say in the static suites, which run on every version of the matrix.

Only with --versions (the plugin leaves these out otherwise); on the stack's own versions there is
nothing to upgrade from, so these checks are not applicable there."""

import pytest

from fixtures.checks import at, expect, not_applicable
from fixtures.tools import amtool_check_config
from fixtures.upgrade import (
    MUST,
    SHOULD,
    alertmanager_matcher_findings,
    prometheus3_config_findings,
    prometheus3_rule_findings,
)

pytestmark = [pytest.mark.version_matrix, pytest.mark.stack_section("prometheus_config", what="Prometheus")]


def _upgrade(request, component: str, major: int | None = None) -> tuple[str, str]:
    """(the stack's own version, the version this check runs on), or not applicable."""
    own = request.getfixturevalue("version_matrix")[0].of(component)
    this = request.getfixturevalue("component_versions").of(component)
    if this == own:
        not_applicable(f"{component} {this} is the stack's own version: there is nothing to upgrade from")
    if major is not None and (int(own.split(".")[0]) >= major or int(this.split(".")[0]) < major):
        not_applicable(f"{component} {own} to {this} crosses no major version these detectors know ({major})")
    return own, this


def _judge(findings, level: str, own: str, this: str, what: str, evidence: dict) -> None:
    mine = [f for f in findings if f.level == level]
    evidence["findings"] = [{"file": str(f.file), "line": f.line, "rule": f.rule, "reason": f.reason} for f in mine]
    first = mine[0] if mine else None
    expect(not mine, (f"{what} reads differently on {this} than on {own} (the stack's own):\n"
                      + "\n".join(f"  - {f.describe()}" for f in mine)),
           at(first.file, first.line, first.text) if first else None)


@pytest.mark.conformance(component="prometheus", check="upgrade: rules load and select the same", level=MUST,
                         phase="static", subject_kind="rule_file")
def test_rules_load_and_select_the_same(rule_file, stack, request, evidence):
    own, this = _upgrade(request, "prometheus", major=3)
    findings = prometheus3_rule_findings(rule_file, stack.prometheus_config)
    _judge(findings, MUST, own, f"Prometheus {this}", stack.relative(rule_file), evidence)


@pytest.mark.conformance(component="prometheus", check="upgrade: rules give the same results", level=SHOULD,
                         phase="static", subject_kind="rule_file")
def test_rules_give_the_same_results(rule_file, stack, request, evidence):
    own, this = _upgrade(request, "prometheus", major=3)
    findings = prometheus3_rule_findings(rule_file, stack.prometheus_config)
    _judge(findings, SHOULD, own, f"Prometheus {this}", stack.relative(rule_file), evidence)


@pytest.mark.conformance(component="prometheus", check="upgrade: settings and flags kept", subject="prometheus.yml",
                         phase="static")
def test_settings_and_flags_kept(stack, request, evidence):
    own, this = _upgrade(request, "prometheus", major=3)
    service = stack.services.get("prometheus")
    findings = prometheus3_config_findings(stack.prometheus_config_path, service.command if service else None,
                                           stack.manifest_path)
    _judge(findings, MUST, own, f"Prometheus {this}", "prometheus.yml and the server's flags", evidence)


def _matcher_findings(stack, request):
    own, this = _upgrade(request, "alertmanager")
    checked = amtool_check_config(stack.alertmanager_config_path)  # this version's amtool
    if not checked.ok:
        not_applicable(f"amtool {this} rejects alertmanager.yml (its own static check says why)")
    return own, this, alertmanager_matcher_findings(stack.alertmanager_config_path, checked.output)


@pytest.mark.stack_section("alertmanager_config", what="Alertmanager")
@pytest.mark.conformance(component="alertmanager", check="upgrade: matchers read the same", subject="alertmanager.yml",
                         phase="static")
def test_matchers_read_the_same(stack, request, evidence):
    own, this, findings = _matcher_findings(stack, request)
    _judge(findings, MUST, own, f"Alertmanager {this}", stack.relative(stack.alertmanager_config_path), evidence)


@pytest.mark.stack_section("alertmanager_config", what="Alertmanager")
@pytest.mark.conformance(component="alertmanager", check="upgrade: matchers ready for the UTF-8 parser",
                         subject="alertmanager.yml", level=SHOULD, phase="static")
def test_matchers_ready_for_the_utf8_parser(stack, request, evidence):
    own, this, findings = _matcher_findings(stack, request)
    _judge(findings, SHOULD, own, f"Alertmanager {this}", stack.relative(stack.alertmanager_config_path), evidence)
