"""A stack can be just one part: only dashboards, or only the log pipeline. Every part it does not
declare is left out with one record saying why (never a failure), and the part it declares is
checked as usual. Static runs (the live log pipeline is tests/test_log_harness.py's)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tests.layout import REFERENCE_STACK
from tests.textfiles import write_text

LOG_SERVICES = ("elasticsearch", "rsyslog", "logstash", "filebeat")


def _dashboards_only_stack(tmp_path: Path) -> Path:
    stack_dir = tmp_path / "dashboards-only"
    shutil.copytree(REFERENCE_STACK / "grafana", stack_dir / "grafana")
    write_text(stack_dir / "manifest.yml", yaml.safe_dump({
        "name": "dashboards only",
        "grafana": {"dashboards": "grafana/dashboards", "datasources": "grafana/provisioning/datasources"},
    }))
    return stack_dir


def _logs_only_stack(tmp_path: Path) -> Path:
    """The reference stack's log pipeline and structured logger, and nothing else."""
    stack_dir = tmp_path / "logs-only"
    reference = yaml.safe_load((REFERENCE_STACK / "manifest.yml").read_text(encoding="utf-8"))
    shutil.copytree(REFERENCE_STACK / "elk", stack_dir / "elk")
    shutil.copytree(REFERENCE_STACK / "contracts", stack_dir / "contracts")
    logging_module = reference["instrumentation"]["logging"]
    (stack_dir / logging_module).parent.mkdir(parents=True)
    shutil.copy(REFERENCE_STACK / logging_module, stack_dir / logging_module)
    write_text(stack_dir / "manifest.yml", yaml.safe_dump({
        "name": "logs only",
        "instrumentation": {"logging": logging_module},
        "services": {name: reference["services"][name] for name in LOG_SERVICES},
        "logs": reference["logs"],
    }))
    return stack_dir


def _left_out(run) -> dict[str, str]:
    """Suite module -> the reason its part was left out."""
    return {c["nodeid"]: c["message"] for c in run.report["checks"] if c["check"] == "part of this stack"}


def _assert_nothing_fails(run) -> None:
    failing = [(c["nodeid"], c["message"][:300]) for c in run.report["checks"] if c["status"] in ("failed", "error")]
    assert not failing, failing
    assert "Traceback" not in run.result.stdout.str(), run.result.stdout.str()


def test_a_stack_of_just_dashboards_checks_them_and_skips_every_other_part_for_a_reason(tmp_path, run_suites):
    run = run_suites(_dashboards_only_stack(tmp_path))

    _assert_nothing_fails(run)
    left_out = _left_out(run)
    assert set(left_out) == {
        "suites/test_alerts_live.py", "suites/test_alerts_routing.py", "suites/test_alerts_virtual.py",
        "suites/test_dashboards_live.py", "suites/test_live_smoke.py", "suites/test_logs_live.py",
        "suites/test_logs_static.py", "suites/test_static_alertmanager.py", "suites/test_static_prometheus.py",
        "suites/test_static_traces.py", "suites/test_traces_live.py", "suites/test_upgrade.py",
        "suites/test_promtool_tests.py"}, left_out
    assert "declares no prometheus_config" in left_out["suites/test_static_prometheus.py"], left_out
    assert "declares no logs" in left_out["suites/test_logs_static.py"], left_out
    assert "declares no tracing" in left_out["suites/test_traces_live.py"], left_out
    grafana = [c for c in run.report["checks"] if c["component"] == "grafana" and c["check"] != "part of this stack"]
    assert any(c["status"] == "passed" and c["check"] == "provisions as written" for c in grafana), grafana
    # Nothing scrapes a dashboards-only stack: what it produces cannot be told, so that check cannot pass.
    produced = [c for c in grafana if c["check"] == "metrics produced by the stack"]
    assert produced and all(c["status"] == "not applicable" and "declares no prometheus_config" in c["message"]
                            for c in produced), produced
    run.assert_no_container_started()


def test_a_stack_of_just_logs_checks_them_and_skips_every_other_part_for_a_reason(tmp_path, run_suites):
    run = run_suites(_logs_only_stack(tmp_path))

    _assert_nothing_fails(run)
    left_out = _left_out(run)
    assert set(left_out) == {
        "suites/test_alerts_live.py", "suites/test_alerts_routing.py", "suites/test_alerts_virtual.py",
        "suites/test_dashboards_live.py", "suites/test_dashboards_static.py", "suites/test_live_smoke.py",
        "suites/test_static_alertmanager.py", "suites/test_static_prometheus.py", "suites/test_static_traces.py",
        "suites/test_traces_live.py", "suites/test_upgrade.py", "suites/test_promtool_tests.py"}, left_out
    assert "declares no grafana" in left_out["suites/test_dashboards_static.py"], left_out
    assert "declares no prometheus_config" in left_out["suites/test_live_smoke.py"], left_out
    logs = [c for c in run.report["checks"] if c["component"] == "logs" and c["check"] != "part of this stack"]
    assert logs and all(c["status"] == "passed" for c in logs), logs
    run.assert_no_container_started()
