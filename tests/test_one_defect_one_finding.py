"""One defect, one finding (issue 25): a rule file promtool refuses is that refusal's one finding;
what depends on it (its own rules' checks, the behaviour of a rule in another file that reads one
of its recording rules) is blocked by it, and what does not (the other file's rules) is still
judged. The corpus (tests/broken_inputs.py, DROWNING) counts failures; this shows what is judged."""

from __future__ import annotations

from tests.textfiles import line_containing

AR, IR = "prometheus/analytics_rules.yml", "prometheus/infrastructure_rules.yml"
RECORDED = "pipeline:failure_ratio:rate5m"


def test_a_refused_rule_file_blocks_its_dependents_and_leaves_its_neighbours_judged(broken_stack, run_suites):
    broken_stack(AR, 'summary: "High pipeline failure rate detected"', 'summary: "High failure rate {{ $value"')
    broken_stack(AR, "  - name: pipeline_alerts\n    rules:\n",
                 f"  - name: pipeline_alerts\n    rules:\n      - record: {RECORDED}\n        expr: vector(0.2)\n")
    stack_dir = broken_stack(IR, "      - alert: HighMemoryUsage\n", (
        f"      - alert: FailureRatioHigh\n        expr: {RECORDED} > 0.5\n        for: 1m\n"
        "        labels:\n          severity: warning\n        annotations:\n"
        "          summary: ratio\n          description: ratio\n      - alert: HighMemoryUsage\n"))
    rules = stack_dir.resolve() / AR
    line = line_containing(rules, 'summary: "High failure rate {{')

    run = run_suites(stack_dir)

    failed = [(c["nodeid"], c["location"]) for c in run.report["checks"] if c["status"] in ("failed", "error")]
    assert failed == [(f"suites/test_static_prometheus.py::test_promtool_check_rules[{AR}]",
                       {"file": AR, "line": line, "text": 'summary: "High failure rate {{ $value"'})], failed
    blocked = f"blocked by {rules}:{line}: promtool rejects the rules"
    for nodeid in ("suites/test_static_prometheus.py::test_severity_label[PipelineFailureRate]",  # its own file
                   "suites/test_alerts_virtual.py::test_fires[FailureRatioHigh]",  # reads its recording rule
                   "suites/test_static_prometheus.py::test_promtool_check_config"):  # loads it
        check = run.check(nodeid.split("::")[1])
        assert check["status"] == "not applicable" and blocked in check["message"], check
    # A static check of the reader, and the neighbour file's behaviour, are still judged.
    assert run.check("test_severity_label[FailureRatioHigh]")["status"] == "passed"
    assert run.check("test_fires[HighCPUUsage]")["status"] == "passed"
    run.assert_no_container_started()
