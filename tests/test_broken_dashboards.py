"""Deliberately broken copies of the reference stack's dashboards fail the check made for each
defect: statically (no container) and live (a valid query that returns nothing)."""

from __future__ import annotations

import pytest

from tests.live_runs import run_suites

EXECUTIVE = "grafana/dashboards/analytics-executive.json"
FRESHNESS = "Analytics Executive Dashboard/Data Freshness"
QUALITY = "Analytics Executive Dashboard/Average Data Quality Score"

STATIC_DEFECTS = {
    "wrapped for the HTTP API": (
        '{\n  "uid": "analytics-executive"', '{"dashboard": {\n  "uid": "analytics-executive"', "append }",
        "test_provisions[Analytics Executive Dashboard]", ('{"dashboard": ...}', "HTTP API")),
    "minutes for a query in seconds": (
        '"unit": "s"', '"unit": "m"', None,
        f"test_time_unit[{FRESHNESS}]", ("yields seconds", "'m', a different time unit")),
    "thresholds out of order": (
        '"value": 3600', '"value": 9000', None,
        f"test_thresholds_ordered[{FRESHNESS}]", ("not in increasing order", "9000")),
    "a metric nothing produces": (
        '"expr": "avg(data_quality_score)"', '"expr": "avg(data_quality_ratio)"', None,
        f"test_metrics_produced[{QUALITY}]", ("data_quality_ratio", "which no source of the stack produces")),
}


@pytest.mark.parametrize("defect", STATIC_DEFECTS.values(), ids=STATIC_DEFECTS.keys())
def test_each_dashboard_defect_fails_its_check(defect, broken_stack, run_suites):
    old, new, extra, failing, parts = defect
    stack_dir = broken_stack(EXECUTIVE, old, new)
    if extra == "append }":
        path = stack_dir / EXECUTIVE
        path.write_text(path.read_text().rstrip() + "}\n")

    run = run_suites(stack_dir)

    check = run.check(failing)
    assert check["status"] == "failed", check
    for part in parts:
        assert part in check["message"], f"expected {part!r} in: {check['message']}"
    run.assert_no_container_started()


def test_a_valid_query_that_returns_nothing_fails_live(broken_stack, tmp_path, engine):
    stack_dir = broken_stack(EXECUTIVE, '"expr": "avg(data_quality_score)"',
                             '"expr": "avg(data_quality_score{table_name=\\"no_such_table\\"})"')
    run = run_suites(stack_dir, tmp_path, "-m", "live", "-k", "test_panel_has_data")
    checks = {c["subject"]: c for c in run.report["checks"]}
    broken = checks[QUALITY]
    assert broken["status"] == "failed", run.stdout[-2000:]
    assert 'no_such_table' in broken["message"] and "returned no data" in broken["message"], broken["message"]
    others = [c for subject, c in checks.items() if subject != QUALITY]
    assert others and all(c["status"] == "passed" for c in others), [(c["subject"], c["message"]) for c in others]
