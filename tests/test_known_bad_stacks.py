"""Known inputs: the real suites, run in a subprocess on a copy of the stack with one defect,
fail that defect's check with file, line and problem, and start no container doing so."""

from __future__ import annotations

import pytest

from tests.layout import REFERENCE_STACK
from tests.static_runs import literal, nothing_to_judge
from tests.textfiles import line_containing


def test_the_reference_stack_passes_every_static_check(run_suites):
    run = run_suites(REFERENCE_STACK)
    checks = run.report["checks"]
    # Rules over metrics no other rule's hand-written scenario feeds ran in no scenario but their
    # own: nothing else could have fired them in virtual time (as in test_known_inputs).
    unwatched = [c for c in checks if c["status"] == "not applicable" and "nothing else could have fired it" in c["message"]
                 and c["check"] == "fires only where a scenario expects it (virtual time)"
                 and c["subject"] in ("APIResponseTimeHigh", "DataQualityLow", "DatabaseConnectionPoolExhausted")]
    # Its rules and panels select no job by name: the job check has nothing to judge there.
    unjobbed = [c for c in checks if c["status"] == "not applicable" and c["check"] == "selects only jobs the stack scrapes"
                and "selects no job by name" in c["message"]]
    unused = nothing_to_judge(checks)
    not_passed = [(c["nodeid"], c["status"], c["message"]) for c in checks
                  if c["status"] != "passed" and c not in unwatched + unjobbed + unused]
    assert not not_passed, not_passed
    # and no failure, error or skip outside the checks
    skipped = len(unwatched) + len(unjobbed) + len(unused)
    run.result.assert_outcomes(passed=len(checks) - skipped, skipped=skipped)
    assert run.result.ret == pytest.ExitCode.OK
    # Every check passes, yet a static run started nothing: the verdict does not read green.
    verdict = run.report["summary"]["verdict"]
    assert verdict["state"] == "partial" and "live checks were not run" in verdict["headline"], verdict
    run.result.stdout.fnmatch_lines(["conformance verdict: conforms as far as tested: *live checks were not run*"])
    run.assert_no_container_started()


def test_a_yaml_syntax_error_in_a_rule_file(broken_stack, run_suites):
    stack_dir = broken_stack(
        "prometheus/analytics_rules.yml",
        'summary: "Data quality score below threshold"',
        "summary: Data quality score: below threshold",
    )
    rules = stack_dir.resolve() / "prometheus" / "analytics_rules.yml"
    line = line_containing(rules, "summary: Data quality score: below threshold")

    run = run_suites(stack_dir)

    parses = run.check("test_parses[prometheus/analytics_rules.yml]")
    assert (parses["status"], parses["subject"]) == ("failed", "prometheus/analytics_rules.yml"), parses
    assert f"{rules}:{line}: invalid YAML: mapping values are not allowed" in parses["message"], parses
    assert "summary: Data quality score: below threshold" in parses["message"], "the offending text is shown"
    assert parses["location"] == {"file": "prometheus/analytics_rules.yml", "line": line,
                                  "text": "summary: Data quality score: below threshold"}, parses
    assert run.check("test_parses[prometheus/infrastructure_rules.yml]")["status"] == "passed"
    run.result.stdout.fnmatch_lines([
        "*_ test_parses[[]prometheus/analytics_rules.yml[]] _*",
        f"{literal(str(rules))}:{line}: invalid YAML: mapping values are not allowed here",
        "*summary: Data quality score: below threshold",
        "FAILED *suites/test_static_files.py::test_parses[[]prometheus/analytics_rules.yml[]]*",
    ])
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    run.assert_no_container_started()


def test_an_invalid_promql_expression(broken_stack, run_suites):
    stack_dir = broken_stack(
        "prometheus/analytics_rules.yml",
        "rate(pipeline_duration_seconds_bucket[5m]))) > 3600",
        "rate(pipeline_duration_seconds_bucket[5m])) > 3600",
    )
    rules = stack_dir.resolve() / "prometheus" / "analytics_rules.yml"
    expr_line = line_containing(rules, "rate(pipeline_duration_seconds_bucket[5m])) > 3600")  # the expression's own line

    run = run_suites(stack_dir)

    # One finding, at the expression itself: the rule file's own check; the rule's checks are blocked by it.
    parses = run.check("test_parses[prometheus/analytics_rules.yml]")
    assert parses["status"] == "failed", parses
    expected = f"{rules}:{expr_line}: alert 'PipelineDurationHigh': invalid PromQL: unclosed left parenthesis"
    assert expected in parses["message"], parses["message"]
    assert (parses["location"]["file"], parses["location"]["line"]) == ("prometheus/analytics_rules.yml", expr_line)
    blocked = run.check("test_expression_parses[PipelineDurationHigh]")
    assert blocked["status"] == "not applicable" and f"blocked by {rules}:{expr_line}" in blocked["message"], blocked
    assert run.check("test_expression_parses[PipelineFailureRate]")["status"] == "passed"
    failed = [c["nodeid"] for c in run.report["checks"] if c["status"] in ("failed", "error")]
    assert failed == ["suites/test_static_files.py::test_parses[prometheus/analytics_rules.yml]"], failed
    run.result.stdout.fnmatch_lines([literal(expected)])
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    run.assert_no_container_started()


def test_a_rule_file_that_does_not_exist(broken_stack, run_suites):
    stack_dir = broken_stack("prometheus/prometheus.yml", '- "infrastructure_rules.yml"', '- "infrastucture_rules.yml"')
    config = stack_dir.resolve() / "prometheus" / "prometheus.yml"
    line = line_containing(config, "infrastucture_rules.yml")

    run = run_suites(stack_dir)

    exists = run.check("test_rule_file_exists[infrastucture_rules.yml]")
    assert (exists["status"], exists["subject"]) == ("failed", "infrastucture_rules.yml"), exists
    expected = f"{config}:{line}: rule_files entry 'infrastucture_rules.yml' matches no file"
    assert expected in exists["message"], exists["message"]
    assert run.check("test_rule_file_exists[analytics_rules.yml]")["status"] == "passed"
    run.result.stdout.fnmatch_lines([
        "*_ test_rule_file_exists[[]infrastucture_rules.yml[]] _*",
        f"{literal(expected)}*",
        "FAILED *suites/test_static_prometheus.py::test_rule_file_exists[[]infrastucture_rules.yml[]]*",
    ])
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    run.assert_no_container_started()


def test_a_manifest_defect_stops_the_run_before_any_check(broken_stack, run_suites):
    stack_dir = broken_stack("manifest.yml", "      registry: docker.io/prom/alertmanager:v0.25.0\n", "")

    run = run_suites(stack_dir)

    assert run.result.ret == pytest.ExitCode.USAGE_ERROR, run.result.stderr.str()
    manifest = literal(str(stack_dir.resolve() / "manifest.yml"))
    run.result.stderr.fnmatch_lines([
        f"*cannot read the stack under test: {manifest}:*: service 'alertmanager' has no image for profile registry",
    ])
    assert run.report == {}, "a run that checked nothing wrote a report"
    run.assert_no_container_started()


def test_a_rule_group_written_as_a_bare_name_is_a_finding_not_a_crash(broken_stack, run_suites):
    last_line = 'description: "Disk usage is {{ $value }}% on {{ $labels.instance }}"'
    stack_dir = broken_stack("prometheus/infrastructure_rules.yml", last_line, f"{last_line}\n  - storage_alerts")

    run = run_suites(stack_dir)

    assert run.result.ret == pytest.ExitCode.TESTS_FAILED, run.result.stdout.str()
    failed = [c for c in run.report.get("checks", []) if c["status"] == "failed"]
    assert any("infrastructure_rules.yml" in c["message"] for c in failed), failed
    run.assert_no_container_started()


def test_a_jaeger_config_naming_an_unknown_exporter(broken_stack, run_suites):
    stack_dir = broken_stack("jaeger/config.yml", "      exporters: [jaeger_storage_exporter]",
                             "      exporters: [jaeger_storage]")
    config = stack_dir.resolve() / "jaeger" / "config.yml"

    run = run_suites(stack_dir)

    check = run.check("test_jaeger_config_validates")
    assert check["status"] == "failed", check
    assert f"{config}:{line_containing(config, 'exporters: [jaeger_storage]')}: Jaeger rejects the configuration" \
        in check["message"], check["message"]
    assert "jaeger_storage" in check["message"], check["message"]
    run.assert_no_container_started()
